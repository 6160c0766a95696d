"""`hearth run` with discord.py pointed at a loopback port where nothing listens: Discord as
seen from a machine with no network. Usage: python -m tests.discord_offline PORT [hearth args]."""

from __future__ import annotations

import sys

import discord
import yarl

from bot.cli import main

if __name__ == "__main__":
    port = int(sys.argv[1])
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    sys.exit(main(sys.argv[2:] or ["run"]))

"""`hearth run` serving Telegram and Discord at once, both against their loopback fakes, for
tests/test_two_places.py. Usage: python -m tests.two_places_run run

Telegram needs nothing here: HEARTH_TELEGRAM_BASE_URL points python-telegram-bot at its fake.
discord.py has no such setting, so its two process-wide addresses are pointed at the fake
Discord named by TWO_PLACES_DISCORD (http://127.0.0.1:PORT). Its adapter is made with what
tests/discord_support.py gives it in-process: no 2 s wait for servers that never come and no
1 s pause between direct messages, so a story stays fast; the adapter is otherwise unchanged.

TWO_PLACES_CLOCK_SHIFT (seconds, may be negative) moves the core's clock: a run started with it
lives that much later (say, past a 15-minute link code) without waiting for it.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from typing import Any

import discord
import yarl

import adapters.discord
import bot.clock
from adapters.discord import DiscordAdapter
from bot.cli import main

DISCORD_ADDRESS = "TWO_PLACES_DISCORD"
CLOCK_SHIFT = "TWO_PLACES_CLOCK_SHIFT"


class QuickDiscordAdapter(DiscordAdapter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = {"guild_ready_timeout": 0.01}
        super().__init__(*args, dm_interval=0.0, client_options=options, **kwargs)


def _shifted(shift: timedelta) -> type[bot.clock.SystemClock]:
    class ShiftedClock(bot.clock.SystemClock):
        def now(self) -> datetime:
            return super().now() + shift

    return ShiftedClock


def point_at_fakes(environ: dict[str, str]) -> None:
    address = environ[DISCORD_ADDRESS].rstrip("/")
    discord.http.Route.BASE = f"{address}/api/v10"
    gateway = yarl.URL(address).with_scheme("ws") / "gateway"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
    adapters.discord.DiscordAdapter = QuickDiscordAdapter  # type: ignore[misc]
    if shift := environ.get(CLOCK_SHIFT):
        bot.clock.SystemClock = _shifted(timedelta(seconds=float(shift)))  # type: ignore[misc]


if __name__ == "__main__":
    point_at_fakes(dict(os.environ))
    sys.exit(main(sys.argv[1:] or ["run"]))

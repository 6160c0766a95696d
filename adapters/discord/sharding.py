"""Hearth on some of the bot's shards: `HEARTH_DISCORD_SHARDS` (e.g. `0-1/4`) in each process.

Discord splits a big bot's gateway into shards: a server's events arrive on shard
`(guild_id >> 22) % count`, direct messages on shard 0 only. Each Hearth process runs its range
of shards in one discord.py `AutoShardedClient`; any of them may send (sending is REST, not the
gateway). What must happen once per bot is done by one process only:

- the global slash commands are synced by the process holding shard 0 (every process has them
  in its tree to answer them; a single writer keeps Discord's command rate limit and the stored
  digest consistent, and shard 0 always exists, so exactly one process is that writer);
- the development server's commands by the process holding that server's shard;
- each server's joins, leaves, messages and interactions only reach the process holding its
  shard, so the core sees each of them once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord

from adapters.discord.components import HearthClient
from bot.shards import ShardRange

log = logging.getLogger("hearth.discord")

IDENTIFY_INTERVAL = 5.0  # seconds between two shards' IDENTIFY (Discord allows one per 5 s)


class ShardedHearthClient(HearthClient, discord.AutoShardedClient):
    """HearthClient on a range of shards: `wait_until_ready` returns once all of them are."""

    def __init__(
        self, handler: Any, *, identify_interval: float = IDENTIFY_INTERVAL, **options: Any
    ) -> None:
        super().__init__(handler, **options)
        self._identify_interval = identify_interval

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self._identify_interval)

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("Discord shard %d of %s is ready", shard_id, self.shard_count)


def make_client(handler: Any, shards: ShardRange | None, options: dict[str, Any]) -> HearthClient:
    """One gateway connection as discord.py chooses when no shards are configured, else this
    process's range of the common count."""
    if shards is None:
        return HearthClient(handler, **options)
    return ShardedHearthClient(handler, shard_ids=shards.ids, shard_count=shards.count, **options)


def syncs_here(shards: ShardRange | None, guild: discord.abc.Snowflake | None) -> bool:
    """Whether this process writes the slash commands of that scope (global when None)."""
    if shards is None:
        return True
    return shards.holds_direct_messages if guild is None else shards.holds_guild(guild.id)


async def warn_if_too_few(client: discord.Client, shards: ShardRange) -> None:
    """Discord recommends a shard count for the bot's size; fewer shards are refused once a
    shard would carry too many servers. Said once, by the process holding shard 0."""
    try:
        recommended, _, _ = await client.http.get_bot_gateway()
    except (discord.DiscordException, aiohttp.ClientError, OSError, KeyError):
        return  # only advice: start anyway
    if shards.count < recommended:
        log.warning(
            "HEARTH_DISCORD_SHARDS counts %d shards; Discord recommends %d for this bot",
            shards.count,
            recommended,
        )

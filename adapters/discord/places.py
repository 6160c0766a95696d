"""Who and where, in the core's terms: people with their platform facts, servers as communities,
channels and threads, and the server a direct message belongs to (the core remembers which).

With shards (adapters/discord/sharding.py) a process's cache holds only the servers on its own
shards: the channel of a server on another process's shard is looked up over REST (and kept a
few minutes), and a DM is never placed from the cache alone, which sees only some servers.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import discord

from adapters.discord.slash import PLATFORM
from bot.events import Origin, Person
from bot.hearth import Hearth
from bot.replies import Target
from bot.shards import ShardRange

log = logging.getLogger("hearth.discord")

_CHANNEL_MENTION = re.compile(r"^<#(\d{1,20})>$")


def snowflake(ref: str | None) -> int | None:
    """A Discord id from a ref: digits, or a channel mention as `/setup channel` may store it."""
    if ref is None:
        return None
    found = _CHANNEL_MENTION.match(ref.strip())
    text = found.group(1) if found else ref.strip()
    # Snowflakes are up to 20 decimal digits; ASCII only, so int() never refuses what passed.
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 20 else None


def locale_language(interaction: discord.Interaction) -> str:
    """The person's Discord language as a catalog code ("en-GB" is "en")."""
    return str(interaction.locale.value).split("-")[0].lower()


def member_person(member: discord.Member, guild: discord.Guild) -> Person:
    """Platform facts only: Manage Server or Administrator, and owning the server; the core
    adds the roles granted with /mods and decides."""
    permissions = member.guild_permissions
    return Person(
        str(member.id),
        member.display_name,
        is_platform_admin=permissions.manage_guild or permissions.administrator,
        is_platform_owner=guild.owner_id == member.id,
    )


def place(channel: object, channel_id: int | None) -> tuple[str | None, str | None]:
    """(channel, thread): a thread is reported with the channel it belongs to."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return str(channel.parent_id), str(channel.id)
    return (str(channel_id) if channel_id is not None else None), None


REMOTE_FOR = 300.0  # seconds a server looked up over REST is trusted (its main channel, names)
TEXT_CHANNEL = 0


@dataclass(frozen=True)
class RemoteServer:
    """What posting needs of a server on another process's shard."""

    system_channel: int | None
    text_channels: list[tuple[str, int]]  # (lower-case name, id) in the server's order
    looked_up: float


class Places:
    def __init__(
        self,
        client: discord.Client,
        hearth: Hearth,
        shards: ShardRange | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.hearth = hearth
        self.shards = shards
        self._clock = clock
        self._remote: dict[int, RemoteServer] = {}

    # -- the ChannelDirectory port ------------------------------------------------------------

    async def known(self, community_ref: str) -> list[str]:
        guild_id = snowflake(community_ref)
        guild = self.client.get_guild(guild_id) if guild_id else None
        return [f"#{c.name}" for c in guild.text_channels] if guild is not None else []

    async def has(self, community_ref: str, typed: str) -> bool:
        """A `<#id>` mention, an id or a `#name` of one of the server's text channels; when the
        server isn't in the cache, nothing can be checked and the name is taken as typed."""
        guild_id = snowflake(community_ref)
        guild = self.client.get_guild(guild_id) if guild_id else None
        if guild is None:
            return True
        wanted_id = snowflake(typed)
        wanted = typed.strip().lstrip("#").lower()
        channels: list[discord.TextChannel | discord.Thread] = [
            *guild.text_channels,
            *guild.threads,
        ]
        return any(c.id == wanted_id or c.name.lower() == wanted for c in channels)

    async def origin(self, interaction: discord.Interaction) -> Origin | None:
        """Where an interaction happened, from Discord's own word on it (never from a component's
        custom_id, which anyone can forge); in a DM, the server the DM belongs to. None when
        that cannot be told."""
        user = interaction.user
        language = locale_language(interaction)
        if interaction.guild_id is not None:
            guild = interaction.guild
            permissions = interaction.permissions
            person = Person(
                str(user.id),
                user.display_name,
                is_platform_admin=permissions.manage_guild or permissions.administrator,
                is_platform_owner=getattr(guild, "owner_id", None) == user.id,
                language=language,
            )
            channel_ref, thread_ref = place(interaction.channel, interaction.channel_id)
            return Origin(
                PLATFORM,
                str(interaction.guild_id),
                person,
                channel_ref,
                thread_ref,
                community_name=getattr(guild, "name", ""),
            )
        community = await self.community_of_dm(user.id)
        if community is None:
            return None
        return self.dm_origin(user, community, language)

    def dm_origin(
        self, user: discord.User | discord.Member, community: str, language: str | None
    ) -> Origin:
        """In a direct message Discord says nothing about the server; use what the cache knows
        (an empty name leaves the member's known name as it is)."""
        guild = self.client.get_guild(int(community))
        member = guild.get_member(user.id) if guild else None
        if member is None or guild is None:
            person = Person(str(user.id), "", language=language)
        else:
            person = replace(member_person(member, guild), language=language)
        return Origin(PLATFORM, community, person, community_name=guild.name if guild else "")

    async def community_of_dm(self, user_id: int) -> str | None:
        """Which server a direct message belongs to: the core's answer (the last one Hearth
        wrote about, else their only one), else the only server Discord says they share with
        Hearth. Never a server they are not in: a DM must not make a stranger a member."""
        known = await self.hearth.community_for_private(PLATFORM, str(user_id))
        if known is not None:
            return known
        if self.shards is not None and not self.shards.is_every_shard:
            return None  # the cache sees only this process's servers: "the only one" is unknown
        guilds = self.client.guilds
        shared = [g for g in guilds if g.get_member(user_id) is not None]
        if len(shared) == 1:
            return str(shared[0].id)
        return None

    async def channel_id(self, target: Target) -> int | None:
        """A thread or channel id, a `<#id>` mention or a `#name`; else the server's system
        channel or the first text channel Hearth may write in."""
        guild_id = snowflake(target.community_ref)
        guild = self.client.get_guild(guild_id) if guild_id else None
        if guild is None and guild_id is not None and self._on_other_shard(guild_id):
            return await self._remote_channel_id(guild_id, target)
        for ref in (target.thread_ref, target.channel_ref):
            if not ref:
                continue
            found = snowflake(ref)
            if found is not None:
                return found
            if guild is not None:
                wanted = ref.strip().lstrip("#").lower()
                for channel in guild.text_channels:
                    if channel.name.lower() == wanted:
                        return channel.id
        if guild is None:
            return None
        if guild.system_channel is not None:
            return guild.system_channel.id
        for channel in guild.text_channels:
            if channel.permissions_for(guild.me).send_messages:
                return channel.id
        return None

    def _on_other_shard(self, guild_id: int) -> bool:
        return self.shards is not None and not self.shards.holds_guild(guild_id)

    async def _remote_channel_id(self, guild_id: int, target: Target) -> int | None:
        """As `channel_id`, for a server this process has no cache of: its channels over REST.
        Without the cache's permissions, the first text channel is a guess Discord may refuse
        (logged by the sender) when the server has no system channel."""
        refs = [r for r in (target.thread_ref, target.channel_ref) if r]
        for ref in refs:
            found = snowflake(ref)
            if found is not None:
                return found
        server = await self._remote_server(guild_id)
        if server is None:
            return None
        for ref in refs:
            wanted = ref.strip().lstrip("#").lower()
            for name, channel_id in server.text_channels:
                if name == wanted:
                    return channel_id
        if server.system_channel is not None:
            return server.system_channel
        return server.text_channels[0][1] if server.text_channels else None

    async def _remote_server(self, guild_id: int) -> RemoteServer | None:
        known = self._remote.get(guild_id)
        if known is not None and self._clock() - known.looked_up < REMOTE_FOR:
            return known
        try:
            data = await self.client.http.get_guild(guild_id)
            channels = await self.client.http.get_all_guild_channels(guild_id)
        except discord.HTTPException as error:
            log.warning("could not look up guild=%s code=%s", guild_id, error.code)
            return known
        text = sorted(
            (c for c in channels if c.get("type") == TEXT_CHANNEL),
            key=lambda c: (c.get("position", 0), int(c["id"])),
        )
        system = data.get("system_channel_id")
        server = RemoteServer(
            int(system) if system is not None else None,
            [(str(c.get("name", "")).lower(), int(c["id"])) for c in text],
            self._clock(),
        )
        self._remote[guild_id] = server
        return server

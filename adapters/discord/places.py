"""Who and where, in the core's terms: people with their platform facts, servers as communities,
channels and threads, and the server a direct message belongs to (the core remembers which)."""

from __future__ import annotations

import re
from dataclasses import replace

import discord

from adapters.discord.slash import PLATFORM
from bot.events import Origin, Person
from bot.hearth import Hearth
from bot.replies import Target

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


class Places:
    def __init__(self, client: discord.Client, hearth: Hearth) -> None:
        self.client = client
        self.hearth = hearth

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
        guilds = self.client.guilds
        shared = [g for g in guilds if g.get_member(user_id) is not None]
        if len(shared) == 1:
            return str(shared[0].id)
        return None

    def channel_id(self, target: Target) -> int | None:
        """A thread or channel id, a `<#id>` mention or a `#name`; else the server's system
        channel or the first text channel Hearth may write in."""
        guild_id = snowflake(target.community_ref)
        guild = self.client.get_guild(guild_id) if guild_id else None
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

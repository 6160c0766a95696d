"""`hearth doctor` for Discord: the token, the Server Members intent, and Hearth's permissions in
each text channel of each server it is in, asked over REST through discord.py's own HTTP client
(the login `hearth run` makes), read only: no gateway connection, nothing sent or changed.

What Hearth needs (README, "Running Hearth in Discord"): the Server Members intent, for members
joining and leaving (the welcome), and in a channel View Channels, Send Messages, Send Messages
in Threads and Attach Files (charts and exports). A channel's permissions are computed as
Discord does: the owner and Administrator may do everything; otherwise the @everyone role and
the member's roles, then the channel's overwrites for @everyone, for the member's roles, and
for the member, each denying then allowing; without View Channel nothing else counts, and
without Send Messages no file may be attached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import aiohttp
import discord

from bot.doctor import Check, Verdict, fail, ok, warn

TIMEOUT = 10.0  # seconds per request: an unreachable Discord is one line, never a hang
NAME = "Discord"
NEEDED = (
    ("view_channel", "View Channels"),
    ("send_messages", "Send Messages"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("attach_files", "Attach Files"),
)
INVITE_PERMISSIONS = 274877942784  # the four above, as the README's invitation link asks
TEXT_CHANNELS = (0, 5)  # text and announcement channels: where Hearth writes
_T = TypeVar("_T")


class _Unreachable(Exception):
    """Discord did not answer in time, or the connection failed: one line says so."""


async def _ask(request: Awaitable[_T], patience: float) -> _T:
    try:
        return await asyncio.wait_for(request, patience)
    except (OSError, aiohttp.ClientError, TimeoutError) as error:
        raise _Unreachable(type(error).__name__) from None


async def discord_checks(token: str, *, patience: float = TIMEOUT) -> list[Check]:
    """The token, the members intent, then per server its channels' permissions."""
    logging.getLogger("discord").setLevel(logging.ERROR)  # its own lines are not the report
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
    client = discord.Client(intents=discord.Intents.none(), max_ratelimit_timeout=patience)

    checks: list[Check] = []
    try:
        try:
            await _ask(client.login(token), patience)
        except discord.LoginFailure:
            return [
                fail(
                    NAME,
                    "Discord refused HEARTH_DISCORD_TOKEN; in the Discord Developer Portal open"
                    " the application → Bot → Reset Token, and put the new token in the setting",
                )
            ]
        assert client.user is not None
        checks = [
            ok(NAME, f"the token works: the bot is {client.user.display_name}"),
            _intent(client),
        ]
        guilds = await _ask(_servers(client), patience)
        if not guilds:
            app = client.application_id
            checks.append(
                warn(
                    "Discord servers",
                    "Hearth is in no server yet; invite it with"
                    f" https://discord.com/oauth2/authorize?client_id={app}"
                    f"&scope=bot+applications.commands&permissions={INVITE_PERMISSIONS}",
                )
            )
        for guild_id, title in guilds:
            checks.extend(await _server(client, guild_id, title, patience))
        return checks
    except _Unreachable as error:  # after the lines already known
        return [
            *checks,
            fail(
                NAME,
                f"could not reach Discord ({error}); check this machine's network connection",
            ),
        ]
    except discord.HTTPException as error:
        reason = error.text or "no reason given"
        return [*checks, fail(NAME, f"Discord answered {error.status} ({reason})")]
    finally:
        await client.close()


async def _servers(client: discord.Client) -> list[tuple[int, str]]:
    """Every server the bot is in (discord.py pages through them, 200 at a time)."""
    return [(guild.id, guild.name) async for guild in client.fetch_guilds(limit=None)]


def _intent(client: discord.Client) -> Check:
    name = "Discord members intent"
    flags = client.application_flags
    if flags.gateway_guild_members or flags.gateway_guild_members_limited:
        return ok(name, "on: Hearth sees members join and leave, for the welcome")
    return fail(
        name,
        "off: Hearth cannot start without it, as it needs members joining and leaving for the"
        " welcome; in the Discord Developer Portal open the application → Bot → Privileged"
        " Gateway Intents and turn on Server Members Intent",
    )


async def _server(
    client: discord.Client, guild_id: int, title: str, patience: float
) -> list[Check]:
    name = f'Discord server "{title}"'
    assert client.user is not None
    try:
        guild: Any = await _ask(client.http.get_guild(guild_id), patience)
        member: Any = await _ask(client.http.get_member(guild_id, client.user.id), patience)
        channels: Any = await _ask(client.http.get_all_guild_channels(guild_id), patience)
    except discord.HTTPException as error:
        return [fail(name, f"Discord would not show this server to Hearth ({error.status})")]
    texts = sorted(
        (c for c in channels if c.get("type") in TEXT_CHANNELS), key=lambda c: c["position"]
    )
    hidden: list[str] = []
    checks: list[Check] = []
    for channel in texts:
        allowed = channel_permissions(guild, member, channel)
        place = f"#{channel['name']}"
        if not allowed.view_channel:
            if str(channel["id"]) == str(guild.get("system_channel_id")):
                checks.append(
                    fail(
                        f"{name}, {place}",
                        "Hearth cannot see the server's system channel, where it announces;"
                        " allow View Channels for Hearth (or its role) in the channel's"
                        " settings → Permissions",
                    )
                )
            else:
                hidden.append(place)
            continue
        missing = [label for flag, label in NEEDED if not getattr(allowed, flag)]
        if missing:
            checks.append(
                fail(
                    f"{name}, {place}",
                    f"Hearth may not {_listed(missing)} there; allow"
                    f" {'it' if len(missing) == 1 else 'them'} for Hearth (or its role) in the"
                    " channel's settings → Permissions",
                )
            )
    seen = len(texts) - len(hidden)
    if seen == 0:
        checks.append(
            fail(
                name,
                "Hearth can see none of its text channels; allow View Channels for Hearth's role"
                " in the server's settings → Roles",
            )
        )
    elif hidden:
        checks.append(
            warn(
                name,
                f"Hearth cannot see {', '.join(hidden)}; that is fine if it should stay out,"
                " else allow View Channels for Hearth there",
            )
        )
    if not any(check.verdict is Verdict.FAIL for check in checks):
        checks.insert(
            0,
            ok(
                name,
                f"Hearth may see, write, write in threads and attach files in {_count(seen)}",
            ),
        )
    return checks


def _count(channels: int) -> str:
    return "its text channel" if channels == 1 else f"its {channels} text channels"


def _listed(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def channel_permissions(
    guild: dict[str, Any], member: dict[str, Any], channel: dict[str, Any]
) -> discord.Permissions:
    """What `member` may do in `channel`, from the REST payloads, as Discord computes it."""
    user_id = int(member["user"]["id"])
    if user_id == int(guild["owner_id"]):
        return discord.Permissions.all()
    everyone_id = int(guild["id"])
    roles = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
    own_roles = {int(role) for role in member.get("roles", [])}
    value = roles.get(everyone_id, 0)
    for role in own_roles:
        value |= roles.get(role, 0)
    allowed = discord.Permissions(value)
    if allowed.administrator:
        return discord.Permissions.all()
    overwrites = channel.get("permission_overwrites") or []
    for overwrite in overwrites:  # @everyone's first
        if int(overwrite["id"]) == everyone_id:
            allowed.handle_overwrite(allow=int(overwrite["allow"]), deny=int(overwrite["deny"]))
    allow = deny = 0
    for overwrite in overwrites:  # then every role of the member's, together
        if not _for_member(overwrite) and int(overwrite["id"]) in own_roles:
            allow |= int(overwrite["allow"])
            deny |= int(overwrite["deny"])
    allowed.handle_overwrite(allow=allow, deny=deny)
    for overwrite in overwrites:  # then the member's own
        if _for_member(overwrite) and int(overwrite["id"]) == user_id:
            allowed.handle_overwrite(allow=int(overwrite["allow"]), deny=int(overwrite["deny"]))
    if not allowed.view_channel:
        return discord.Permissions.none()
    if not allowed.send_messages:
        allowed.attach_files = allowed.embed_links = False
    return allowed


def _for_member(overwrite: dict[str, Any]) -> bool:
    """An overwrite for one member (type 1), not for a role (type 0)."""
    return str(overwrite.get("type")) in ("1", "member")

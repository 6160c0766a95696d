"""A fake Discord: REST API and gateway on 127.0.0.1, enough of both to run the real discord.py.

It keeps one server ("guild") with channels, roles and members, records every message, command
sync and interaction response it receives, enforces the intents a client identified with, and
refuses direct messages to members whose DMs are closed (error 50007) as Discord does. Tests
drive it like people would: use a slash command, press a button, submit a modal, join.

Messages with files come as Discord's multipart form (`payload_json` and `files[n]`, each file
named by an entry of the payload's `attachments`) on every route Hearth sends on: channels,
DMs, interaction responses and follow-ups; each kept in `Sent.attachments` with its name, bytes
and description, and shown in the answered message's `attachments`.

Shards are honoured as Discord does: a connection that identified as shard [id, count] gets the
server (READY, GUILD_CREATE) and its events only when the server is on that shard
(`(guild_id >> 22) % count`), and direct messages only on shard 0. The server can be placed on
a chosen shard (`guild_shard`); `GET /gateway/bot` recommends `recommended_shards`.

What `hearth doctor` reads is there too: the servers the bot is in (`GET /users/@me/guilds`), the
application's flags (the members intent switch shows as GATEWAY_GUILD_MEMBERS_LIMITED, as for a
bot in fewer than 100 servers), a role of the bot's own with the permissions it was invited with
(`bot_role`), and channel permission overwrites (`overwrite`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

API = "/api/v10"
TOKEN = "fake-token-for-tests"

# Gateway intents (bits), as Discord defines them.
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

# Application flags: the Server Members intent switch (the LIMITED one under 100 servers).
GATEWAY_GUILD_MEMBERS = 1 << 14
GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15

# Permissions (bits).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
ATTACH_FILES = 1 << 15
SEND_MESSAGES_IN_THREADS = 1 << 38
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | (1 << 16) | (1 << 31)  # + history, slash

EPHEMERAL = 1 << 6
PATIENCE = 10.0  # seconds before a wait is declared a failure (never reached when things work)
OPTION_TYPES = {3: "string", 4: "integer", 6: "user", 7: "channel"}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def json_response(data: Any, status: int = 200) -> web.Response:
    """Exactly `application/json`: discord.py treats `; charset=utf-8` as text."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


@dataclass(frozen=True)
class SentFile:
    """A file attached to a message: its name, bytes and description (alt text)."""

    id: int
    filename: str
    data: bytes
    description: str | None
    content_type: str


class FormError(Exception):
    """A multipart body Discord would refuse (50035 Invalid Form Body)."""


@dataclass
class Sent:
    """One message Hearth sent, however it went out."""

    id: int
    via: str  # "channel", "dm", "response" or "followup"
    channel_id: int | None
    content: str
    components: list[dict[str, Any]]
    allowed_mentions: dict[str, Any] | None
    flags: int
    recipient: int | None = None  # the user of a DM or the user who used an interaction
    interaction_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    attachments: list[SentFile] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def custom_ids(self) -> list[str]:
        found: list[str] = []
        stack = list(self.components)
        while stack:
            component = stack.pop(0)
            if "custom_id" in component:
                found.append(component["custom_id"])
            stack.extend(component.get("components", []))
        return found

    def labels(self) -> list[str]:
        found: list[str] = []
        stack = list(self.components)
        while stack:
            component = stack.pop(0)
            if component.get("type") == 2:
                found.append(component.get("label", ""))
            for option in component.get("options", []):
                found.append(option["label"])
            stack.extend(component.get("components", []))
        return found


@dataclass
class InteractionRecord:
    id: int
    token: str
    user_id: int
    kind: int
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # what Hearth answered
    shards: list[int] = field(default_factory=list)  # the shards whose connection got it
    deleted_original: bool = False

    @property
    def first_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None


@dataclass
class Session:
    ws: web.WebSocketResponse
    intents: int = 0
    shard: tuple[int, int] = (0, 1)  # [id, count] as identified; (0, 1) when unsharded
    seq: int = 0
    ready: bool = False
    beats: asyncio.Queue[None] = field(default_factory=asyncio.Queue)


def shard_of(guild_id: int, count: int) -> int:
    """Discord's formula: which shard a server's events go to."""
    return (guild_id >> 22) % count


def _guild_of(event: str, data: dict[str, Any]) -> int | None:
    """The server an event belongs to; None for a direct message."""
    ref = data.get("id") if event in ("GUILD_CREATE", "GUILD_DELETE") else data.get("guild_id")
    return int(ref) if ref is not None else None


class FakeDiscord:
    def __init__(
        self, *, guild_shard: tuple[int, int] = (0, 1), recommended_shards: int = 1
    ) -> None:
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self.app_id = self.new_id()
        self.bot = self._user(self.app_id, "Hearth", bot=True)
        self.guild_id = self._id_on_shard(*guild_shard)
        self.recommended_shards = recommended_shards
        self.bot_removed = False  # the server removed Hearth (remove_bot)
        self.general = self.new_id()
        self.ideas = self.new_id()
        self.manager_role = self.new_id()
        self.users: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[str, Any]] = {}
        self.owner_id = 0
        self.closed_dms: set[int] = set()
        self.members_intent_enabled = True  # the switch in the developer portal
        self.bot_roles: list[dict[str, Any]] = []  # roles of the bot's own (bot_role)
        self.overwrites: dict[int, list[dict[str, Any]]] = {}  # channel id -> its overwrites
        self.sent: list[Sent] = []
        self.syncs: list[tuple[str, list[dict[str, Any]]]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.unhandled: list[str] = []
        self.lookups: list[str] = []  # servers Hearth asked about over REST
        self.dm_channels: dict[int, int] = {}  # DM channel id -> user id
        self._interaction_channels: dict[int, int | None] = {}
        self.sessions: list[Session] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._add_member(self.bot, roles=[])
        self.owner_id = int(self.add_member("Olga")["id"])

    # -- people and places ------------------------------------------------------------------

    def new_id(self) -> int:
        return next(self._ids)

    def _id_on_shard(self, shard: int, count: int) -> int:
        """A new server id whose events go to `shard` of `count`; ids go on after it."""
        base = self.new_id()
        found = ((base >> 22) - (base >> 22) % count + shard) << 22
        found = found if found >= base else found + (count << 22)
        self._ids = itertools.count(found + 1)
        return found

    def reaches(self, session: Session, guild_id: int | None) -> bool:
        """Whether that connection gets a server's events (direct messages: shard 0 only)."""
        shard, count = session.shard
        return shard == (0 if guild_id is None else shard_of(guild_id, count))

    @staticmethod
    def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name.lower(),
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }

    def _add_member(self, user: dict[str, Any], roles: list[int]) -> dict[str, Any]:
        member = {
            "user": user,
            "roles": [str(r) for r in roles],
            "joined_at": _now(),
            "nick": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "avatar": None,
        }
        self.users[int(user["id"])] = user
        self.members[int(user["id"])] = member
        return member

    def add_member(self, name: str, *, manager: bool = False) -> dict[str, Any]:
        """Someone already in the server when Hearth connects; returns their user object."""
        user = self._user(self.new_id(), name)
        self._add_member(user, [self.manager_role] if manager else [])
        return user

    def bot_role(self, permissions: int, name: str = "Hearth") -> int:
        """The role Discord makes for a bot invited with these permissions; returns its id."""
        role_id = self.new_id()
        self.bot_roles.append(
            {"id": role_id, "name": name, "permissions": permissions, "managed": True}
        )
        self.members[self.app_id]["roles"].append(str(role_id))
        return role_id

    def overwrite(
        self, channel_id: int, target: int, *, allow: int = 0, deny: int = 0, member: bool = False
    ) -> None:
        """A channel permission overwrite for a role (or @everyone: the server's id) or a
        member."""
        self.overwrites.setdefault(channel_id, []).append(
            {"id": str(target), "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}
        )

    def application_flags(self) -> int:
        return GATEWAY_GUILD_MEMBERS_LIMITED if self.members_intent_enabled else 0

    def permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return EVERYONE_PERMISSIONS | ADMINISTRATOR | MANAGE_GUILD
        member = self.members.get(user_id)
        perms = EVERYONE_PERMISSIONS
        if member and str(self.manager_role) in member["roles"]:
            perms |= MANAGE_GUILD
        return perms

    def _channel(self, channel_id: int) -> dict[str, Any]:
        name = "general" if channel_id == self.general else "ideas"
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": 0 if channel_id == self.general else 1,
            "permission_overwrites": list(self.overwrites.get(channel_id, [])),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def _roles(self) -> list[dict[str, Any]]:
        def role(
            role_id: int, name: str, perms: int, position: int, managed: bool = False
        ) -> dict[str, Any]:
            return {
                "id": str(role_id),
                "name": name,
                "permissions": str(perms),
                "position": position,
                "color": 0,
                "hoist": False,
                "managed": managed,
                "mentionable": False,
                "flags": 0,
                "icon": None,
                "unicode_emoji": None,
            }

        return [
            role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            role(self.manager_role, "Managers", EVERYONE_PERMISSIONS | MANAGE_GUILD, 1),
            *(
                role(r["id"], r["name"], r["permissions"], 2 + n, managed=True)
                for n, r in enumerate(self.bot_roles)
            ),
        ]

    def guild_payload(self) -> dict[str, Any]:
        members = list(self.members.values())
        return {
            "id": str(self.guild_id),
            "name": "Hearth Test",
            "owner_id": str(self.owner_id),
            "member_count": len(members),
            "members": members,
            "channels": [self._channel(self.general), self._channel(self.ideas)],
            "roles": self._roles(),
            "emojis": [],
            "stickers": [],
            "features": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "system_channel_id": str(self.general),
            "system_channel_flags": 0,
            "afk_timeout": 300,
            "afk_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "application_id": None,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "premium_progress_bar_enabled": False,
        }

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _note_change(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, what: Callable[[], Any]) -> Any:
        """Wait until `what()` is truthy (the fake notifies on every request it receives)."""

        async def until() -> Any:
            async with self._changed:
                while not (found := what()):
                    await self._changed.wait()
                return found

        try:
            return await asyncio.wait_for(until(), PATIENCE)
        except TimeoutError:
            raise AssertionError(
                f"the fake never saw it; sent={[(s.via, s.content[:60]) for s in self.sent]}"
                f" unhandled={self.unhandled}"
            ) from None

    # -- the gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = Session(ws)
        self.sessions.append(session)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 3_600_000}}))
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    break
                await self._gateway_op(session, json.loads(message.data))
        finally:
            self.sessions.remove(session)
            await self._note_change()
        return ws

    async def _gateway_op(self, session: Session, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:  # heartbeat
            await session.ws.send_str(json.dumps({"op": 11}))
            if session.ready:
                session.beats.put_nowait(None)
        elif op == 2:  # identify
            if data["token"] != TOKEN:
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            session.intents = int(data.get("intents", 0))
            shard, count = data.get("shard") or (0, 1)
            session.shard = (int(shard), int(count))
            if session.intents & GUILD_MEMBERS and not self.members_intent_enabled:
                await session.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            here = self.reaches(session, self.guild_id)
            await self._send(
                session,
                "READY",
                {
                    "v": 10,
                    "user": self.bot,
                    "guilds": [{"id": str(self.guild_id), "unavailable": True}] if here else [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(self.app_id), "flags": 0},
                    "shard": list(session.shard),
                },
            )
            if here and session.intents & GUILDS:
                guild = self.guild_payload()
                if not session.intents & GUILD_MEMBERS:  # only the bot itself without the intent
                    guild["members"] = [self.members[self.app_id]]
                await self._send(session, "GUILD_CREATE", guild)
            session.ready = True
            await self._note_change()
        elif op == 8:  # request guild members
            if not session.intents & GUILD_MEMBERS:
                await session.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            await self._send(
                session,
                "GUILD_MEMBERS_CHUNK",
                {
                    "guild_id": str(self.guild_id),
                    "members": list(self.members.values()),
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "nonce": data.get("nonce"),
                },
            )

    async def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        await session.ws.send_str(json.dumps(frame))

    async def dispatch(self, event: str, data: dict[str, Any], needs: int = 0) -> int:
        """Send an event to every connected client whose intents allow it, on its server's
        shard (a direct message's on shard 0); how many got it."""
        count = 0
        guild_id = _guild_of(event, data)
        for session in self.sessions:
            if (
                session.ready
                and (session.intents & needs) == needs
                and self.reaches(session, guild_id)
            ):
                await self._send(session, event, data)
                count += 1
                if event == "INTERACTION_CREATE":
                    self.interactions[int(data["id"])].shards.append(session.shard[0])
        return count

    async def roundtrip(self) -> None:
        """Ask each client for a heartbeat and wait for it: every frame sent before has been
        read and its handlers scheduled."""
        for session in self.sessions:
            if session.ready:
                await session.ws.send_str(json.dumps({"op": 1, "d": session.seq}))
                await asyncio.wait_for(session.beats.get(), PATIENCE)

    # -- what people do -------------------------------------------------------------------------

    async def join(self, name: str, *, dms_open: bool = True) -> dict[str, Any]:
        user = self._user(self.new_id(), name)
        if not dms_open:
            self.closed_dms.add(int(user["id"]))
        member = self._add_member(user, [])
        await self.dispatch(
            "GUILD_MEMBER_ADD", {**member, "guild_id": str(self.guild_id)}, GUILD_MEMBERS
        )
        return user

    async def rejoin_event(self, user: dict[str, Any]) -> None:
        """The same join delivered again (Discord may re-deliver after a resume)."""
        member = self.members[int(user["id"])]
        await self.dispatch(
            "GUILD_MEMBER_ADD", {**member, "guild_id": str(self.guild_id)}, GUILD_MEMBERS
        )

    async def leave(self, user: dict[str, Any]) -> None:
        self.members.pop(int(user["id"]), None)
        await self.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(self.guild_id), "user": user}, GUILD_MEMBERS
        )

    async def remove_bot(self) -> None:
        """The server removes Hearth: GUILD_DELETE without `unavailable`, and its channels
        refuse Hearth from now on."""
        self.bot_removed = True
        await self.dispatch("GUILD_DELETE", {"id": str(self.guild_id)}, GUILDS)

    async def add_bot(self) -> None:
        """Hearth is invited again: GUILD_CREATE for a server it was not in."""
        self.bot_removed = False
        joined = self.guild_payload()
        del joined["unavailable"]  # only a server coming back from an outage says it was
        await self.dispatch("GUILD_CREATE", joined, GUILDS)

    async def dm_from(self, user: dict[str, Any], content: str) -> None:
        channel_id = self._dm_channel_for(int(user["id"]))
        message = {
            **self._message_base(self.new_id(), channel_id, content, [], 0),
            "author": user,
        }
        await self.dispatch("MESSAGE_CREATE", message, DIRECT_MESSAGES)

    async def say(self, user: dict[str, Any], content: str, channel_id: int | None = None) -> int:
        """A message in a server channel; its text reaches only clients with the message-content
        intent, or ones it mentions. Returns how many clients got it."""
        channel = channel_id or self.general
        mentioned = f"<@{self.app_id}>" in content
        message = {
            **self._message_base(self.new_id(), channel, content, [], 0),
            "author": user,
            "member": {k: v for k, v in self.members[int(user["id"])].items() if k != "user"},
            "mentions": [self.bot] if mentioned else [],
        }
        got = 0
        for session in self.sessions:
            if not session.ready or not session.intents & GUILD_MESSAGES:
                continue
            if not self.reaches(session, self.guild_id):
                continue
            readable = mentioned or session.intents & MESSAGE_CONTENT
            await self._send(
                session, "MESSAGE_CREATE", message if readable else {**message, "content": ""}
            )
            got += 1
        return got

    def _interaction_base(
        self, kind: int, user: dict[str, Any], channel_id: int | None
    ) -> tuple[InteractionRecord, dict[str, Any]]:
        record = InteractionRecord(self.new_id(), f"tok-{self.new_id()}", int(user["id"]), kind)
        self.interactions[record.id] = record
        self._interaction_channels[record.id] = channel_id
        data: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(self.app_id),
            "type": kind,
            "token": record.token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(EVERYONE_PERMISSIONS),
        }
        if channel_id is None or channel_id in self.dm_channels:
            dm = channel_id or self._dm_channel_for(int(user["id"]))
            self._interaction_channels[record.id] = dm
            data |= {
                "user": user,
                "channel_id": str(dm),
                "channel": {"id": str(dm), "type": 1, "recipients": [user]},
                "context": 1,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            }
        else:
            member = dict(self.members[int(user["id"])])
            member["permissions"] = str(self.permissions(int(user["id"])))
            data |= {
                "guild_id": str(self.guild_id),
                "guild_locale": "en-US",
                "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                "channel_id": str(channel_id),
                "channel": self._channel(channel_id),
                "member": member,
                "context": 0,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            }
        return record, data

    def command(self, name: str) -> dict[str, Any]:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was never synced")

    def _options(
        self, name: str, given: dict[str, Any], focused: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        declared = {o["name"]: o for o in self.command(name).get("options", [])}
        options: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for option_name, value in given.items():
            option = declared.get(option_name)
            if option is None:
                raise AssertionError(f"/{name} has no option {option_name}")
            kind = option["type"]
            if option.get("choices") and value not in [c["value"] for c in option["choices"]]:
                raise AssertionError(f"{value!r} is not a choice of {option_name}")
            entry: dict[str, Any] = {"name": option_name, "type": kind}
            if kind == 6:  # a user, given as the user object
                user_id = int(value["id"])
                entry["value"] = str(user_id)
                resolved.setdefault("users", {})[str(user_id)] = value
                if user_id in self.members:
                    member = {k: v for k, v in self.members[user_id].items() if k != "user"}
                    member["permissions"] = str(self.permissions(user_id))
                    resolved.setdefault("members", {})[str(user_id)] = member
            elif kind == 7:  # a channel, given as its id
                entry["value"] = str(value)
                channel = self._channel(int(value))
                channel["permissions"] = str(EVERYONE_PERMISSIONS)
                resolved.setdefault("channels", {})[str(value)] = channel
            else:
                entry["value"] = value
            if option_name == focused:
                entry["focused"] = True
            options.append(entry)
        for option in declared.values():  # while typing (autocomplete) any may be missing
            if option.get("required") and option["name"] not in given and focused is None:
                raise AssertionError(f"/{name} needs {option['name']}")
        return options, resolved

    async def slash(
        self,
        user: dict[str, Any],
        name: str,
        channel_id: int | None = None,
        **given: Any,
    ) -> InteractionRecord:
        """Use a slash command exactly as synced (options checked against the synced schema)."""
        options, resolved = self._options(name, given)
        command = self.command(name)
        record, data = self._interaction_base(2, user, channel_id or self.general)
        data["data"] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": options,
            "resolved": resolved,
        }
        if "guild_id" in command:
            data["data"]["guild_id"] = command["guild_id"]
        await self.dispatch("INTERACTION_CREATE", data)
        return record

    async def autocomplete(
        self, user: dict[str, Any], name: str, focused: str, **given: Any
    ) -> InteractionRecord:
        options, _ = self._options(name, given, focused)
        command = self.command(name)
        record, data = self._interaction_base(4, user, self.general)
        data["data"] = {"id": command["id"], "name": name, "type": 1, "options": options}
        await self.dispatch("INTERACTION_CREATE", data)
        return record

    async def press(
        self,
        user: dict[str, Any],
        message: Sent,
        custom_id: str,
        values: list[str] | None = None,
    ) -> InteractionRecord:
        """Use a button (or pick in a select menu) of a message Hearth sent."""
        if custom_id not in message.custom_ids():
            raise AssertionError(f"{custom_id!r} is not on that message: {message.custom_ids()}")
        record, data = self._interaction_base(3, user, message.channel_id)
        kind = 3 if values is not None else 2
        data["data"] = {"custom_id": custom_id, "component_type": kind}
        if values is not None:
            data["data"]["values"] = values
        data["message"] = self._message_object(message)
        await self.dispatch("INTERACTION_CREATE", data)
        return record

    async def submit(
        self, user: dict[str, Any], opened: InteractionRecord, text: str
    ) -> InteractionRecord:
        """Fill in and submit the modal that Hearth opened in answer to `opened`."""
        modal = next(c["data"] for c in opened.callbacks if c["type"] == 9)
        channel_id = self._interaction_channels.get(opened.id)  # where the modal was opened
        record, data = self._interaction_base(5, user, channel_id)
        rows = []
        for row in modal["components"]:
            inner = [
                {"type": c["type"], "custom_id": c["custom_id"], "value": text}
                for c in row.get("components", [])
            ]
            rows.append({"type": 1, "components": inner})
        data["data"] = {"custom_id": modal["custom_id"], "components": rows}
        await self.dispatch("INTERACTION_CREATE", data)
        return record

    # -- what Hearth did ------------------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[Sent]:
        """Public messages in a channel (interaction answers included unless ephemeral)."""
        return [
            s for s in self.sent if s.channel_id == channel_id and s.via != "dm" and not s.ephemeral
        ]

    def dms(self, user: dict[str, Any]) -> list[Sent]:
        return [s for s in self.sent if s.via == "dm" and s.recipient == int(user["id"])]

    def answers(self, record: InteractionRecord) -> list[Sent]:
        return [s for s in self.sent if s.interaction_id == record.id]

    def only_for(self, user: dict[str, Any]) -> list[Sent]:
        return [s for s in self.sent if s.ephemeral and s.recipient == int(user["id"])]

    def everything(self) -> Iterable[Sent]:
        return list(self.sent)

    # -- REST -----------------------------------------------------------------------------------

    def _dm_channel_for(self, user_id: int) -> int:
        for channel_id, recipient in self.dm_channels.items():
            if recipient == user_id:
                return channel_id
        channel_id = self.new_id()
        self.dm_channels[channel_id] = user_id
        return channel_id

    def _message_base(
        self,
        message_id: int,
        channel_id: int | None,
        content: str,
        components: list[dict[str, Any]],
        flags: int,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": self.bot,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": flags,
            "components": components,
        }
        if channel_id is not None and channel_id not in self.dm_channels:
            message["guild_id"] = str(self.guild_id)
        return message

    def _message_object(self, sent: Sent) -> dict[str, Any]:
        message = self._message_base(
            sent.id, sent.channel_id, sent.content, sent.components, sent.flags
        )
        message["attachments"] = [
            {
                "id": str(file.id),
                "filename": file.filename,
                "size": len(file.data),
                "url": f"{self.api_base}/attachments/{file.id}/{file.filename}",
                "proxy_url": f"{self.api_base}/attachments/{file.id}/{file.filename}",
                "content_type": file.content_type,
                **({"description": file.description} if file.description else {}),
            }
            for file in sent.attachments
        ]
        return message

    def _record(
        self,
        via: str,
        channel_id: int | None,
        body: dict[str, Any],
        *,
        recipient: int | None = None,
        interaction_id: int | None = None,
        flags: int | None = None,
        uploads: dict[int, tuple[str, bytes, str]] | None = None,
    ) -> Sent:
        attachments = self._attached(body, uploads or {})
        sent = Sent(
            id=self.new_id(),
            via=via,
            channel_id=channel_id,
            content=body.get("content") or "",
            components=list(body.get("components") or []),
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0) if flags is None else flags,
            recipient=recipient,
            interaction_id=interaction_id,
            payload=body,
            attachments=attachments,
        )
        self.sent.append(sent)
        return sent

    def _attached(
        self, body: dict[str, Any], uploads: dict[int, tuple[str, bytes, str]]
    ) -> list[SentFile]:
        """The payload's `attachments`, each with the `files[n]` part its id names; every
        uploaded part must be named by one, as Discord requires."""
        files: list[SentFile] = []
        named = body.get("attachments") or []
        for entry in named:
            index = int(entry["id"])
            if index not in uploads:
                raise FormError(f"attachments.{index}: no files[{index}] in the request")
            filename, data, content_type = uploads[index]
            if entry.get("filename", filename) != filename:
                raise FormError(f"attachments.{index}.filename differs from the upload")
            description = entry.get("description")
            if description is not None and len(description) > 1024:
                raise FormError(f"attachments.{index}.description is too long")
            files.append(SentFile(self.new_id(), filename, data, description, content_type))
        if len(files) != len(uploads):
            raise FormError("a file was uploaded without an attachments entry")
        if len(files) > 10:
            raise FormError("at most 10 files per message")
        return files

    async def _rest(self, request: web.Request) -> web.Response:
        try:
            return await self._route(request)
        except FormError as problem:
            return json_response(
                {"message": "Invalid Form Body", "code": 50035, "errors": str(problem)}, 400
            )
        finally:
            await self._note_change()

    @staticmethod
    async def _body(request: web.Request) -> tuple[Any, dict[int, tuple[str, bytes, str]]]:
        """JSON, or Discord's multipart form: `payload_json` plus the files `files[n]`."""
        if not request.can_read_body:
            return None, {}
        if request.content_type != "multipart/form-data":
            return await request.json(), {}
        form = await request.post()
        payload = form.get("payload_json")
        if not isinstance(payload, str):
            raise FormError("a multipart body needs payload_json")
        uploads: dict[int, tuple[str, bytes, str]] = {}
        for name, value in form.items():
            if name == "payload_json":
                continue
            if not isinstance(value, web.FileField) or not name.startswith("files["):
                raise FormError(f"unexpected form field {name}")
            index = int(name.removeprefix("files[").removesuffix("]"))
            uploads[index] = (value.filename, value.file.read(), value.content_type)
        return json.loads(payload), uploads

    async def _route(self, request: web.Request) -> web.Response:
        path = request.path.removeprefix(API)
        parts = [p for p in path.split("/") if p]
        method = request.method
        body, uploads = await self._body(request)

        token_free = parts[:1] in (["interactions"], ["webhooks"])  # the token is in the path
        if not token_free and request.headers.get("Authorization") != f"Bot {TOKEN}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)

        match (method, parts):
            case ("GET", ["users", "@me"]):
                return json_response(self.bot)
            case ("GET", ["gateway", "bot"]):
                return json_response(
                    {
                        "url": self.gateway_url,
                        "shards": self.recommended_shards,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 1000,
                            "reset_after": 0,
                            "max_concurrency": 1,
                        },
                    }
                )
            case ("GET", ["users", "@me", "guilds"]):
                if self.bot_removed:
                    return json_response([])
                return json_response(
                    [
                        {
                            "id": str(self.guild_id),
                            "name": "Hearth Test",
                            "icon": None,
                            "owner": False,
                            "permissions": str(self.bot_permissions()),
                            "features": [],
                        }
                    ]
                )
            case ("GET", ["applications", "@me"]):
                return json_response(self._application())
            case ("GET", ["guilds", guild]) if int(guild) == self.guild_id:
                self.lookups.append(f"GET guild {guild}")
                return json_response(self.guild_payload())
            case ("GET", ["guilds", guild, "members", user]) if int(guild) == self.guild_id:
                self.lookups.append(f"GET member {user}")
                if int(user) not in self.members:
                    return json_response({"message": "Unknown Member", "code": 10007}, 404)
                return json_response(self.members[int(user)])
            case ("GET", ["guilds", guild, "channels"]) if int(guild) == self.guild_id:
                self.lookups.append(f"GET channels {guild}")
                return json_response([self._channel(self.general), self._channel(self.ideas)])
            case ("GET", ["oauth2", "applications", "@me"]):
                return json_response(self._application())
            case ("PUT", ["applications", _, "commands"]):
                return json_response(self._synced("global", body, None))
            case ("PUT", ["applications", _, "guilds", guild, "commands"]):
                return json_response(self._synced(f"guild:{guild}", body, guild))
            case ("GET", ["applications", _, "commands"]):
                return json_response(self.commands.get("global", []))
            case ("POST", ["users", "@me", "channels"]):
                user_id = int(body["recipient_id"])
                channel_id = self._dm_channel_for(user_id)
                return json_response(
                    {"id": str(channel_id), "type": 1, "recipients": [self.users[user_id]]}
                )
            case ("POST", ["channels", channel, "messages"]):
                return self._channel_message(int(channel), body, uploads)
            case ("POST", ["interactions", interaction, _, "callback"]):
                return self._callback(int(interaction), body, uploads)
            case ("POST", ["webhooks", _, token]):
                return self._followup(token, body, uploads)
            case ("DELETE", ["webhooks", _, token, "messages", "@original"]):
                record = self._by_token(token)
                record.deleted_original = True
                return web.Response(status=204)
        self.unhandled.append(f"{method} {path}")
        return json_response({"message": "404: Not Found (fake)", "code": 0}, 404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.app_id),
            "name": "Hearth",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.users[self.owner_id],
            "verify_key": "0" * 64,
            "flags": self.application_flags(),
            "team": None,
        }

    def bot_permissions(self) -> int:
        """The bot's server-wide permissions: @everyone's and its own roles'."""
        found = EVERYONE_PERMISSIONS
        for role in self.bot_roles:
            found |= role["permissions"]
        return found

    def _synced(
        self, scope: str, payload: list[dict[str, Any]], guild: str | None
    ) -> list[dict[str, Any]]:
        self.syncs.append((scope, payload))
        stored = []
        for command in payload:
            entry = {
                **command,
                "id": str(self.new_id()),
                "application_id": str(self.app_id),
                "version": str(self.new_id()),
            }
            if guild is not None:
                entry["guild_id"] = guild
            stored.append(entry)
        self.commands[scope] = stored
        return stored

    def _channel_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        uploads: dict[int, tuple[str, bytes, str]] | None = None,
    ) -> web.Response:
        if channel_id in self.dm_channels:
            user_id = self.dm_channels[channel_id]
            if user_id in self.closed_dms:
                return json_response(
                    {"message": "Cannot send messages to this user", "code": 50007}, 403
                )
            sent = self._record("dm", channel_id, body, recipient=user_id, uploads=uploads)
        elif channel_id in (self.general, self.ideas):
            if self.bot_removed:
                return json_response({"message": "Missing Access", "code": 50001}, 403)
            sent = self._record("channel", channel_id, body, uploads=uploads)
        else:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        return json_response(self._message_object(sent))

    def _by_token(self, token: str) -> InteractionRecord:
        for record in self.interactions.values():
            if record.token == token:
                return record
        raise AssertionError("unknown interaction token")

    def _callback(
        self,
        interaction_id: int,
        body: dict[str, Any],
        uploads: dict[int, tuple[str, bytes, str]] | None = None,
    ) -> web.Response:
        record = self.interactions.get(interaction_id)
        if record is None:
            return json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if record.callbacks:
            return json_response(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        record.callbacks.append(body)
        kind = body["type"]
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": record.kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 5):
            channel_id = self._interaction_channel(record)
            sent = self._record(
                "response",
                channel_id,
                data if kind == 4 else {"content": "", "flags": data.get("flags", 0)},
                recipient=record.user_id,
                interaction_id=interaction_id,
                uploads=uploads if kind == 4 else None,
            )
            if kind == 5:
                sent.via = "thinking"
            answer["interaction"]["response_message_id"] = str(sent.id)
            answer["resource"] = {"type": kind, "message": self._message_object(sent)}
        else:
            answer["resource"] = {"type": kind}
        return json_response(answer)

    def _interaction_channel(self, record: InteractionRecord) -> int | None:
        return self._interaction_channels.get(record.id)

    def _followup(
        self,
        token: str,
        body: dict[str, Any],
        uploads: dict[int, tuple[str, bytes, str]] | None = None,
    ) -> web.Response:
        record = self._by_token(token)
        if not record.callbacks:
            return json_response({"message": "Unknown Webhook", "code": 10015}, 404)
        flags = int(body.get("flags") or 0)
        thinking = [s for s in self.sent if s.interaction_id == record.id and s.via == "thinking"]
        if thinking and not [s for s in self.answers(record) if s.via == "followup"]:
            flags |= thinking[0].flags  # the first follow-up replaces the "thinking" message
        sent = self._record(
            "followup",
            self._interaction_channel(record),
            body,
            recipient=record.user_id,
            interaction_id=record.id,
            flags=flags,
            uploads=uploads,
        )
        return json_response(self._message_object(sent))

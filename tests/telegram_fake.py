"""A strict fake of the Telegram Bot API on 127.0.0.1, for running the real PTB against it.

It speaks the same wire format (form-encoded requests whose non-string values are JSON,
`{"ok": ..., "result": ...}` answers) and enforces what Hearth must get right:

- a wrong token answers 401 and an unknown method 404;
- a private message to someone who never started the bot answers 403 "Forbidden: bot can't
  initiate conversation with a user";
- HTML is parsed like Telegram does: only known tags, properly nested, and every `<`, `>` and
  `&` that is not markup must be escaped; at most 4096 characters after parsing;
- `chat_member` updates are delivered only when `allowed_updates` asked for them, and only
  from groups where the bot is an administrator;
- `getUpdates` is a real long poll, released at once when an update arrives or on close; like
  Telegram, it returns at most `limit` (100) updates, an `offset` N confirms every update
  below N, and an update not confirmed is returned again by the next call;
- `conflict()` makes getUpdates answer 409, as when another poller uses the same token;
- a callback query is answered at most once; `flood()` makes the next calls answer 429;
- `limit()` makes it count the bot's messages like Telegram: past `per_second` sends in any
  second, or `group_per_minute` in one group in any minute, a send answers 429 (counted in
  `too_many`);
- a second getUpdates while one is waiting ends the first with 409, as Telegram does when two
  pollers use one token (counted in `overlapping_polls`);
- `deleteMessage` in a group removes someone else's message only when the bot is an
  administrator with the "Delete messages" right (`Chat.withheld` takes rights away);
- a group upgraded to a supergroup (`upgrade()`) answers a send to its old id with 400 and
  `parameters.migrate_to_chat_id`; its two service messages come from `migration_notices()`;
- a group that removed the bot (`bot_membership()`, which also sends `my_chat_member`)
  answers a send with 403;
- `setWebhook` turns on delivery by POST: each update goes as JSON, with the secret token in
  its header, to the webhook URL (or to `webhook_targets`, spread round-robin over several
  workers), up to `max_connections` at once; one not answered 200 is sent again after
  `retry_delay`, to the next target, at most `max_attempts` times in all. While a webhook is
  set getUpdates answers 409; `deleteWebhook` turns polling back on. Like a local Bot API
  server, it accepts an http:// webhook on this machine; elsewhere only https://;
- `sendDocument` and `sendPhoto` take the file as a multipart upload (kept with its name, bytes
  and media type in `Sent.file`) and a caption of at most 1024 characters; a photo must be an
  image Telegram can read (PNG, JPEG, GIF or WebP), else 400 IMAGE_PROCESS_FAILED; the answer
  is a Message with a `document`, or a `photo` in its sizes;
- `getChatMember` answers about the bot itself too: its status and, as an administrator, its
  rights (less those in `Chat.withheld`), as `hearth doctor` asks;
- `hold(method)` keeps the next call of a method waiting until released, to catch a worker in
  the middle of handling an update.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

TOKEN = "4242:TEST-token-for-the-fake"
BOT_ID = 4242
BOT_USERNAME = "hearth_test_bot"
DEFAULT_UPDATES = {"message", "edited_message", "callback_query", "my_chat_member"}
_JSON_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "scope",
    "reply_parameters",
    "link_preview_options",
    "entities",
    "show_alert",
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
}
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete"
    " the webhook first"
)
_INT_FIELDS = {
    "chat_id",
    "user_id",
    "message_thread_id",
    "offset",
    "limit",
    "timeout",
    "message_id",
    "cache_time",
    "max_connections",
}
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "code": "code",
    "u": "underline",
    "s": "strikethrough",
    "pre": "pre",
    "a": "text_link",
}
_HTML = re.compile(
    r"<(/?)([a-zA-Z-]+)((?:\s+[a-z_-]+(?:=\"[^\"]*\")?)*)\s*>"
    r"|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
    r"|([<>&])"
)
_ENTITY = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PACED = ("send", "copyMessage", "forwardMessage", "editMessage")
_FILE_FIELDS = {"document", "photo"}
CAPTION_LIMIT = 1024
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")


@dataclass
class _Poll:
    """A getUpdates call waiting; `ended` when a newer one took its place."""

    request: web.Request
    ended: bool = False


_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance"
    " is running"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the plain text and its entities, or a 400."""
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int]] = []
    position = 0
    length = 0

    def add(text: str) -> None:
        nonlocal length
        plain.append(text)
        length += utf16(text)

    for match in _HTML.finditer(source):
        add(source[position : match.start()])
        position = match.end()
        closing, tag, _attrs, entity, stray = match.groups()
        if stray is not None:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected {stray!r}")
        if entity is not None:
            if entity.startswith("#x"):
                add(chr(int(entity[2:], 16)))
            elif entity.startswith("#"):
                add(chr(int(entity[1:])))
            else:
                add(_ENTITY[entity])
            continue
        tag = tag.lower()
        if tag not in _TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag!r}")
        if not closing:
            stack.append((tag, length))
            continue
        if not stack or stack[-1][0] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched end tag {tag!r}")
        _, start = stack.pop()
        if length > start:
            entities.append({"type": _TAGS[tag], "offset": start, "length": length - start})
    add(source[position:])
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed tag {stack[-1][0]!r}")
    return "".join(plain), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _image_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height from its header; other images count as 1 × 1 here."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 1, 1


def entity_text(text: str, entity: dict[str, Any]) -> str:
    encoded = text.encode("utf-16-le")
    start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")


@dataclass(frozen=True)
class SentFile:
    """A file the bot uploaded: as a "document" or a "photo"."""

    kind: str
    name: str
    data: bytes
    media_type: str


@dataclass
class Sent:
    """A message the bot sent, as Telegram shows it (a file's caption is its text)."""

    message_id: int
    chat_id: int
    text: str
    html: str
    entities: list[dict[str, Any]]
    keyboard: list[list[dict[str, Any]]]
    thread_id: int | None
    reply_to: int | None
    raw: dict[str, Any]
    file: SentFile | None = None

    def styled(self, kind: str) -> list[str]:
        return [entity_text(self.text, e) for e in self.entities if e["type"] == kind]

    @property
    def labels(self) -> list[str]:
        return [button["text"] for row in self.keyboard for button in row]

    def button(self, label: str) -> dict[str, Any]:
        for row in self.keyboard:
            for button in row:
                if button["text"] == label:
                    return button
        raise AssertionError(f"no button {label!r} in {self.labels}")


@dataclass(frozen=True)
class Post:
    """One webhook delivery attempt: the update, where it went, and the HTTP status (None when
    no answer came: refused, cut off, timed out)."""

    update_id: int
    target: str
    status: int | None
    sent: int  # messages the bot had sent when the answer came


@dataclass
class Held:
    """A call kept waiting by `hold()`: `reached` once it arrives; `release` lets it go on."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Chat:
    id: int
    title: str
    forum: bool = False
    statuses: dict[int, str] = field(default_factory=dict)
    topics: set[int] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)  # administrator rights the bot lacks here
    kind: str = "supergroup"  # or "group", which Telegram may upgrade to a supergroup
    migrated_to: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.kind,
            "title": self.title,
            **({"is_forum": True} if self.forum else {}),
        }


def _menu_key(params: dict[str, Any]) -> str:
    """A menu is set per scope and language (`language_code`, or none)."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or None], sort_keys=True)


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Hearth",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, Chat] = {}
        self.started: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[Sent] = []
        self.answers: list[dict[str, Any]] = []
        self.deleted: list[tuple[int, int]] = []  # (chat id, message id) the bot deleted
        self._messages: dict[tuple[int, int], int | None] = {}  # (chat, message) -> sender
        self.menus: dict[str, list[dict[str, Any]]] = {}
        self.allowed: set[str] = set(DEFAULT_UPDATES)
        self.dropped: list[dict[str, Any]] = []
        self.confirmed = 0  # every update id below this was confirmed by an offset
        self.handed_out: Counter[int] = Counter()  # how often getUpdates returned each update
        self._queue: list[dict[str, Any]] = []
        self._replayed: set[int] = set()
        self._ids = itertools.count(1001)
        self._message_ids = itertools.count(1)
        self._callbacks: dict[str, bool] = {}  # query id -> answered
        self._floods: dict[str, list[int]] = {}
        self.conflicting = False  # another poller holds this token: getUpdates answers 409
        self.limits: tuple[int, int] | None = None  # sends per second, per group and minute
        self.too_many = 0  # sends answered 429 for going over the limits
        self._arrivals: deque[float] = deque()  # when each accepted message send arrived
        self._group_arrivals: dict[int, deque[float]] = {}
        self.overlapping_polls = 0  # getUpdates calls made while another was waiting
        self._polls: list[_Poll] = []  # long polls waiting
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._holds: dict[str, Held] = {}
        self._held: list[Held] = []
        # Webhook delivery (setWebhook); see the module's docstring.
        self.webhook: dict[str, Any] | None = None
        self._targets: list[str] = []
        self.retry_delay = 0.05  # seconds before an update not answered 200 is sent again
        self.max_attempts = 5
        self.post_timeout = 30.0
        self.posts: list[Post] = []
        self.delivered: Counter[int] = Counter()  # update id -> times answered 200
        self.given_up: list[dict[str, Any]] = []  # updates never answered 200
        self._connections = asyncio.Semaphore(40)
        self._rounds = itertools.count()
        self._deliverer: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._client: aiohttp.ClientSession | None = None

    # -- the server -----------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._handle)
        app.router.add_route("GET", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def close(self) -> None:
        self._closing = True
        for held in self._held:
            held.release.set()
        await self._notify()  # release every pending long poll
        for task in (self._deliverer, *self._deliveries):
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *(t for t in (self._deliverer, *self._deliveries) if t), return_exceptions=True
        )
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def webhook_targets(self) -> list[str]:
        """Where posts go instead of the webhook's URL (the workers behind a proxy); a new list
        starts with its first target. Only this machine is ever posted to."""
        return self._targets

    @webhook_targets.setter
    def webhook_targets(self, targets: list[str]) -> None:
        self._targets = list(targets)
        self._rounds = itertools.count()

    def hold(self, method: str) -> Held:
        """Keep the next call of `method` waiting until `release` is set (or the fake closes)."""
        held = self._holds[method.lower()] = Held()
        self._held.append(held)
        return held

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, check: Callable[[], bool], bound: float = 10.0) -> None:
        """Wait until `check()` holds after some request; a safety bound, not a timing test."""

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(check)

        await asyncio.wait_for(until(), bound)

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        token, _, method = path.removeprefix("bot").partition("/")
        try:
            if not path.startswith("bot") or token != self.token:
                raise ApiError(401, "Unauthorized")
            params = await self._params(request)
            self.calls.append((method, params))
            await self._notify()  # a long poll may wait a while: its call counts from now
            held = self._holds.pop(method.lower(), None)
            if held is not None:
                held.reached.set()
                await held.release.wait()
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            flood = self._floods.get(method.lower())
            if flood:
                seconds = flood.pop(0)
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {seconds}",
                    {"retry_after": seconds},
                )
            self._count_send(method, params)
            result = await (
                self._get_updates(params, request)
                if method.lower() == "getupdates"
                else handler(params)
            )
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            status = error.code
            body = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
        finally:
            await self._notify()
        return web.json_response(body, status=status)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        # Telegram reads a JSON body's strings as it reads form fields (python-telegram-bot's
        # own JSON payload sends every value as a string): both are taken here alike.
        if request.content_type == "application/json":
            fields: Mapping[str, Any] = await request.json()
        else:
            fields = await request.post()
        params: dict[str, Any] = {}
        for key, value in fields.items():
            if isinstance(value, web.FileField):
                if key not in _FILE_FIELDS:
                    raise ApiError(400, f"Bad Request: unexpected file in {key}")
                params[key] = value
                continue
            if not isinstance(value, str):
                params[key] = value
            elif key in _JSON_FIELDS:
                params[key] = json.loads(value)
            elif key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
                params[key] = int(value)
            else:
                params[key] = value
        return params

    # -- building a world -----------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, language: str = "en") -> dict[str, Any]:
        found = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language,
        }
        self.users[user_id] = found
        return found

    def started_group(self, chat_id: int, count: int) -> list[dict[str, Any]]:
        """A group "Kitchen" of `count` members (ids from 100, Member0 its creator), each of whom
        has started the bot, so a private message reaches every one."""
        group = self.group(chat_id, "Kitchen")
        people = [self.user(100 + n, f"Member{n}") for n in range(count)]
        for person in people:
            self.set_status(group, person, "creator" if person is people[0] else "member")
            self.started.add(person["id"])
        return people

    def group(
        self, chat_id: int, title: str, *, forum: bool = False, kind: str = "supergroup"
    ) -> Chat:
        chat = Chat(chat_id, title, forum, kind=kind)
        chat.statuses[BOT_ID] = "administrator"
        self.chats[chat_id] = chat
        return chat

    def upgrade(self, chat: Chat, new_id: int) -> Chat:
        """Telegram upgrades a basic group to a supergroup with a new id; the old id is gone."""
        new = Chat(new_id, chat.title, statuses=dict(chat.statuses))
        self.chats[new_id] = new
        chat.migrated_to = new_id
        return new

    def migration_notices(
        self, old: Chat, new: Chat, by: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The two service messages of an upgrade: in the old chat, then in the new one."""
        return (
            self._message(old.as_dict(), by, migrate_to_chat_id=new.id),
            self._message(new.as_dict(), by, migrate_from_chat_id=old.id),
        )

    async def bot_membership(self, chat: Chat, status: str, by: dict[str, Any]) -> dict[str, Any]:
        """Someone removes the bot from a group (left, kicked) or adds it again."""
        old = self.chat_member(chat, BOT_ID)
        chat.statuses[BOT_ID] = status
        return await self.push(
            "my_chat_member",
            {
                "chat": chat.as_dict(),
                "from": by,
                "date": 1767225600,
                "old_chat_member": old,
                "new_chat_member": self.chat_member(chat, BOT_ID),
            },
        )

    def set_status(self, chat: Chat, user: dict[str, Any], status: str) -> None:
        chat.statuses[user["id"]] = status

    def chat_member(self, chat: Chat, user_id: int) -> dict[str, Any]:
        user = self.bot if user_id == BOT_ID else self.users[user_id]
        status = chat.statuses.get(user_id, "left")
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = [
                "can_be_edited",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            held = chat.withheld if user_id == BOT_ID else set()
            return {
                "status": "administrator",
                "user": user,
                "is_anonymous": False,
                **{right: right not in held for right in rights},
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    # -- updates --------------------------------------------------------------------------

    async def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._ids), kind: payload}
        self._queue.append(update)
        await self._notify()
        return update

    async def replay(self, update: dict[str, Any]) -> None:
        """Telegram sends an update again (its confirmation was lost in a crash)."""
        self._queue.append(update)
        self._replayed.add(update["update_id"])
        await self._notify()

    def limit(self, per_second: int = 30, group_per_minute: int = 20) -> None:
        """Count the bot's sends like Telegram and answer 429 past these limits."""
        self.limits = (per_second, group_per_minute)

    def _count_send(self, method: str, params: dict[str, Any]) -> None:
        if self.limits is None or not method.startswith(_PACED):
            return
        per_second, group_per_minute = self.limits
        now = time.monotonic()
        while self._arrivals and self._arrivals[0] <= now - 1.0:
            self._arrivals.popleft()
        chat = params.get("chat_id")
        group = (
            self._group_arrivals.setdefault(chat, deque())
            if isinstance(chat, int) and chat < 0
            else None
        )
        while group and group[0] <= now - 60.0:
            group.popleft()
        if len(self._arrivals) >= per_second or (
            group is not None and len(group) >= group_per_minute
        ):
            self.too_many += 1
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._arrivals.append(now)
        if group is not None:
            group.append(now)

    def flood(self, method: str, retry_after: int, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with this retry_after."""
        self._floods.setdefault(method.lower(), []).extend([retry_after] * times)

    async def conflict(self) -> None:
        """From now on another poller uses this token: every getUpdates answers 409, the one
        waiting now included (Telegram ends it for the newcomer)."""
        self.conflicting = True
        await self._notify()

    def _message(
        self, chat: dict[str, Any], sender: dict[str, Any] | None, **fields: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 1767225600,
            "chat": chat,
            **fields,
        }
        if sender is not None:
            message["from"] = sender
        self._messages[(chat["id"], message["message_id"])] = sender["id"] if sender else None
        return message

    def text_message(
        self,
        user: dict[str, Any],
        text: str,
        *,
        chat: Chat | None = None,
        thread: int | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        where = (
            chat.as_dict()
            if chat
            else {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        )
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16(command)}]
        if thread is not None:
            fields["message_thread_id"] = thread
            fields["is_topic_message"] = True
        if sender_chat is not None:
            fields["sender_chat"] = sender_chat
        if chat is None:
            self.started.add(user["id"])  # a person can only write after starting the bot
        return self._message(where, user, **fields)

    async def say(self, user: dict[str, Any], text: str, **where: Any) -> dict[str, Any]:
        return await self.push("message", self.text_message(user, text, **where))

    async def join(self, chat: Chat, user: dict[str, Any], *, via: str) -> dict[str, Any]:
        old = self.chat_member(chat, user["id"])
        chat.statuses[user["id"]] = "member"
        if via == "service":
            return await self.push(
                "message",
                self._message(chat.as_dict(), user, new_chat_members=[user]),
            )
        return await self.member_change(chat, user, old)

    async def leave(self, chat: Chat, user: dict[str, Any], *, via: str) -> dict[str, Any]:
        old = self.chat_member(chat, user["id"])
        chat.statuses[user["id"]] = "left"
        if via == "service":
            return await self.push(
                "message",
                self._message(chat.as_dict(), user, left_chat_member=user),
            )
        return await self.member_change(chat, user, old)

    async def member_change(
        self, chat: Chat, user: dict[str, Any], old: dict[str, Any]
    ) -> dict[str, Any]:
        return await self.push(
            "chat_member",
            {
                "chat": chat.as_dict(),
                "from": user,
                "date": 1767225600,
                "old_chat_member": old,
                "new_chat_member": self.chat_member(chat, user["id"]),
            },
        )

    async def press(self, user: dict[str, Any], sent: Sent, label: str) -> dict[str, Any]:
        button = sent.button(label)
        query_id = f"q{next(self._ids)}"
        self._callbacks[query_id] = False
        return await self.push(
            "callback_query",
            {
                "id": query_id,
                "from": user,
                "message": sent.raw,
                "chat_instance": f"ci{sent.chat_id}",
                "data": button["callback_data"],
            },
        )

    # -- the Bot API methods --------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return self.bot

    # -- webhook delivery -----------------------------------------------------------------

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url") or ""
        if not url:
            return await self._api_deletewebhook(params)  # an empty URL removes the webhook
        parts = urlsplit(url)
        local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
        if parts.scheme != "https" and not local:
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = params.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: invalid max_connections")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in params:
            self.allowed = set(params["allowed_updates"]) or set(DEFAULT_UPDATES)
        if self.webhook is None or self.webhook["max_connections"] != connections:
            self._connections = asyncio.Semaphore(connections)  # another worker's: unchanged
        self.webhook = {"url": url, "secret_token": secret, "max_connections": connections}
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.create_task(self._deliver_all())
        return True

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = None
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue) + len(self._deliveries),
        }
        if hook:
            info.update(
                max_connections=hook["max_connections"], allowed_updates=sorted(self.allowed)
            )
        return info

    async def _deliver_all(self) -> None:
        """While a webhook is set, post every queued update (in order, up to max_connections
        at once); each delivery sends its update again until it is answered 200."""
        while True:
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self._closing or self.webhook is None or bool(self._queue)
                )
            if self._closing or self.webhook is None:
                return
            queued, self._queue = self._queue, []
            for update in queued:
                self._replayed.discard(update["update_id"])
                kind = next(key for key in update if key != "update_id")
                if kind not in self.allowed or not self._may_see(kind, update[kind]):
                    self.dropped.append(update)
                    continue
                task = asyncio.create_task(self._deliver(update))
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        first = next(self._rounds)
        for attempt in range(self.max_attempts):
            if attempt:
                await asyncio.sleep(self.retry_delay)
            hook = self.webhook
            if hook is None:  # polling again: getUpdates hands it out
                self._queue.append(update)
                await self._notify()
                return
            targets = self.webhook_targets or [hook["url"]]
            target = targets[(first + attempt) % len(targets)]
            async with self._connections:
                status = await self._post(target, update, hook.get("secret_token"))
            self.posts.append(Post(update["update_id"], target, status, len(self.sent)))
            self.handed_out[update["update_id"]] += 1
            if status == 200:
                self.delivered[update["update_id"]] += 1
                await self._notify()
                return
            await self._notify()
        self.given_up.append(update)
        await self._notify()

    async def _post(self, target: str, update: dict[str, Any], secret: str | None) -> int | None:
        if urlsplit(target).hostname not in ("127.0.0.1", "localhost"):
            return None  # a test fake never leaves this machine: as if nobody answered
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with self._client.post(
                target,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.post_timeout),
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None

    def answered(self, update: dict[str, Any], status: int | None) -> int:
        """How many posts of this update were answered with `status`."""
        return sum(p.update_id == update["update_id"] and p.status == status for p in self.posts)

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        raise AssertionError("answered by _get_updates")

    async def _get_updates(self, params: dict[str, Any], request: web.Request) -> Any:
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        if self.conflicting:
            raise ApiError(409, _CONFLICT)
        offset = params.get("offset")
        limit = params.get("limit")
        limit = limit if isinstance(limit, int) and 1 <= limit <= 100 else 100
        if isinstance(offset, int) and offset > self.confirmed:
            self.confirmed = offset
        if "allowed_updates" in params:
            self.allowed = set(params["allowed_updates"]) or set(DEFAULT_UPDATES)
        timeout = float(params.get("timeout") or 0)

        def ready() -> list[dict[str, Any]]:
            kept = []
            for update in self._queue:
                fresh = update["update_id"] >= self.confirmed
                if not fresh and update["update_id"] not in self._replayed:
                    continue
                kind = next(key for key in update if key != "update_id")
                if kind not in self.allowed or not self._may_see(kind, update[kind]):
                    self.dropped.append(update)
                    continue
                kept.append(update)
            self._queue = kept
            return kept

        for waiting in self._polls:
            transport = waiting.request.transport
            if not waiting.ended and transport is not None and not transport.is_closing():
                self.overlapping_polls += 1  # Telegram ends the waiting one for the newcomer
                waiting.ended = True
                await self._notify()
        poll = _Poll(request)
        self._polls.append(poll)
        try:
            if not ready() and timeout > 0 and not self._closing:
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            self._changed.wait_for(
                                lambda: (
                                    self._closing or self.conflicting or poll.ended or bool(ready())
                                )
                            ),
                            timeout,
                        )
        finally:
            self._polls.remove(poll)
        if self.conflicting or poll.ended:
            raise ApiError(409, _CONFLICT)
        transport = request.transport
        if transport is None or transport.is_closing():
            return []  # the poller hung up (a stopped bot): keep the updates for the next one
        if self._closing:
            return []
        found = ready()[:limit]
        for update in found:
            self._replayed.discard(update["update_id"])
            self.handed_out[update["update_id"]] += 1
        return found

    def _may_see(self, kind: str, payload: dict[str, Any]) -> bool:
        """chat_member updates reach a bot only where it is an administrator."""
        if kind != "chat_member":
            return True
        chat = self.chats.get(payload["chat"]["id"])
        return chat is not None and chat.statuses.get(BOT_ID) == "administrator"

    async def _api_setmycommands(self, params: dict[str, Any]) -> Any:
        language = params.get("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise ApiError(400, "Bad Request: invalid language code specified")
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not _COMMAND_NAME.match(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.menus[_menu_key(params)] = commands
        return True

    def menu(self, scope: dict[str, Any], language: str | None = None) -> list[str]:
        """The commands of a scope's menu, for one language (`language_code`) or for everyone
        whose language has none of its own (None)."""
        return [command["command"] for command in self.menu_described(scope, language)]

    def menu_described(
        self, scope: dict[str, Any], language: str | None = None
    ) -> list[dict[str, str]]:
        found: list[dict[str, str]] = self.menus.get(
            _menu_key({"scope": scope, "language_code": language}), []
        )
        return found

    async def _api_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.menus.pop(_menu_key(params), None)
        return True

    def menu_calls(self, language: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """setMyCommands and deleteMyCommands so far for one language (None: the menus for
        every language without its own), each with its scope."""
        return [
            (method, params.get("scope") or {"type": "default"})
            for method, params in self.calls
            if method in ("setMyCommands", "deleteMyCommands")
            and (params.get("language_code") or None) == language
        ]

    def _group(self, params: dict[str, Any]) -> Chat:
        chat = self.chats.get(params.get("chat_id", 0))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    async def _api_getchatadministrators(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        return [
            self.chat_member(chat, user_id)
            for user_id, status in chat.statuses.items()
            if status in ("creator", "administrator")
        ]

    async def _api_getchatmember(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        user_id = params.get("user_id")
        if user_id not in self.users and user_id != BOT_ID:  # the bot may ask about itself
            raise ApiError(400, "Bad Request: user not found")
        return self.chat_member(chat, user_id)

    def _destination(self, params: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
        """The chat a send goes to and its topic, or the error Telegram gives."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            if chat_id not in self.users:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id not in self.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            user = self.users[chat_id]
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            forum = False
            topics: set[int] = set()
        else:
            group = self._group(params)
            if group.statuses.get(BOT_ID) in ("left", "kicked"):
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            chat, forum, topics = group.as_dict(), group.forum, group.topics
        thread = params.get("message_thread_id")
        if thread is not None and (not forum or thread not in topics):
            raise ApiError(400, "Bad Request: message thread not found")
        return chat, thread

    @staticmethod
    def _keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup") or {}
        keyboard: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        for row in keyboard:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and "url" not in button:
                    raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
        return keyboard

    @staticmethod
    def _parsed(params: dict[str, Any], source: str) -> tuple[str, list[dict[str, Any]]]:
        if params.get("parse_mode") == "HTML":
            return parse_html(source)
        if params.get("parse_mode"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        return source, []

    def _post_message(
        self,
        params: dict[str, Any],
        chat: dict[str, Any],
        thread: int | None,
        text: str,
        source: str,
        entities: list[dict[str, Any]],
        keyboard: list[list[dict[str, Any]]],
        fields: dict[str, Any],
        file: SentFile | None = None,
    ) -> dict[str, Any]:
        if entities:
            fields["caption_entities" if file else "entities"] = entities
        if keyboard:
            fields["reply_markup"] = {"inline_keyboard": keyboard}
        if thread is not None:
            fields["message_thread_id"] = thread
            fields["is_topic_message"] = True
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        message = self._message(chat, self.bot, **fields)
        self.sent.append(
            Sent(
                message["message_id"],
                chat["id"],
                text,
                source,
                entities,
                keyboard,
                thread,
                reply_to,
                message,
                file,
            )
        )
        return message

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        chat, thread = self._destination(params)
        source = params.get("text")
        if not isinstance(source, str):
            raise ApiError(400, "Bad Request: message text is empty")
        text, entities = self._parsed(params, source)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        keyboard = self._keyboard(params)
        return self._post_message(
            params, chat, thread, text, source, entities, keyboard, {"text": text}
        )

    async def _api_senddocument(self, params: dict[str, Any]) -> Any:
        return self._send_file("document", params)

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        return self._send_file("photo", params)

    def _send_file(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        """A document or a photo uploaded as multipart/form-data, with an optional caption."""
        chat, thread = self._destination(params)
        upload = params.get(kind)
        if not isinstance(upload, web.FileField):
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        data = upload.file.read()
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        source = params.get("caption") or ""
        text, entities = self._parsed(params, source)
        if utf16(text) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        keyboard = self._keyboard(params)
        file = SentFile(kind, upload.filename, data, upload.content_type)
        file_id = f"F{next(self._ids)}"
        fields: dict[str, Any] = {"caption": text} if text else {}
        if kind == "photo":
            if not data.startswith(_IMAGE_SIGNATURES):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            width, height = _image_size(data)
            fields["photo"] = [
                {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "width": width,
                    "height": height,
                    "file_size": len(data),
                }
            ]
        else:
            fields["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(data),
            }
        return self._post_message(
            params, chat, thread, text, source, entities, keyboard, fields, file
        )

    async def _api_deletemessage(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        key = (chat_id, message_id)
        if not isinstance(chat_id, int) or not isinstance(message_id, int) or key in self.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        if chat_id < 0 and self._messages[key] != BOT_ID:
            rights = self.chat_member(self._group(params), BOT_ID)
            if not rights.get("can_delete_messages"):
                raise ApiError(400, "Bad Request: message can't be deleted")
        self.deleted.append(key)
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = params.get("callback_query_id")
        if self._callbacks.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text") or ""
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        self.answers.append(params)
        return True

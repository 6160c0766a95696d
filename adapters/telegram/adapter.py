"""The Telegram adapter: python-telegram-bot's Application in, core events; core replies out.

Mapping (platform "telegram"):
- a group (or supergroup) is a community: community_ref and its main channel_ref are the chat
  id; a forum topic is a thread (thread_ref = message_thread_id);
- a private chat with the bot belongs to one of the person's groups: the group of the button
  pressed, else the group the chat was last about, else their only group; with several, the
  bot asks which one with buttons;
- PUBLIC replies go to the group (the topic they answer, or the topic a channel setting names),
  PRIVATE replies to the private chat, EPHEMERAL replies (which Telegram lacks) privately when
  the person has started the bot and otherwise as a reply to their message in the group; in
  answer to a button pressed in a group, a short one is the button's pop-up instead;
- a private message Telegram refuses is reported to the core as Unreachable, and the group gets
  a deep link that opens the private chat and resumes the flow with `/start <payload>`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChatAdministrators,
    BotCommandScopeDefault,
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters.telegram import deeplink
from adapters.telegram.chats import AdminCache, Topics
from adapters.telegram.pacing import Pacer, Pacing
from adapters.telegram.render import keyboard_rows, render, utf16_len
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Person,
    Unreachable,
)
from bot.hearth import Hearth, Membership
from bot.markup import plain
from bot.replies import Choice, Reply, Visibility
from bot.roles import Role

log = logging.getLogger("hearth.telegram")

PLATFORM = "telegram"
ALLOWED_UPDATES = ("message", "callback_query", "chat_member", "my_chat_member")
OWN_PREFIX = "~tg:"  # the adapter's own buttons; core choice prefixes are plain words
_ADMINS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
_POPUP_LIMIT = 200  # characters Telegram shows in a callback answer
_MAX_COMMANDS = 100  # per scope
_REMEMBERED_BUTTONS = 5000
Context = ContextTypes.DEFAULT_TYPE
MakeEvent = Callable[[Origin], Event]


class TelegramStartFailed(ValueError):
    """Telegram refused the token or could not be reached: one clear line, no traceback."""


@dataclass(frozen=True)
class Trigger:
    """The group message (or button) a batch of replies answers, for replies in place."""

    chat_id: int
    user_id: int | None
    message_id: int | None = None
    thread_id: int | None = None


def api_base_url(url: str | None) -> str | None:
    """A Bot API server's URL as PTB wants it: ending in /bot (the token follows)."""
    if not url or not url.strip():
        return None
    cleaned = url.strip().rstrip("/")
    if "{token}" in cleaned or cleaned.endswith("/bot"):
        return cleaned
    return cleaned + "/bot"


def _user_id(user_ref: str | None) -> int | None:
    """A person's private chat id; None for anonymous admins and channels (negative ids)."""
    try:
        number = int(user_ref or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _is_in(member: ChatMember) -> bool:
    if member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER):
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


class TelegramAdapter:
    platform = PLATFORM

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        pacing: Pacing | None = None,
        admin_ttl: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        poll_timeout: float = 10.0,
        deep_link_every: timedelta = timedelta(hours=1),
    ) -> None:
        self._token = token
        self._base_url = api_base_url(base_url)
        self._pacing = pacing
        self._poll_timeout = poll_timeout
        self._deep_link_every = deep_link_every
        self.admins = AdminCache(self._fetch_admins, admin_ttl, monotonic)
        self.topics = Topics()
        self.username = ""
        self._hearth: Hearth | None = None
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._menus: set[int] = set()  # groups whose administrators' menu is set
        self._current: dict[int, str] = {}  # person -> the group their private chat is about
        self._buttons: OrderedDict[tuple[int, int], str] = OrderedDict()  # message -> group
        self._refused: set[int] = set()  # people Telegram refused to let us message
        self._pending: dict[int, Callable[[str], Awaitable[None]]] = {}  # waits for a group
        self._linked: dict[tuple[str, str], datetime] = {}  # (group, flow) -> deep link posted

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def hearth(self) -> Hearth:
        if self._hearth is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._hearth

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self._application is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._application

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        builder = (
            Application.builder()
            .token(self._token)
            .rate_limiter(Pacer(self._pacing))
            .job_queue(None)  # Hearth has its own scheduler
        )
        if self._base_url:
            builder = builder.base_url(self._base_url)
        app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        app.add_handler(MessageHandler(filters.ALL, self._learn_topics), group=-1)
        app.add_handler(ChatMemberHandler(self._on_chat_member, ChatMemberHandler.CHAT_MEMBER))
        app.add_handler(ChatMemberHandler(self._on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(CallbackQueryHandler(self._on_press))
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, self._on_joined))
        app.add_handler(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, self._on_left))
        messages = filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(messages & filters.COMMAND, self._on_command))
        app.add_handler(MessageHandler(messages & filters.TEXT, self._on_text))
        app.add_error_handler(self._on_error)
        return app

    async def start(self, hearth: Hearth) -> None:
        # Request logs carry the token in their URL and PTB's debug logs carry message texts.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        logging.getLogger("telegram").setLevel(logging.INFO)
        self._hearth = hearth
        app = self._application = self._build()
        try:
            await app.initialize()
        except InvalidToken as refused:
            raise TelegramStartFailed(
                f"Telegram refused HEARTH_TELEGRAM_TOKEN ({refused.message})"
            ) from None
        except NetworkError as unreachable:
            raise TelegramStartFailed(
                f"could not reach the Telegram Bot API ({unreachable.message})"
            ) from None
        self.username = app.bot.username
        await self._publish_menu()
        await app.start()
        updater = app.updater
        assert updater is not None
        await updater.start_polling(
            timeout=timedelta(seconds=self._poll_timeout),
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
        log.info("Telegram adapter polling as @%s", self.username)

    async def stop(self) -> None:
        app = self._application
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def deliver(self, replies: Sequence[Reply]) -> None:
        """Replies from scheduled work (the Outbox port)."""
        await self._deliver(replies, None)

    # -- command menus --------------------------------------------------------------------

    def _menu(self, most: Role) -> list[BotCommand]:
        commands = [
            BotCommand(c.name, c.description) for c in self.hearth.registry.all() if c.role <= most
        ]
        if len(commands) > _MAX_COMMANDS:
            log.warning("more than %d commands; the menu shows the first ones", _MAX_COMMANDS)
        return commands[:_MAX_COMMANDS]

    async def _publish_menu(self) -> None:
        """Member commands for everyone; administrators get theirs per group, when seen."""
        await self.application.bot.set_my_commands(
            self._menu(Role.MEMBER), scope=BotCommandScopeDefault()
        )

    async def _menu_for(self, chat_id: int, *, again: bool = False) -> None:
        if chat_id in self._menus and not again:
            return
        self._menus.add(chat_id)
        try:
            await self.application.bot.set_my_commands(
                self._menu(Role.MODERATOR), scope=BotCommandScopeChatAdministrators(chat_id)
            )
        except TelegramError as error:
            log.warning("could not set the administrators' menu of a group: %s", error)

    # -- people and places ----------------------------------------------------------------

    async def _fetch_admins(self, chat_id: int) -> dict[int, str]:
        try:
            found = await self.application.bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            log.warning("could not list a group's administrators: %s", error)
            return {}
        return {member.user.id: member.status for member in found}

    def _language(self, user: User) -> str | None:
        code = (user.language_code or "").split("-")[0].lower()
        return code or None

    async def _person(self, chat_id: int, user: User) -> Person:
        status = (await self.admins.statuses(chat_id)).get(user.id)
        return Person(
            user_ref=str(user.id),
            display_name=user.full_name,
            is_platform_admin=status in _ADMINS,
            is_platform_owner=status == ChatMember.OWNER,
            language=self._language(user),
        )

    async def _sender(self, message: Message) -> Person | None:
        """Who wrote a group message; None for bots and automatic forwards."""
        chat = message.chat
        if message.is_automatic_forward:
            return None
        sender_chat = message.sender_chat
        if sender_chat is not None:
            # Anonymous administrators write as the group itself; others as their channel.
            return Person(
                user_ref=str(sender_chat.id),
                display_name=sender_chat.title or chat.title or "",
                is_platform_admin=sender_chat.id == chat.id,
            )
        user = message.from_user
        if user is None or user.is_bot:
            return None
        return await self._person(chat.id, user)

    async def _group_origin(self, chat: Chat, person: Person, thread: int | None) -> Origin:
        await self._menu_for(chat.id)
        return Origin(
            PLATFORM,
            str(chat.id),
            person,
            channel_ref=str(chat.id),
            thread_ref=str(thread) if thread is not None else None,
            community_name=chat.title or "",
        )

    def _trigger(self, message: Message, user_id: int | None) -> Trigger:
        return Trigger(message.chat.id, user_id, message.message_id, _thread_of(message))

    @staticmethod
    def _press_place(query: CallbackQuery) -> tuple[int, int, int | None] | None:
        """(chat, message, topic) of the message a button is on, if Telegram says."""
        message = query.message
        if message is None:
            return None
        thread = _thread_of(message) if isinstance(message, Message) else None
        return message.chat.id, message.message_id, thread

    @staticmethod
    def _ref(update: Update, *parts: object) -> str:
        """The update id, plus what makes it unique for good (Telegram may reuse ids)."""
        return ":".join(str(part) for part in (update.update_id, *parts))

    # -- incoming -------------------------------------------------------------------------

    async def _dispatch(self, event: Event, trigger: Trigger | None) -> None:
        await self._deliver(await self.hearth.handle(event), trigger)

    async def _learn_topics(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.message_thread_id is None:
            return
        created = message.forum_topic_created
        if created is None and message.reply_to_message is not None:
            created = message.reply_to_message.forum_topic_created
        edited = message.forum_topic_edited
        name = edited.name if edited is not None and edited.name else None
        name = name or (created.name if created is not None else None)
        if name:
            self.topics.learn(message.chat.id, name, message.message_thread_id)

    async def _on_command(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or not message.text or not message.entities:
            return
        length = message.entities[0].length
        name, _, addressed = message.text[1:length].partition("@")
        name = name.lower()
        if addressed and addressed.lower() != self.username.lower():
            return  # for another bot in the group
        args = message.text[length:].strip()
        ref = self._ref(update, message.chat.id, message.message_id)
        if message.chat.type == ChatType.PRIVATE:
            user = message.from_user
            if user is not None:
                await self._private_command(user, name, args, ref)
            return
        known = self.hearth.registry.get(name) is not None
        if not addressed and (not known or name == "start"):
            return  # likely meant for another bot; addressed commands always get an answer
        person = await self._sender(message)
        if person is None:
            return
        origin = await self._group_origin(message.chat, person, _thread_of(message))
        await self._dispatch(
            CommandInvoked(origin, name, args, event_ref=ref),
            self._trigger(message, _user_id(person.user_ref)),
        )

    async def _on_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        text = message.text
        ref = self._ref(update, message.chat.id, message.message_id)
        if message.chat.type == ChatType.PRIVATE:
            if message.from_user is not None:
                await self._in_private(
                    message.from_user, lambda origin: MessagePosted(origin, text, event_ref=ref)
                )
            return
        person = await self._sender(message)
        if person is None:
            return
        origin = await self._group_origin(message.chat, person, _thread_of(message))
        await self._dispatch(
            MessagePosted(origin, text, event_ref=ref),
            self._trigger(message, _user_id(person.user_ref)),
        )

    async def _on_joined(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None:
            return
        for user in message.new_chat_members:
            if user.id == context.bot.id:
                await self._menu_for(message.chat.id, again=True)
            if user.is_bot:
                continue
            origin = await self._group_origin(
                message.chat, await self._person(message.chat.id, user), None
            )
            ref = self._ref(update, message.chat.id, message.message_id, user.id)
            await self._dispatch(MemberJoined(origin, event_ref=ref), None)

    async def _on_left(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.left_chat_member is None:
            return
        user = message.left_chat_member
        if user.is_bot:
            return
        person = Person(str(user.id), user.full_name, language=self._language(user))
        origin = await self._group_origin(message.chat, person, None)
        ref = self._ref(update, message.chat.id, message.message_id)
        await self._dispatch(MemberLeft(origin, event_ref=ref), None)

    async def _on_chat_member(self, update: Update, context: Context) -> None:
        change = update.chat_member
        if change is None:
            return
        chat = change.chat
        self.admins.forget(chat.id)  # promotions and demotions count from now on
        old, new = change.old_chat_member, change.new_chat_member
        user = new.user
        if user.is_bot or _is_in(old) == _is_in(new):
            return
        person = Person(
            str(user.id),
            user.full_name,
            is_platform_admin=new.status in _ADMINS,
            is_platform_owner=new.status == ChatMember.OWNER,
            language=self._language(user),
        )
        origin = await self._group_origin(chat, person, None)
        ref = self._ref(update, chat.id, user.id)
        event: Event = MemberJoined(origin, ref) if _is_in(new) else MemberLeft(origin, ref)
        await self._dispatch(event, None)

    async def _on_my_membership(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is not None and _is_in(change.new_chat_member):
            await self._menu_for(change.chat.id, again=True)

    async def _on_error(self, update: object, context: Context) -> None:
        log.error("handling a Telegram update failed", exc_info=context.error)

    # -- buttons --------------------------------------------------------------------------

    async def _on_press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        answered = False

        async def answer(text: str | None = None, *, alert: bool = False) -> None:
            nonlocal answered
            if answered:
                return
            answered = True
            try:
                await query.answer(text=text, show_alert=alert)
            except TelegramError as error:  # a re-delivered or very old press
                log.info("a button press could not be answered: %s", error)

        try:
            data = query.data or ""
            if data.startswith(OWN_PREFIX):
                await self._own_press(query, data.removeprefix(OWN_PREFIX), answer)
            else:
                await self._core_press(update, query, data, answer)
        finally:
            await answer()

    async def _core_press(
        self,
        update: Update,
        query: CallbackQuery,
        key: str,
        answer: Callable[..., Awaitable[None]],
    ) -> None:
        user = query.from_user
        ref = self._ref(update, query.id)
        place = self._press_place(query)
        message = query.message
        if place is None or message is None or message.chat.type == ChatType.PRIVATE:
            group = self._buttons.get(place[:2]) if place is not None else None
            await answer()
            await self._in_private(
                user, lambda origin: ChoicePressed(origin, key, event_ref=ref), group=group
            )
            return
        chat_id, message_id, thread = place
        person = await self._person(chat_id, user)
        origin = await self._group_origin(message.chat, person, thread)
        replies = await self.hearth.handle(ChoicePressed(origin, key, event_ref=ref))
        popup = self._popup(replies, str(user.id))
        if popup is not None:
            await answer(plain(popup.text), alert=True)
            replies = [r for r in replies if r is not popup]
        await answer()
        await self._deliver(replies, Trigger(chat_id, user.id, message_id, thread))

    @staticmethod
    def _popup(replies: Sequence[Reply], user_ref: str) -> Reply | None:
        """A short answer only the presser should see fits the button's own pop-up."""
        mine = [
            r
            for r in replies
            if r.visibility is Visibility.EPHEMERAL and r.target.user_ref == user_ref
        ]
        if len(mine) != 1 or mine[0].choices:
            return None
        return mine[0] if utf16_len(plain(mine[0].text)) <= _POPUP_LIMIT else None

    async def _own_press(
        self, query: CallbackQuery, data: str, answer: Callable[..., Awaitable[None]]
    ) -> None:
        verb, _, group = data.partition(":")
        user = query.from_user
        if verb != "pick":
            return
        names = {m.community_ref: m.community_name for m in await self._memberships(user.id)}
        if group not in names:
            await answer(self._text("telegram_pick_gone", user), alert=True)
            return
        self._current[user.id] = group
        await answer(self._text("telegram_picked", user, community=names[group]))
        waiting = self._pending.pop(user.id, None)
        if waiting is not None:
            await waiting(group)

    # -- private chats --------------------------------------------------------------------

    async def _memberships(self, user_id: int) -> list[Membership]:
        return await self.hearth.memberships(PLATFORM, str(user_id))

    def _text(self, key: str, user: User | None = None, /, **params: Any) -> str:
        language = self._language(user) if user is not None else None
        return plain(
            self.hearth.catalog.text(key, language or self.hearth.defaults.language, **params)
        )

    async def _private_command(self, user: User, name: str, args: str, ref: str) -> None:
        payload = deeplink.decode(args) if name == "start" and args else None
        if name == "start" and args and payload is not None:
            await self._start_from_link(user, payload, ref)
            return
        await self._in_private(
            user, lambda origin: CommandInvoked(origin, name, args, event_ref=ref)
        )

    async def _start_from_link(self, user: User, payload: deeplink.StartPayload, ref: str) -> None:
        """`/start <payload>` from a deep link: this chat is about that group; resume the flow."""
        await self._seen_privately(user.id, started=True)
        group = payload.community_ref
        try:
            status = await self.application.bot.get_chat_member(int(group), user.id)
        except TelegramError:
            status = None
        if status is None or not _is_in(status):
            await self._say(user, "telegram_not_member")
            return
        self._current[user.id] = group
        names = {m.community_ref: m.community_name for m in await self._memberships(user.id)}
        origin = await self._private_origin(user, group, names.get(group, ""))
        event = CommandInvoked(origin, "start", payload.resume or "", event_ref=ref)
        await self._dispatch(event, None)

    async def _seen_privately(self, user_id: int, *, started: bool = False) -> None:
        """A private update proves the person can be messaged: tell the core if it thought not."""
        if user_id in self._refused or started:
            self._refused.discard(user_id)
            await self.hearth.reachable(PLATFORM, str(user_id))

    async def _private_origin(self, user: User, group: str, name: str) -> Origin:
        person = await self._person(int(group), user)
        return Origin(PLATFORM, group, person, channel_ref=None, community_name=name)

    async def _in_private(self, user: User, make: MakeEvent, *, group: str | None = None) -> None:
        """Run a private-chat event in the community it belongs to, asking when unclear."""
        await self._seen_privately(user.id)
        names = {m.community_ref: m.community_name for m in await self._memberships(user.id)}
        chosen = group
        if chosen is None:
            current = self._current.get(user.id)
            if current in names:
                chosen = current
            elif len(names) == 1:
                chosen = next(iter(names))
        if chosen is None and names:
            await self._ask_which_group(user, names, make)
            return
        if chosen is None:
            await self._say(user, "telegram_no_community")
            return
        self._current[user.id] = chosen
        origin = await self._private_origin(user, chosen, names.get(chosen, ""))
        await self._dispatch(make(origin), None)

    async def _ask_which_group(self, user: User, names: dict[str, str], make: MakeEvent) -> None:
        async def resume(group: str) -> None:
            origin = await self._private_origin(user, group, names.get(group, ""))
            await self._dispatch(make(origin), None)

        self._pending[user.id] = resume
        buttons = [
            [InlineKeyboardButton(name or ref, callback_data=f"{OWN_PREFIX}pick:{ref}")]
            for ref, name in sorted(names.items(), key=lambda item: item[1].casefold())
        ]
        await self.application.bot.send_message(
            user.id,
            self._text("telegram_pick_community", user),
            reply_markup=InlineKeyboardMarkup(buttons),
        )

    async def _say(self, user: User, key: str) -> None:
        await self.application.bot.send_message(user.id, self._text(key, user))

    # -- outgoing -------------------------------------------------------------------------

    async def _deliver(
        self, replies: Sequence[Reply], trigger: Trigger | None, *, report: bool = True
    ) -> None:
        refused: dict[tuple[str, str], Reply] = {}
        for reply in replies:
            if reply.target.platform != PLATFORM:
                continue
            try:
                if reply.visibility is Visibility.PUBLIC:
                    await self._send_public(reply)
                elif reply.visibility is Visibility.PRIVATE:
                    if not await self._try_private(reply):
                        key = (reply.target.community_ref, reply.target.user_ref or "")
                        refused.setdefault(key, reply)
                else:
                    await self._send_ephemeral(reply, trigger)
            except TelegramError as error:
                log.warning("a reply could not be delivered: %s", error)
        if report:
            for reply in refused.values():
                await self._unreachable(reply, trigger)

    async def _send_public(self, reply: Reply) -> None:
        target = reply.target
        chat_id = int(target.community_ref)
        thread = (
            int(target.thread_ref)
            if target.thread_ref is not None
            else self.topics.resolve(chat_id, target.channel_ref)
        )
        await self._send(chat_id, reply.text, reply.choices, thread=thread)

    async def _try_private(self, reply: Reply) -> bool:
        user_id = _user_id(reply.target.user_ref)
        if user_id is None or user_id in self._refused:
            return False
        try:
            sent = await self._send(user_id, reply.text, reply.choices)
        except Forbidden:
            self._refused.add(user_id)
            return False
        except BadRequest as error:
            if "chat not found" not in error.message.lower():
                raise
            self._refused.add(user_id)
            return False
        self._current[user_id] = reply.target.community_ref
        if reply.choices and sent:
            self._buttons[(user_id, sent[-1].message_id)] = reply.target.community_ref
            while len(self._buttons) > _REMEMBERED_BUTTONS:
                self._buttons.popitem(last=False)
        return True

    async def _send_ephemeral(self, reply: Reply, trigger: Trigger | None) -> None:
        if await self._try_private(reply):
            return
        target = reply.target
        chat_id = int(target.community_ref)
        thread = int(target.thread_ref) if target.thread_ref is not None else None
        answering = trigger.message_id if trigger and trigger.chat_id == chat_id else None
        await self._send(chat_id, reply.text, reply.choices, thread=thread, reply_to=answering)

    async def _unreachable(self, reply: Reply, trigger: Trigger | None) -> None:
        """Tell the core, deliver what it says instead, and offer the deep link in the group."""
        target = reply.target
        more = await self.hearth.handle_unreachable(
            Unreachable(
                PLATFORM,
                target.community_ref,
                target.user_ref or "",
                reason="bot can't initiate conversation with a user",
                payload={"resume": reply.resume},
            )
        )
        await self._deliver(more, None, report=False)
        user_id = _user_id(target.user_ref)
        payload = deeplink.encode(target.community_ref, reply.resume)
        if user_id is None or payload is None:
            return
        url = deeplink.link(self.username, payload)
        button = InlineKeyboardMarkup(
            [[InlineKeyboardButton(self._text("telegram_open_chat"), url=url)]]
        )
        chat_id = int(target.community_ref)
        if trigger is not None and trigger.user_id == user_id and trigger.chat_id == chat_id:
            text = self.hearth.catalog.text(
                "telegram_start_me", self.hearth.defaults.language, link=url
            )
            await self._send(
                chat_id,
                text,
                (),
                thread=trigger.thread_id,
                reply_to=trigger.message_id,
                markup=button,
            )
            return
        key = (target.community_ref, reply.resume or "")
        now = self.hearth.clock.now()
        posted = self._linked.get(key)
        if posted is not None and now - posted < self._deep_link_every:
            return  # one invitation per group and flow for a while, naming nobody
        self._linked[key] = now
        text = self.hearth.catalog.text(
            "telegram_start_us", self.hearth.defaults.language, link=url
        )
        await self._send(chat_id, text, (), markup=button)

    def _keyboard(self, choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
        if not choices:
            return None
        rows = keyboard_rows([c.label for c in choices])
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(choices[i].label, callback_data=choices[i].key) for i in row]
                for row in rows
            ]
        )

    async def _send(
        self,
        chat_id: int,
        text: str,
        choices: Sequence[Choice],
        *,
        thread: int | None = None,
        reply_to: int | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> list[Message]:
        """Send one reply as one or more HTML messages; buttons go under the last one."""
        chunks = render(text)
        keyboard = markup or self._keyboard(choices)
        sent: list[Message] = []
        for number, chunk in enumerate(chunks):
            last = number == len(chunks) - 1
            answering = (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None
            )
            try:
                message = await self._send_one(
                    chat_id, chunk, thread, answering, keyboard if last else None
                )
            except BadRequest as error:
                if thread is None or "thread" not in error.message.lower():
                    raise
                log.warning("a forum topic is gone; posting in General instead")
                thread = None
                message = await self._send_one(
                    chat_id, chunk, None, answering, keyboard if last else None
                )
            sent.append(message)
        return sent

    async def _send_one(
        self,
        chat_id: int,
        html: str,
        thread: int | None,
        answering: ReplyParameters | None,
        keyboard: InlineKeyboardMarkup | None,
    ) -> Message:
        sent: Message = await self.application.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            reply_parameters=answering,
            reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return sent

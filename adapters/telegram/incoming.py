"""Telegram updates in, core events out.

- commands (`/name args`, `/name@bot args` in groups) become CommandInvoked with the text;
  in a group, an unknown command not addressed to this bot is left for other bots;
- plain text becomes MessagePosted (a flow waiting for an answer picks it up);
- a newcomer arrives twice (the `new_chat_members` service message and a `chat_member`
  update): both become MemberJoined and the core fires the join once; leaving likewise;
- a button press becomes ChoicePressed; it is always answered, and in a group a short reply
  meant only for the presser (a stale or foreign button, say) is that answer's pop-up.

Every event carries the update id (plus what keeps it unique) as its event_ref, so an update
Telegram delivers again is recognised by the core and changes and sends nothing.

A private chat belongs to one of the person's groups: the group of the button pressed, else
the core's answer (the group Hearth last wrote about, kept across restarts, or their only
group); with several and no answer, they are asked.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters.telegram import deeplink
from adapters.telegram.chats import Topics
from adapters.telegram.outgoing import Outgoing
from adapters.telegram.people import People, language_of, person_with_status
from adapters.telegram.private import PrivateChats
from adapters.telegram.render import utf16_len
from adapters.telegram.session import (
    PLATFORM,
    Session,
    Trigger,
    is_in,
    private_chat_of,
    thread_of,
)
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Person,
)
from bot.markup import plain
from bot.replies import Reply, Visibility, asks_removal, settle_removal

log = logging.getLogger("hearth.telegram.in")

OWN_PREFIX = "~tg:"  # the adapter's own buttons; core choice keys start with a plain word
POPUP_LIMIT = 200  # characters Telegram shows in a callback answer
Context = ContextTypes.DEFAULT_TYPE
MakeEvent = Callable[[Origin], Event]
Answer = Callable[..., Awaitable[None]]


def _ref(update: Update, *parts: object) -> str:
    """The update id, plus what keeps it unique for good (Telegram may reuse update ids)."""
    return ":".join(str(part) for part in (update.update_id, *parts))


class _InATopic(filters.MessageFilter):
    """Messages that may name a forum topic: only these reach `_learn_topics`. (Handling every
    message in a group of its own made PTB build a context and run a handler for each.)"""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return message.message_thread_id is not None


def popup_for(replies: Sequence[Reply], user_ref: str) -> Reply | None:
    """The one short reply only the presser should see, if there is exactly one."""
    mine = [
        r for r in replies if r.visibility is Visibility.EPHEMERAL and r.target.user_ref == user_ref
    ]
    if len(mine) != 1 or mine[0].choices:
        return None
    return mine[0] if utf16_len(plain(mine[0].text)) <= POPUP_LIMIT else None


class Incoming:
    def __init__(
        self,
        session: Session,
        people: People,
        outgoing: Outgoing,
        chats: PrivateChats,
        topics: Topics,
    ) -> None:
        self.session = session
        self.hearth = session.hearth
        self.people = people
        self.outgoing = outgoing
        self.chats = chats
        self.topics = topics

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(MessageHandler(_InATopic(), self._learn_topics), group=-1)
        app.add_handler(ChatMemberHandler(self._on_chat_member, ChatMemberHandler.CHAT_MEMBER))
        app.add_handler(CallbackQueryHandler(self._on_press))
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, self._on_joined))
        app.add_handler(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, self._on_left))
        messages = filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(messages & filters.COMMAND, self._on_command))
        app.add_handler(MessageHandler(messages & filters.TEXT, self._on_text))
        app.add_error_handler(self._on_error)

    async def _dispatch(self, event: Event, trigger: Trigger | None) -> None:
        replies = await self.hearth.handle(event)
        if asks_removal(replies):
            replies = settle_removal(replies, await self._remove(trigger))
        await self.outgoing.deliver_or_keep(replies, trigger)

    async def _remove(self, trigger: Trigger | None) -> bool:
        """Delete the message that held someone's private words; in a group Telegram allows
        it only to an administrator with the "Delete messages" right."""
        if trigger is None or trigger.message_id is None:
            return False
        try:
            return bool(await self.session.bot.delete_message(trigger.chat_id, trigger.message_id))
        except TelegramError as error:
            log.warning("could not remove a message with private words: %s", error.message)
            return False

    async def _group_origin(self, chat: Chat, person: Person, thread: int | None) -> Origin:
        return Origin(
            PLATFORM,
            str(chat.id),
            person,
            channel_ref=str(chat.id),
            thread_ref=str(thread) if thread is not None else None,
            community_name=chat.title or "",
        )

    @staticmethod
    def _trigger(message: Message, person: Person) -> Trigger:
        return Trigger(
            message.chat.id,
            private_chat_of(person.user_ref),
            message.message_id,
            thread_of(message),
        )

    async def _on_error(self, update: object, context: Context) -> None:
        log.error("handling a Telegram update failed", exc_info=context.error)

    # -- groups ---------------------------------------------------------------------------

    async def _learn_topics(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.message_thread_id is None:
            return
        created = message.forum_topic_created
        if created is None and message.reply_to_message is not None:
            created = message.reply_to_message.forum_topic_created
        edited = message.forum_topic_edited
        name = (edited.name if edited is not None else None) or (created and created.name)
        if name:
            self.topics.learn(message.chat.id, name, message.message_thread_id)

    async def _on_command(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or not message.text or not message.entities:
            return
        length = message.entities[0].length
        name, _, addressed = message.text[1:length].partition("@")
        name = name.lower()
        if addressed and addressed.lower() != self.session.username.lower():
            return  # for another bot in the group
        args = message.text[length:].strip()
        ref = _ref(update, message.chat.id, message.message_id)
        if message.chat.type == ChatType.PRIVATE:
            if message.from_user is not None:
                await self._private_command(message.from_user, name, args, ref)
            return
        known = self.hearth.registry.get(name) is not None
        if not addressed and (not known or name == "start"):
            return  # likely for another bot; a command addressed to this one always gets an answer
        person = await self.people.sender(message)
        if person is None:
            return
        origin = await self._group_origin(message.chat, person, thread_of(message))
        event = CommandInvoked(origin, name, args, event_ref=ref)
        await self._dispatch(event, self._trigger(message, person))

    async def _on_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        text = message.text
        ref = _ref(update, message.chat.id, message.message_id)
        if message.chat.type == ChatType.PRIVATE:
            if message.from_user is not None:
                await self.in_private(
                    message.from_user, lambda origin: MessagePosted(origin, text, event_ref=ref)
                )
            return
        person = await self.people.sender(message)
        if person is None:
            return
        origin = await self._group_origin(message.chat, person, thread_of(message))
        event = MessagePosted(origin, text, event_ref=ref)
        await self._dispatch(event, self._trigger(message, person))

    async def _on_joined(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None:
            return
        for user in message.new_chat_members:
            if user.is_bot:
                continue
            person = await self.people.in_group(message.chat.id, user)
            origin = await self._group_origin(message.chat, person, None)
            ref = _ref(update, message.chat.id, message.message_id, user.id)
            await self._dispatch(MemberJoined(origin, event_ref=ref), None)

    async def _on_left(self, update: Update, context: Context) -> None:
        message = update.message
        user = message.left_chat_member if message is not None else None
        if message is None or user is None or user.is_bot:
            return
        origin = await self._group_origin(message.chat, person_with_status(user, None), None)
        ref = _ref(update, message.chat.id, message.message_id)
        await self._dispatch(MemberLeft(origin, event_ref=ref), None)

    async def _on_chat_member(self, update: Update, context: Context) -> None:
        change = update.chat_member
        if change is None:
            return
        chat = change.chat
        self.people.admins.forget(chat.id)  # promotions and demotions count from now on
        old, new = change.old_chat_member, change.new_chat_member
        user = new.user
        if user.is_bot or is_in(old) == is_in(new):
            return
        origin = await self._group_origin(chat, person_with_status(user, new.status), None)
        ref = _ref(update, chat.id, user.id)
        event: Event = (
            MemberJoined(origin, event_ref=ref) if is_in(new) else MemberLeft(origin, event_ref=ref)
        )
        await self._dispatch(event, None)

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
        self, update: Update, query: CallbackQuery, key: str, answer: Answer
    ) -> None:
        user = query.from_user
        ref = _ref(update, query.id)
        message = query.message
        if message is None or message.chat.type == ChatType.PRIVATE:
            group = self.chats.group_of(message.chat.id, message.message_id) if message else None
            await answer()
            await self.in_private(
                user, lambda origin: ChoicePressed(origin, key, event_ref=ref), group=group
            )
            return
        thread = thread_of(message) if isinstance(message, Message) else None
        person = await self.people.in_group(message.chat.id, user)
        origin = await self._group_origin(message.chat, person, thread)
        replies = settle_removal(
            await self.hearth.handle(ChoicePressed(origin, key, event_ref=ref)), removed=False
        )
        popup = popup_for(replies, person.user_ref)
        if popup is not None:
            await answer(plain(popup.text), alert=True)
            replies = [r for r in replies if r is not popup]
        await answer()
        trigger = Trigger(message.chat.id, user.id, message.message_id, thread)
        await self.outgoing.deliver_or_keep(replies, trigger)

    async def _own_press(self, query: CallbackQuery, data: str, answer: Answer) -> None:
        verb, _, group = data.partition(":")
        user = query.from_user
        if verb != "pick":
            return
        names = await self._groups_of(user)
        language = language_of(user)
        if group not in names:
            await answer(self.session.plain_text("telegram_pick_gone", language), alert=True)
            return
        await self.hearth.wrote_privately(PLATFORM, str(user.id), group)
        await answer(self.session.plain_text("telegram_picked", language, community=names[group]))
        waiting = self.chats.waiting.pop(user.id, None)
        if waiting is not None:
            await waiting(group)

    # -- private chats --------------------------------------------------------------------

    async def _groups_of(self, user: User) -> dict[str, str]:
        """The groups (ref -> name) where Hearth knows this person as a member."""
        found = await self.hearth.memberships(PLATFORM, str(user.id))
        return {m.community_ref: m.community_name for m in found}

    async def _private_command(self, user: User, name: str, args: str, ref: str) -> None:
        payload = deeplink.decode(args) if name == "start" and args else None
        if payload is not None:
            await self._start_from_link(user, payload, ref)
            return
        if name == "start":
            await self._reachable(user, started=True)
        await self.in_private(
            user, lambda origin: CommandInvoked(origin, name, args, event_ref=ref)
        )

    async def _start_from_link(self, user: User, payload: deeplink.StartPayload, ref: str) -> None:
        """`/start <payload>` from a deep link: this chat is about that group; resume the flow."""
        await self._reachable(user, started=True)
        group = payload.community_ref
        try:
            membership = await self.session.bot.get_chat_member(int(group), user.id)
        except TelegramError:
            membership = None
        if membership is None or not is_in(membership):
            await self._say(user, "telegram_not_member")
            return
        await self.hearth.wrote_privately(PLATFORM, str(user.id), group)
        origin = await self._private_origin(user, group, (await self._groups_of(user)).get(group))
        event = CommandInvoked(origin, "start", payload.resume or "", event_ref=ref)
        await self._dispatch(event, None)

    async def _reachable(self, user: User, *, started: bool = False) -> None:
        """A private update shows the bot may write to this person: tell the core if it doubted."""
        if user.id in self.chats.refused or started:
            self.chats.refused.discard(user.id)
            await self.hearth.reachable(PLATFORM, str(user.id))

    async def _private_origin(self, user: User, group: str, name: str | None) -> Origin:
        person = await self.people.in_group(int(group), user)
        return Origin(PLATFORM, group, person, channel_ref=None, community_name=name or "")

    async def in_private(self, user: User, make: MakeEvent, *, group: str | None = None) -> None:
        """Run a private-chat event in the group it belongs to, asking when that is unclear."""
        await self._reachable(user)
        names = await self._groups_of(user)
        chosen = group
        if chosen is None:  # the group Hearth last wrote about, else their only one
            chosen = await self.hearth.community_for_private(PLATFORM, str(user.id))
        if chosen is None and names:
            await self._ask_which_group(user, names, make)
            return
        if chosen is None:
            await self._say(user, "telegram_no_community")
            return
        if group is not None:  # a button about that group: the chat is about it from now on
            await self.hearth.wrote_privately(PLATFORM, str(user.id), group)
        origin = await self._private_origin(user, chosen, names.get(chosen))
        await self._dispatch(make(origin), None)

    async def _ask_which_group(self, user: User, names: dict[str, str], make: MakeEvent) -> None:
        async def resume(group: str) -> None:
            origin = await self._private_origin(user, group, names.get(group))
            await self._dispatch(make(origin), None)

        self.chats.waiting[user.id] = resume
        buttons = [
            [InlineKeyboardButton(name or ref, callback_data=f"{OWN_PREFIX}pick:{ref}")]
            for ref, name in sorted(names.items(), key=lambda item: item[1].casefold())
        ]
        await self.session.bot.send_message(
            user.id,
            self.session.plain_text("telegram_pick_community", language_of(user)),
            reply_markup=InlineKeyboardMarkup(buttons),
        )

    async def _say(self, user: User, key: str) -> None:
        await self.session.bot.send_message(
            user.id, self.session.plain_text(key, language_of(user))
        )

"""Core replies delivered to Telegram.

- PUBLIC: to the group, in the topic of the message answered (Target.thread_ref) or the topic
  a channel setting names (`/setup channel proposals Ideas`), else in General.
- PRIVATE: to the person's private chat. When Telegram refuses (the person never started the
  bot, or blocked it), the core is told (`Unreachable`, with the flow to resume) and the group
  gets a deep link that opens the private chat and resumes the flow on Start: as a reply to the
  person's own message when they just asked, else one invitation per group and flow for a
  while, naming nobody.
- EPHEMERAL (only the asker sees it, which Telegram has no way to do in a group): privately
  when the person has started the bot, else as a reply to their message in the group.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.telegram import deeplink
from adapters.telegram.chats import Topics
from adapters.telegram.private import PrivateChats
from adapters.telegram.render import keyboard_rows, render
from adapters.telegram.session import PLATFORM, Session, Trigger, private_chat_of
from bot.events import Unreachable
from bot.replies import Choice, Reply, Visibility

log = logging.getLogger("hearth.telegram.out")


def keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    """Choices as inline buttons whose callback data is the choice's key."""
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(choices[i].label, callback_data=choices[i].key) for i in row]
            for row in keyboard_rows([c.label for c in choices])
        ]
    )


class Outgoing:
    def __init__(
        self,
        session: Session,
        topics: Topics,
        chats: PrivateChats,
        deep_link_every: timedelta = timedelta(hours=1),
    ) -> None:
        self.session = session
        self.topics = topics
        self.chats = chats
        self.deep_link_every = deep_link_every
        self._invited: dict[tuple[str, str], datetime] = {}  # (group, flow) -> when

    async def deliver(
        self, replies: Sequence[Reply], trigger: Trigger | None, *, report: bool = True
    ) -> None:
        refused: dict[tuple[str, str], Reply] = {}
        for reply in replies:
            if reply.target.platform != PLATFORM:
                continue
            try:
                if reply.visibility is Visibility.PUBLIC:
                    await self._public(reply)
                elif reply.visibility is Visibility.PRIVATE:
                    if not await self._private(reply):
                        key = (reply.target.community_ref, reply.target.user_ref or "")
                        refused.setdefault(key, reply)
                else:
                    await self._ephemeral(reply, trigger)
            except TelegramError as error:
                log.warning("a reply could not be delivered: %s", error)
        if report:
            for reply in refused.values():
                await self._unreachable(reply, trigger)

    async def _public(self, reply: Reply) -> None:
        target = reply.target
        chat_id = int(target.community_ref)
        thread = (
            int(target.thread_ref)
            if target.thread_ref is not None
            else self.topics.resolve(chat_id, target.channel_ref)
        )
        await self.send(chat_id, reply.text, keyboard(reply.choices), thread=thread)

    async def _private(self, reply: Reply) -> bool:
        """Send to the person's private chat; False when Telegram will not let us."""
        user_id = private_chat_of(reply.target.user_ref)
        if user_id is None or user_id in self.chats.refused:
            return False
        try:
            sent = await self.send(user_id, reply.text, keyboard(reply.choices))
        except Forbidden:
            self.chats.refused.add(user_id)
            return False
        except BadRequest as error:
            if "chat not found" not in error.message.lower():
                raise
            self.chats.refused.add(user_id)
            return False
        with_buttons = sent[-1].message_id if reply.choices and sent else None
        self.chats.sent(user_id, reply.target.community_ref, with_buttons)
        return True

    async def _ephemeral(self, reply: Reply, trigger: Trigger | None) -> None:
        if await self._private(reply):
            return
        target = reply.target
        chat_id = int(target.community_ref)
        thread = int(target.thread_ref) if target.thread_ref is not None else None
        answering = trigger.message_id if trigger and trigger.chat_id == chat_id else None
        await self.send(
            chat_id, reply.text, keyboard(reply.choices), thread=thread, reply_to=answering
        )

    async def _unreachable(self, reply: Reply, trigger: Trigger | None) -> None:
        """Tell the core, deliver what it says instead, and offer the deep link in the group."""
        target = reply.target
        hearth = self.session.hearth
        instead = await hearth.handle_unreachable(
            Unreachable(
                PLATFORM,
                target.community_ref,
                target.user_ref or "",
                reason="Telegram refused a private message",
                payload={"resume": reply.resume},
            )
        )
        await self.deliver(instead, None, report=False)
        user_id = private_chat_of(target.user_ref)
        payload = deeplink.encode(target.community_ref, reply.resume)
        if user_id is None or payload is None:
            return  # anonymous admins and channels have no private chat to open
        url = deeplink.link(self.session.username, payload)
        button = InlineKeyboardMarkup(
            [[InlineKeyboardButton(self.session.plain_text("telegram_open_chat"), url=url)]]
        )
        chat_id = int(target.community_ref)
        if trigger is not None and trigger.user_id == user_id and trigger.chat_id == chat_id:
            text = self.session.text("telegram_start_me", link=url)
            await self.send(
                chat_id, text, button, thread=trigger.thread_id, reply_to=trigger.message_id
            )
            return
        key = (target.community_ref, reply.resume or "")
        now = hearth.clock.now()
        invited = self._invited.get(key)
        if invited is not None and now - invited < self.deep_link_every:
            return
        self._invited[key] = now
        await self.send(chat_id, self.session.text("telegram_start_us", link=url), button)

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: InlineKeyboardMarkup | None = None,
        *,
        thread: int | None = None,
        reply_to: int | None = None,
    ) -> list[Message]:
        """Send core markup as one or more HTML messages; buttons go under the last one."""
        chunks = render(text)
        sent: list[Message] = []
        for number, chunk in enumerate(chunks):
            markup = buttons if number == len(chunks) - 1 else None
            answering = (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None
            )
            try:
                message = await self._send_one(chat_id, chunk, thread, answering, markup)
            except BadRequest as error:
                if thread is None or "thread" not in error.message.lower():
                    raise
                log.warning("a forum topic is gone or closed; posting in General instead")
                thread = None
                message = await self._send_one(chat_id, chunk, None, answering, markup)
            sent.append(message)
        return sent

    async def _send_one(
        self,
        chat_id: int,
        html: str,
        thread: int | None,
        answering: ReplyParameters | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        message: Message = await self.session.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            reply_parameters=answering,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return message

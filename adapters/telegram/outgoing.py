"""Core replies delivered to Telegram.

- PUBLIC: to the group, in the topic of the message answered (Target.thread_ref) or the topic
  a channel setting names (`/setup channel proposals Ideas`), else in General.
- PRIVATE: to the person's private chat. When Telegram refuses (the person never started the
  bot, or blocked it), the core is told (`Unreachable`, with the flow to resume) and the group
  gets a deep link button that opens the private chat, where Start resumes the flow: on the
  notice the core posts about it, or as a reply to the person's own message when they just
  asked, or else as an invitation naming nobody when the core says the public notice is due
  (bot/reach.py: once per group and flow for a while, the same on every platform).
- EPHEMERAL (only the asker sees it, which Telegram has no way to do in a group): privately
  when the person has started the bot, else as a reply to their message in the group. A note
  that private replies are on their way (Reply.confirms_private) is left out when they were
  refused: the deep link says how to get them instead. A confidential reply (the person's
  private words, or a promise that only they see it) is never posted in the group: a neutral
  note with the deep link takes its place. A note about private words typed in the group
  (Reply.only_if) carries the deep link too.

A reply's files follow its text in the same chat and topic, each as its own message: an image
as a photo (a document when Telegram will not take it as one), anything else as a document,
its `alt` as the caption. They go through the same pacing and the same outcomes as text; when
the text went out and a file could not yet, only the files left are tried again later.

A reply that fails for a reason a later try may overcome (Telegram's servers or the network,
once the pacer's own quick retries are spent) is handed back to the caller, never dropped: an
outbox delivery raises NotDelivered so the core retries it with backoff, and an interactive
reply goes into the outbox itself (`deliver_or_keep`). A refusal no retry can change (a bad
request, a group that removed the bot) is logged with an id and not repeated.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import replace

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from adapters.telegram import deeplink
from adapters.telegram.chats import Topics
from adapters.telegram.private import PrivateChats
from adapters.telegram.render import keyboard_rows, render, utf16_len
from adapters.telegram.session import PLATFORM, Session, Trigger, private_chat_of
from adapters.telegram.transport import failure_kind, is_transient
from bot.events import PlaceMoved, Unreachable
from bot.replies import Attachment, Choice, Reply, Target, Visibility

log = logging.getLogger("hearth.telegram.out")
CAPTION_LIMIT = 1024  # characters of a photo's or document's caption (UTF-16 units)
PHOTO_LIMIT = 10 * 1024 * 1024  # bytes of a photo; a larger image goes as a document
Part = str | Attachment  # one message: a piece of HTML text, or a file
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # PTB objects are frozen: one serves all


class FilesNotSent(NetworkError):
    """The text went out, but Telegram could not take these files now; a later try may."""

    def __init__(self, files: Sequence[Attachment], cause: TelegramError) -> None:
        super().__init__(f"{len(files)} files not sent yet ({failure_kind(cause)})")
        self.files = tuple(files)

    def rest_of(self, reply: Reply) -> Reply:
        """What is left to deliver of the reply: its files, without the text already sent."""
        return replace(reply, text="", choices=(), files=self.files, confirms_private=False)


class NotDelivered(Exception):
    """Telegram could not take these replies now; a later try may (the outbox retries)."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        super().__init__(f"{len(replies)} replies not delivered yet")
        self.replies = list(replies)


def keyboard(
    choices: Sequence[Choice], link: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup | None:
    """Choices as inline buttons whose callback data is the choice's key (and a link below)."""
    rows = [
        [InlineKeyboardButton(choices[i].label, callback_data=choices[i].key) for i in row]
        for row in keyboard_rows([c.label for c in choices])
    ]
    if link is not None:
        rows.append([link])
    return InlineKeyboardMarkup(rows) if rows else None


class Outgoing:
    def __init__(self, session: Session, topics: Topics, chats: PrivateChats) -> None:
        self.session = session
        self.topics = topics
        self.chats = chats

    async def deliver_or_keep(self, replies: Sequence[Reply], trigger: Trigger | None) -> None:
        """Answers to what someone just did: what Telegram cannot take now waits in the outbox."""
        failed = await self.deliver(replies, trigger)
        if failed:
            await self.session.hearth.keep(failed)

    async def deliver(
        self, replies: Sequence[Reply], trigger: Trigger | None, *, report: bool = True
    ) -> list[Reply]:
        """Deliver what can be delivered; returns the replies to try again later."""
        refused: dict[tuple[str, str], Reply] = {}
        failed: list[Reply] = []
        # A note that private replies are on their way goes after them, and only when they
        # were not refused: then the deep link offered below says how to get them instead.
        for reply in sorted(replies, key=lambda r: r.confirms_private):
            person = (reply.target.community_ref, reply.target.user_ref or "")
            if reply.target.platform != PLATFORM or (reply.confirms_private and person in refused):
                continue
            try:
                if reply.visibility is Visibility.PUBLIC:
                    await self._public(reply)
                elif reply.visibility is Visibility.PRIVATE:
                    if not await self._private(reply):
                        refused.setdefault(person, reply)
                else:
                    await self._ephemeral(reply, trigger)
            except TelegramError as error:
                if is_transient(error):
                    log.warning("a reply could not be delivered yet (%s)", failure_kind(error))
                    failed.append(
                        error.rest_of(reply) if isinstance(error, FilesNotSent) else reply
                    )
                else:
                    log.error(
                        "Telegram refused a reply id=%s visibility=%s: %s",
                        secrets.token_hex(4),
                        reply.visibility.value,
                        error.message,
                    )
        if report:
            for reply in refused.values():
                try:
                    failed.extend(await self._unreachable(reply, trigger))
                except Exception:  # the other replies still go out
                    log.exception("offering a private chat after a refusal failed")
        return failed

    async def _public(self, reply: Reply, link: InlineKeyboardButton | None = None) -> None:
        target = reply.target
        chat_id = int(target.community_ref)
        thread = self._thread(chat_id, target.thread_ref, target.channel_ref)
        await self.send(
            chat_id, reply.text, keyboard(reply.choices, link), thread=thread, files=reply.files
        )

    async def _private(self, reply: Reply) -> bool:
        """Send to the person's private chat; False when Telegram will not let us."""
        user_id = private_chat_of(reply.target.user_ref)
        if user_id is None or user_id in self.chats.refused:
            return False
        try:
            sent = await self.send(user_id, reply.text, keyboard(reply.choices), files=reply.files)
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
        await self.session.hearth.wrote_privately(
            PLATFORM, reply.target.user_ref or "", reply.target.community_ref
        )
        return True

    def _thread(self, chat_id: int, thread_ref: str | None, channel_ref: str | None) -> int | None:
        if thread_ref is not None:
            return int(thread_ref)
        return self.topics.resolve(chat_id, channel_ref)

    async def _ephemeral(
        self, reply: Reply, trigger: Trigger | None, link: InlineKeyboardButton | None = None
    ) -> None:
        if link is None and await self._private(reply):
            return
        target = reply.target
        chat_id = int(target.community_ref)
        if reply.confidential:  # never in the group; say so, without what it was
            resumes = link is not None  # the refused private message's own link picks it up
            if link is None:
                link, url = self._chat_link(target)
            else:
                url = link.url
            if link is None or url is None:  # an anonymous admin has no private chat
                log.info("a confidential reply had nowhere private to go; not posted")
                return
            key = "telegram_start_me" if resumes else "telegram_for_you_alone"
            reply = Reply(self.session.text(key, link=url), target, reply.visibility)
        elif link is None and reply.only_if is not None:
            link, _ = self._chat_link(target)
        thread = self._thread(chat_id, target.thread_ref, target.channel_ref)
        answering = trigger.message_id if trigger and trigger.chat_id == chat_id else None
        await self.send(
            chat_id,
            reply.text,
            keyboard(reply.choices, link),
            thread=thread,
            reply_to=answering,
            files=reply.files,
        )

    def _chat_link(self, target: Target) -> tuple[InlineKeyboardButton | None, str | None]:
        """The button (and its address) that opens the private chat about this group."""
        payload = deeplink.encode(target.community_ref, None)
        if private_chat_of(target.user_ref) is None or payload is None:
            return None, None
        url = deeplink.link(self.session.username, payload)
        return InlineKeyboardButton(self.session.plain_text("telegram_open_chat"), url=url), url

    async def _unreachable(self, reply: Reply, trigger: Trigger | None) -> list[Reply]:
        """Tell the core, deliver what it says instead, and offer the deep link in the group:
        on the core's own notice in the group if it gave one, else as a reply to the person's
        message when they just asked, else as an invitation when the core says it is due."""
        target = reply.target
        hearth = self.session.hearth
        user_id = private_chat_of(target.user_ref)
        chat_id = int(target.community_ref)
        asked_here = (
            user_id is not None
            and trigger is not None
            and trigger.user_id == user_id
            and trigger.chat_id == chat_id
        )
        reach = await hearth.handle_unreachable(
            Unreachable(
                PLATFORM,
                target.community_ref,
                target.user_ref or "",
                reason="Telegram refused a private message",
                payload={"resume": reply.resume},
                present=asked_here,
            )
        )
        instead = reach.replies
        payload = deeplink.encode(target.community_ref, reply.resume)
        if user_id is None or payload is None:  # anonymous admins have no private chat
            return await self.deliver(instead, None, report=False)
        url = deeplink.link(self.session.username, payload)
        link = InlineKeyboardButton(self.session.plain_text("telegram_open_chat"), url=url)
        notice = next((r for r in instead if self._notice_for(r, target)), None)
        failed = await self.deliver([r for r in instead if r is not notice], None, report=False)
        resumable = (reply.resume or "") in hearth.resumes
        if notice is not None:
            if notice.visibility is Visibility.PUBLIC:
                await self._public(notice, link)
            else:
                await self._ephemeral(notice, trigger, link)
        elif asked_here and trigger is not None:
            text = self.session.text(
                "telegram_start_me" if resumable else "telegram_start_me_again", link=url
            )
            await self.send(
                chat_id,
                text,
                keyboard((), link),
                thread=trigger.thread_id,
                reply_to=trigger.message_id,
            )
        elif reach.notice:
            text = self.session.text(
                "telegram_start_us" if resumable else "telegram_start_us_later", link=url
            )
            await self.send(chat_id, text, keyboard((), link))
        return failed

    @staticmethod
    def _notice_for(reply: Reply, refused: Target) -> bool:
        """A reply of the core's unreachable hook shown in that group, where a link fits."""
        same_group = (
            reply.target.platform == PLATFORM
            and reply.target.community_ref == refused.community_ref
            and reply.target.channel_ref is not None
        )
        if reply.visibility is Visibility.PUBLIC:
            return same_group
        return (
            same_group
            and reply.visibility is Visibility.EPHEMERAL
            and reply.target.user_ref == refused.user_ref
        )

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: InlineKeyboardMarkup | None = None,
        *,
        thread: int | None = None,
        reply_to: int | None = None,
        files: Sequence[Attachment] = (),
    ) -> list[Message]:
        """Send core markup as one or more HTML messages, then each file; buttons go under the
        last message. Raises FilesNotSent when only files remain and a later try may help."""
        texts: list[Part] = list(render(text)) if text.strip() or not files else []
        parts = texts + list(files)
        sent: list[Message] = []
        for number, part in enumerate(parts):
            markup = buttons if number == len(parts) - 1 else None
            answering = (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None
            )
            try:
                try:
                    message = await self._send_one(chat_id, part, thread, answering, markup)
                except BadRequest as error:
                    if thread is None or "thread" not in error.message.lower():
                        raise
                    log.warning("a forum topic is gone or closed; posting in General instead")
                    thread = None
                    message = await self._send_one(chat_id, part, None, answering, markup)
            except TelegramError as error:
                if number >= len(texts) and number > 0 and is_transient(error):
                    raise FilesNotSent(list(files)[number - len(texts) :], error) from error
                raise
            sent.append(message)
        return sent

    async def _send_one(
        self,
        chat_id: int,
        part: Part,
        thread: int | None,
        answering: ReplyParameters | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        """A group upgraded to a supergroup answers with its new id: the community follows it
        (with whatever else waits for the old id), and this message goes to the new one."""
        try:
            return await self._send_here(chat_id, part, thread, answering, markup)
        except ChatMigrated as moved:
            new_id = int(moved.new_chat_id)
            await self.session.hearth.follow(PlaceMoved(PLATFORM, str(chat_id), str(new_id)))
            return await self._send_here(new_id, part, thread, answering, markup)

    async def _send_here(
        self,
        chat_id: int,
        part: Part,
        thread: int | None,
        answering: ReplyParameters | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        if isinstance(part, Attachment):
            return await self._send_file(chat_id, part, thread, answering, markup)
        message: Message = await self.session.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            reply_parameters=answering,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
        return message

    async def _send_file(
        self,
        chat_id: int,
        file: Attachment,
        thread: int | None,
        answering: ReplyParameters | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        """An image as a photo, so it shows in the chat; anything else, or an image Telegram
        will not take as a photo (too large, odd proportions), as a document."""
        options = {
            "filename": file.name,
            "caption": caption(file.alt) or None,
            "message_thread_id": thread,
            "reply_parameters": answering,
            "reply_markup": markup,
        }
        bot = self.session.bot
        if file.is_image and len(file.data) <= PHOTO_LIMIT:
            try:
                photo: Message = await bot.send_photo(chat_id, file.data, **options)
                return photo
            except BadRequest as error:
                if not any(word in error.message.upper() for word in ("PHOTO", "IMAGE")):
                    raise
                log.info("Telegram would not take an image as a photo; sending it as a file")
        document: Message = await bot.send_document(chat_id, file.data, **options)
        return document


def caption(alt: str) -> str:
    """A file's alt text within Telegram's caption limit, shortened with an ellipsis."""
    if utf16_len(alt) <= CAPTION_LIMIT:
        return alt
    kept = alt
    while utf16_len(kept) > CAPTION_LIMIT - 1:
        kept = kept[: len(kept) - max(1, (utf16_len(kept) - CAPTION_LIMIT) // 2)]
    return kept.rstrip() + "…"

"""What every part of the running adapter shares: the core, the bot, and a few small facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import ChatMember, ChatMemberRestricted, Message

from bot.hearth import Hearth
from bot.markup import plain

PLATFORM = "telegram"


@dataclass(frozen=True)
class Session:
    """The core and the bot of one running adapter, with the bot's @username."""

    hearth: Hearth
    bot: Any  # PTB's ExtBot; its generic parameters say nothing useful here
    username: str

    def text(self, key: str, language: str | None = None, /, **params: Any) -> str:
        """A catalog text in the core's markup (for messages sent as HTML)."""
        return self.hearth.catalog.text(key, language or self.hearth.defaults.language, **params)

    def plain_text(self, key: str, language: str | None = None, /, **params: Any) -> str:
        """A catalog text without markup (button labels, pop-ups, plain messages)."""
        return plain(self.text(key, language, **params))


@dataclass(frozen=True)
class Trigger:
    """The group message (or button) a batch of replies answers, for replies in place."""

    chat_id: int
    user_id: int | None
    message_id: int | None = None
    thread_id: int | None = None


def private_chat_of(user_ref: str | None) -> int | None:
    """A person's private chat id; None for anonymous admins and channels (negative ids)."""
    try:
        number = int(user_ref or "")
    except ValueError:
        return None
    return number if number > 0 else None


def thread_of(message: Message) -> int | None:
    """The forum topic a message is in (reply threads of ordinary groups do not count)."""
    return message.message_thread_id if message.is_topic_message else None


def is_in(member: ChatMember) -> bool:
    """Whether this membership status means being in the group."""
    if member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER):
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member

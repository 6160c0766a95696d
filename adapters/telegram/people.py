"""Who is speaking, as facts for the core: name, language, and whether they run the group."""

from __future__ import annotations

from telegram import ChatMember, Message, User

from adapters.telegram.chats import AdminCache
from bot.events import Person

ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def language_of(user: User) -> str | None:
    code = (user.language_code or "").split("-")[0].lower()
    return code or None


def person_with_status(user: User, status: str | None) -> Person:
    return Person(
        user_ref=str(user.id),
        display_name=user.full_name,
        is_platform_admin=status in ADMIN_STATUSES,
        is_platform_owner=status == ChatMember.OWNER,
        language=language_of(user),
    )


class People:
    def __init__(self, admins: AdminCache) -> None:
        self.admins = admins

    async def in_group(self, chat_id: int, user: User) -> Person:
        """A person with their standing in a group (from its cached administrator list)."""
        status = (await self.admins.statuses(chat_id)).get(user.id)
        return person_with_status(user, status)

    async def sender(self, message: Message) -> Person | None:
        """Who wrote a group message; None for other bots and automatic channel forwards."""
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
        return await self.in_group(chat.id, user)

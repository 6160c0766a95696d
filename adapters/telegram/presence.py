"""Where Hearth is in Telegram, told to the core: a group upgraded to a supergroup (both of
its service messages: `migrate_to_chat_id` in the old chat, `migrate_from_chat_id` in the new
one) and Hearth removed from a group or added again (`my_chat_member`). The core does the
rest and takes every notice twice, in any order."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler, ContextTypes, MessageHandler, filters

from adapters.telegram.session import PLATFORM, Session, is_in
from bot.events import HearthAdded, HearthRemoved, PlaceMoved

# After the other handlers, so the administrators' menu is still set on an addition.
GROUP = 1


class Presence:
    def __init__(self, session: Session) -> None:
        self.session = session

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self._on_migrate), GROUP)
        app.add_handler(
            ChatMemberHandler(self._on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER), GROUP
        )

    async def _on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            moved = PlaceMoved(PLATFORM, str(message.chat.id), str(message.migrate_to_chat_id))
        elif message.migrate_from_chat_id is not None:
            moved = PlaceMoved(PLATFORM, str(message.migrate_from_chat_id), str(message.chat.id))
        else:
            return
        await self.session.hearth.follow(moved)

    async def _on_my_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return  # someone blocked or unblocked the bot: nothing to do with a group
        place = str(change.chat.id)
        if not is_in(change.new_chat_member):  # left, or removed by an administrator
            await self.session.hearth.follow(HearthRemoved(PLATFORM, place))
        elif is_in(change.new_chat_member) and not is_in(change.old_chat_member):
            await self.session.hearth.follow(HearthAdded(PLATFORM, place))

"""Conversations: the flow a member is in the middle of, and what it has gathered so far."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa

from bot.domain import Conversation
from storage.sql import (
    JsonText,
    SqlRepo,
    SqlSession,
    insert_on_conflict,
    member_column,
    schema_table,
)

conversations = schema_table(
    "conversations",
    member_column(primary_key=True),
    sa.Column("flow", sa.Text, nullable=False),
    sa.Column("state", JsonText, nullable=False, server_default="{}"),
)


# Statements are built once and run with params: building one costs more than running it.
_GET = sa.select(conversations.c.flow, conversations.c.state).where(
    conversations.c.member_id == sa.bindparam("member_id")
)
_CLEAR = sa.delete(conversations).where(conversations.c.member_id == sa.bindparam("member_id"))


@cache
def _put(dialect: str) -> sa.Insert:
    insert = insert_on_conflict(dialect, conversations)
    return insert.on_conflict_do_update(
        index_elements=[conversations.c.member_id],
        set_={"flow": insert.excluded.flow, "state": insert.excluded.state},
    )


class SqlConversations(SqlRepo):
    section = "mydata_section_conversations"

    def __init__(self, db: SqlSession) -> None:
        super().__init__(db)
        self.written: set[int] = set()

    async def get(self, member_id: int) -> Conversation | None:
        row = await self.db.row(_GET, {"member_id": member_id})
        if row is None:
            return None
        return Conversation(member_id, row.flow, row.state)

    async def put(self, conversation: Conversation) -> None:
        self.written.add(conversation.member_id)
        await self.db.change(
            _put(self.db.dialect),
            {
                "member_id": conversation.member_id,
                "flow": conversation.flow,
                "state": conversation.state,
            },
        )

    async def clear(self, member_id: int) -> None:
        self.written.add(member_id)
        await self.db.change(_CLEAR, {"member_id": member_id})

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        found = await self.get(member_id)
        return [{"flow": found.flow}] if found else []

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_CLEAR, {"member_id": member_id})

"""The reach port's storage: notices per (community, platform, flow), private chats per member
(a member's row going takes theirs with it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from storage.sql import (
    SqlRepo,
    Timestamp,
    community_column,
    insert_on_conflict,
    member_column,
    schema_table,
)

reach_notices = schema_table(
    "reach_notices",
    community_column(primary_key=True),
    sa.Column("platform", sa.Text, primary_key=True, nullable=False),
    sa.Column("flow", sa.Text, primary_key=True, nullable=False),
    sa.Column("noticed_at", Timestamp, nullable=False),
)

private_chats = schema_table(
    "private_chats",
    member_column(primary_key=True),
    sa.Column("written_at", Timestamp, nullable=False),
)


# Statements are built once and run with params: building one costs more than running it.
_WRITTEN_AT = sa.select(private_chats.c.written_at).where(
    private_chats.c.member_id == sa.bindparam("member_id")
)
_ERASE = sa.delete(private_chats).where(private_chats.c.member_id == sa.bindparam("member_id"))
_LAST_NOTICE = sa.select(reach_notices.c.noticed_at).where(
    reach_notices.c.community_id == sa.bindparam("community_id"),
    reach_notices.c.platform == sa.bindparam("platform"),
    reach_notices.c.flow == sa.bindparam("flow"),
)
_LAST_WRITTEN = (
    sa.select(private_chats.c.member_id)
    .where(private_chats.c.member_id.in_(sa.bindparam("member_ids", expanding=True)))
    .order_by(private_chats.c.written_at.desc(), private_chats.c.member_id.desc())
    .limit(1)
)


@cache
def _note_notice(dialect: str) -> sa.Insert:
    insert = insert_on_conflict(dialect, reach_notices)
    return insert.on_conflict_do_update(
        index_elements=[
            reach_notices.c.community_id,
            reach_notices.c.platform,
            reach_notices.c.flow,
        ],
        set_={"noticed_at": insert.excluded.noticed_at},
    )


@cache
def _wrote_privately(dialect: str) -> sa.Insert:
    insert = insert_on_conflict(dialect, private_chats)
    return insert.on_conflict_do_update(
        index_elements=[private_chats.c.member_id],
        set_={"written_at": insert.excluded.written_at},
    )


class SqlReach(SqlRepo):
    section = "mydata_section_private_chat"

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        written = await self.db.scalar(_WRITTEN_AT, {"member_id": member_id})
        return [{"last_written": written}] if written is not None else []

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_ERASE, {"member_id": member_id})

    async def last_notice(self, community_id: int, platform: str, flow: str) -> datetime | None:
        noticed: datetime | None = await self.db.scalar(
            _LAST_NOTICE, {"community_id": community_id, "platform": platform, "flow": flow}
        )
        return noticed

    async def note_notice(self, community_id: int, platform: str, flow: str, at: datetime) -> None:
        await self.db.change(
            _note_notice(self.db.dialect),
            {"community_id": community_id, "platform": platform, "flow": flow, "noticed_at": at},
        )

    async def wrote_privately(self, member_id: int, at: datetime) -> None:
        await self.db.change(
            _wrote_privately(self.db.dialect), {"member_id": member_id, "written_at": at}
        )

    async def last_written(self, member_ids: Sequence[int]) -> int | None:
        if not member_ids:
            return None
        found = await self.db.scalar(_LAST_WRITTEN, {"member_ids": list(member_ids)})
        return int(found) if found is not None else None

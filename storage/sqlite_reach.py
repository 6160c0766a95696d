"""SQLite side of the reach port: notices per (community, platform, flow), private chats per
member (a member's row going takes theirs with it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.sqlite_base import SqliteRepo, dt, ts


class SqliteReach(SqliteRepo):
    section = "mydata_section_private_chat"

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        row = await self._row(
            "SELECT written_at FROM private_chats WHERE member_id = ?", (member_id,)
        )
        return [{"last_written": dt(row[0])}] if row else []

    async def erase_member(self, member_id: int) -> int:
        return await self._change("DELETE FROM private_chats WHERE member_id = ?", (member_id,))

    async def last_notice(self, community_id: int, platform: str, flow: str) -> datetime | None:
        row = await self._row(
            "SELECT noticed_at FROM reach_notices"
            " WHERE community_id = ? AND platform = ? AND flow = ?",
            (community_id, platform, flow),
        )
        return dt(row[0]) if row else None

    async def note_notice(self, community_id: int, platform: str, flow: str, at: datetime) -> None:
        await self._change(
            "INSERT INTO reach_notices (community_id, platform, flow, noticed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (community_id, platform, flow)"
            " DO UPDATE SET noticed_at = excluded.noticed_at",
            (community_id, platform, flow, ts(at)),
        )

    async def wrote_privately(self, member_id: int, at: datetime) -> None:
        await self._change(
            "INSERT INTO private_chats (member_id, written_at) VALUES (?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET written_at = excluded.written_at",
            (member_id, ts(at)),
        )

    async def last_written(self, member_ids: Sequence[int]) -> int | None:
        if not member_ids:
            return None
        marks = ", ".join("?" for _ in member_ids)
        row = await self._row(
            f"SELECT member_id FROM private_chats WHERE member_id IN ({marks})"
            " ORDER BY written_at DESC, member_id DESC LIMIT 1",
            tuple(member_ids),
        )
        return int(row[0]) if row else None

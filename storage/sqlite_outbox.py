"""The outbox in SQLite: one row per message until its platform has taken it."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from bot.domain import OutboxMessage
from bot.markup import plain
from bot.replies import Reply, moved_reply, reply_from_dict, reply_to_dict
from storage.sqlite_base import SqliteRepo, dt, opt_dt, ts

# Waiting messages for the places of paused communities are held, not sent.
_PLACE = "json_extract(reply, '$.target.community_ref')"
_NOT_HELD = (
    f"(platform, {_PLACE}) NOT IN (SELECT l.platform, l.community_ref FROM community_links l"
    " JOIN communities c ON c.id = l.community_id WHERE c.paused_since IS NOT NULL)"
)


def _message(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(row["id"], reply_from_dict(json.loads(row["reply"])), row["attempts"])


class SqliteOutbox(SqliteRepo):
    section = "mydata_section_outbox"

    async def add(self, reply: Reply, now: datetime) -> int:
        return await self._insert(
            "INSERT INTO outbox (created_at, platform, user_ref, reply, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                ts(now),
                reply.target.platform,
                reply.target.user_ref,
                json.dumps(reply_to_dict(reply), ensure_ascii=False),
                ts(now),
            ),
        )

    async def pending(self, now: datetime, limit: int) -> list[OutboxMessage]:
        rows = await self._rows(
            f"SELECT * FROM outbox WHERE next_attempt_at <= ? AND {_NOT_HELD} ORDER BY id LIMIT ?",
            (ts(now), limit),
        )
        return [_message(row) for row in rows]

    async def claim(
        self, now: datetime, *, batch: int, lease: timedelta, owner: str
    ) -> list[OutboxMessage]:
        # One statement under the unit's write lock (BEGIN IMMEDIATE): nobody can claim
        # between the choice and the claim. PostgreSQL will say SELECT ... FOR UPDATE SKIP LOCKED.
        rows = await self._returning(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("
            " SELECT id FROM outbox WHERE next_attempt_at <= ?"
            f" AND (claimed_until IS NULL OR claimed_until <= ?) AND {_NOT_HELD}"
            " ORDER BY id LIMIT ?)"
            " RETURNING *",
            (owner, ts(now + lease), ts(now), ts(now), batch),
        )
        return sorted((_message(row) for row in rows), key=lambda m: m.id)

    async def release(self, owner: str) -> None:
        await self._change(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?",
            (owner,),
        )

    async def remove(self, message_id: int) -> None:
        await self._change("DELETE FROM outbox WHERE id = ?", (message_id,))

    async def postpone(self, message_id: int, until: datetime) -> None:
        await self._change(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
            " claimed_by = NULL, claimed_until = NULL WHERE id = ?",
            (ts(until), message_id),
        )

    async def earliest(self) -> datetime | None:
        row = await self._row(
            "SELECT min(max(next_attempt_at, coalesce(claimed_until, next_attempt_at))) AS m"
            f" FROM outbox WHERE {_NOT_HELD}"
        )
        return opt_dt(row["m"]) if row else None

    async def move_place(self, platform: str, old_ref: str, new_ref: str) -> int:
        rows = await self._rows(
            f"SELECT * FROM outbox WHERE platform = ? AND {_PLACE} = ?", (platform, old_ref)
        )
        for row in rows:
            moved = moved_reply(_message(row).reply, old_ref, new_ref)
            await self._change(
                "UPDATE outbox SET reply = ? WHERE id = ?",
                (json.dumps(reply_to_dict(moved), ensure_ascii=False), row["id"]),
            )
        return len(rows)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT o.* FROM outbox o JOIN members m ON m.platform = o.platform"
            " AND m.user_ref = o.user_ref WHERE m.id = ? ORDER BY o.id",
            (member_id,),
        )
        return [{"since": dt(r["created_at"]), "text": plain(_message(r).reply.text)} for r in rows]

    async def erase_member(self, member_id: int) -> int:
        return await self._change(
            "DELETE FROM outbox WHERE (platform, user_ref) IN"
            " (SELECT platform, user_ref FROM members WHERE id = ?)",
            (member_id,),
        )

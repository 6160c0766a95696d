"""The outbox in memory, with the same contract as SQLite."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import OutboxMessage
from bot.markup import plain
from bot.replies import Reply, moved_reply

if TYPE_CHECKING:
    from storage.memory import MemoryStore


@dataclass
class OutboxRow:
    message: OutboxMessage
    created_at: datetime
    next_attempt_at: datetime
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    def claimable_at(self) -> datetime:
        if self.claimed_until is None:
            return self.next_attempt_at
        return max(self.next_attempt_at, self.claimed_until)


@dataclass
class OutboxState:
    rows: dict[int, OutboxRow] = field(default_factory=dict)


class MemoryOutbox:
    section = "mydata_section_outbox"

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def _rows(self) -> dict[int, OutboxRow]:
        return self._store.state.outbox.rows

    async def add(self, reply: Reply, now: datetime) -> int:
        new_id = self._store.state.new_id("outbox")
        self._rows[new_id] = OutboxRow(OutboxMessage(new_id, reply), now, now)
        return new_id

    def _held(self, row: OutboxRow) -> bool:
        target = row.message.reply.target
        return self._store.state.paused_place(target.platform, target.community_ref)

    async def pending(self, now: datetime, limit: int) -> list[OutboxMessage]:
        due = sorted(
            i for i, row in self._rows.items() if row.next_attempt_at <= now and not self._held(row)
        )
        return [self._rows[i].message for i in due[:limit]]

    async def claim(
        self, now: datetime, *, batch: int, lease: timedelta, owner: str
    ) -> list[OutboxMessage]:
        # Units of work take turns on the store, so choosing and claiming cannot interleave.
        free = sorted(
            i for i, row in self._rows.items() if row.claimable_at() <= now and not self._held(row)
        )[:batch]
        for i in free:
            self._rows[i].claimed_by = owner
            self._rows[i].claimed_until = now + lease
        return [self._rows[i].message for i in free]

    async def release(self, owner: str) -> None:
        for row in self._rows.values():
            if row.claimed_by == owner:
                row.claimed_by = row.claimed_until = None

    async def remove(self, message_id: int) -> None:
        self._rows.pop(message_id, None)

    async def postpone(self, message_id: int, until: datetime) -> None:
        row = self._rows.get(message_id)
        if row is not None:
            attempts = row.message.attempts + 1
            row.message = replace(row.message, attempts=attempts)
            row.next_attempt_at = until
            row.claimed_by = row.claimed_until = None

    async def earliest(self) -> datetime | None:
        return min(
            (row.claimable_at() for row in self._rows.values() if not self._held(row)),
            default=None,
        )

    async def move_place(self, platform: str, old_ref: str, new_ref: str) -> int:
        moved = 0
        for row in self._rows.values():
            reply = row.message.reply
            if reply.target.platform == platform and reply.target.community_ref == old_ref:
                row.message = replace(row.message, reply=moved_reply(reply, old_ref, new_ref))
                moved += 1
        return moved

    def _addressed_to(self, member_id: int) -> list[int]:
        member = self._store.state.members.get(member_id)
        if member is None:
            return []
        return sorted(
            i
            for i, row in self._rows.items()
            if row.message.reply.target.platform == member.platform
            and row.message.reply.target.user_ref == member.user_ref
        )

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [
            {
                "since": self._rows[i].created_at,
                "text": plain(self._rows[i].message.reply.text),
            }
            for i in self._addressed_to(member_id)
        ]

    async def erase_member(self, member_id: int) -> int:
        doomed = self._addressed_to(member_id)
        for i in doomed:
            del self._rows[i]
        return len(doomed)

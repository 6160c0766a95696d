"""The outbox: one row per message until its platform has taken it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.domain import OutboxMessage
from bot.markup import plain
from bot.replies import Reply, moved_reply, reply_from_dict, reply_to_dict
from storage.sql import JsonText, SqlRepo, Timestamp, metadata

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("user_ref", sa.Text),
    sa.Column("reply", JsonText, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", Timestamp, nullable=False),
    # A pump claims what it is about to send (0013_outbox_claims): a dead pump's claims lapse.
    sa.Column("claimed_by", sa.Text),
    sa.Column("claimed_until", Timestamp),
    sa.Index("outbox_by_next_attempt", "next_attempt_at", "id"),
    sa.Index("outbox_by_person", "platform", "user_ref"),
)

# Lightweight references to tables other modules own (storage/communities.py, members);
# the lead unifies them with those modules' Tables at merge.
_communities = sa.table("communities", sa.column("id"), sa.column("paused_since"))
_links = sa.table(
    "community_links", sa.column("platform"), sa.column("community_ref"), sa.column("community_id")
)
_members = sa.table("members", sa.column("id"), sa.column("platform"), sa.column("user_ref"))

# The place a message goes to, read from its reply. JsonText is text on every engine, so
# PostgreSQL will need a cast to JSON here when it arrives.
_place = sa.type_coerce(outbox.c.reply, sa.JSON)[("target", "community_ref")].as_string()


def _not_held() -> sa.ColumnElement[bool]:
    """Waiting messages for the places of paused communities are held, not sent."""
    paused_places = (
        sa.select(_links.c.platform, _links.c.community_ref)
        .join(_communities, _communities.c.id == _links.c.community_id)
        .where(_communities.c.paused_since.is_not(None))
    )
    return sa.tuple_(outbox.c.platform, _place).not_in(paused_places)


_MESSAGE = (outbox.c.id, outbox.c.reply, outbox.c.attempts)


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(row.id, reply_from_dict(row.reply), row.attempts)


class SqlOutbox(SqlRepo):
    section = "mydata_section_outbox"

    async def add(self, reply: Reply, now: datetime) -> int:
        return await self.db.insert(
            sa.insert(outbox).values(
                created_at=now,
                platform=reply.target.platform,
                user_ref=reply.target.user_ref,
                reply=reply_to_dict(reply),
                next_attempt_at=now,
            )
        )

    async def pending(self, now: datetime, limit: int) -> list[OutboxMessage]:
        rows = await self.db.rows(
            sa.select(*_MESSAGE)
            .where(outbox.c.next_attempt_at <= now, _not_held())
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [_message(row) for row in rows]

    async def claim(
        self, now: datetime, *, batch: int, lease: timedelta, owner: str
    ) -> list[OutboxMessage]:
        # One statement under the unit's write lock (BEGIN IMMEDIATE): nobody can claim
        # between the choice and the claim. PostgreSQL will say SELECT ... FOR UPDATE SKIP LOCKED.
        claimable = (
            sa.select(outbox.c.id)
            .where(
                outbox.c.next_attempt_at <= now,
                sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
                _not_held(),
            )
            .order_by(outbox.c.id)
            .limit(batch)
        )
        rows = await self.db.returning(
            sa.update(outbox)
            .where(outbox.c.id.in_(claimable))
            .values(claimed_by=owner, claimed_until=now + lease)
            .returning(*_MESSAGE)
        )
        return sorted((_message(row) for row in rows), key=lambda m: m.id)

    async def release(self, owner: str) -> None:
        await self.db.change(
            sa.update(outbox)
            .where(outbox.c.claimed_by == owner)
            .values(claimed_by=None, claimed_until=None)
        )

    async def remove(self, message_id: int) -> None:
        await self.db.change(sa.delete(outbox).where(outbox.c.id == message_id))

    async def postpone(self, message_id: int, until: datetime) -> None:
        await self.db.change(
            sa.update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                attempts=outbox.c.attempts + 1,
                next_attempt_at=until,
                claimed_by=None,
                claimed_until=None,
            )
        )

    async def earliest(self) -> datetime | None:
        # When each message may next go: its next attempt, or its claim's end if later.
        may_go = sa.case(
            (outbox.c.claimed_until > outbox.c.next_attempt_at, outbox.c.claimed_until),
            else_=outbox.c.next_attempt_at,
        )
        found: datetime | None = await self.db.scalar(
            sa.select(sa.func.min(may_go)).where(_not_held())
        )
        return found

    async def move_place(self, platform: str, old_ref: str, new_ref: str) -> int:
        rows = await self.db.rows(
            sa.select(*_MESSAGE).where(outbox.c.platform == platform, _place == old_ref)
        )
        for row in rows:
            moved = moved_reply(_message(row).reply, old_ref, new_ref)
            await self.db.change(
                sa.update(outbox).where(outbox.c.id == row.id).values(reply=reply_to_dict(moved))
            )
        return len(rows)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(
            sa.select(outbox.c.created_at, *_MESSAGE)
            .join(
                _members,
                sa.and_(
                    _members.c.platform == outbox.c.platform,
                    _members.c.user_ref == outbox.c.user_ref,
                ),
            )
            .where(_members.c.id == member_id)
            .order_by(outbox.c.id)
        )
        return [{"since": row.created_at, "text": plain(_message(row).reply.text)} for row in rows]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(
            sa.delete(outbox).where(
                sa.tuple_(outbox.c.platform, outbox.c.user_ref).in_(
                    sa.select(_members.c.platform, _members.c.user_ref).where(
                        _members.c.id == member_id
                    )
                )
            )
        )

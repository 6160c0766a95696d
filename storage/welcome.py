"""The welcome and the buddies in SQL: their tables (migrations 0004 and 0009) and repositories.

Every row about a person cascades with the member, and /forgetme erases them explicitly too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.welcome_records import (
    BuddyRequest,
    Contribution,
    Intro,
    Onboarding,
    Pairing,
    PairingStatus,
    Step,
    Volunteer,
)
from storage import welcome_export as export
from storage.sql import SqlRepo, Timestamp, metadata, upsert


def _community() -> sa.Column[int]:
    return sa.Column(
        "community_id",
        sa.Integer,
        sa.ForeignKey("communities.id", ondelete="CASCADE"),
        nullable=False,
    )


def _member(name: str = "member_id", *, primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey("members.id", ondelete="CASCADE"),
        primary_key=primary_key,
        autoincrement=False,  # a member's key, never a SERIAL of its own
        nullable=False,
    )


# -- Tables: they mirror storage/migrations/0004_welcome.sql and 0009_buddy_pauses.sql ---------

# Joins waiting for their public welcome.
welcome_joins = sa.Table(
    "welcome_joins",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _community(),
    _member(),
    sa.Column("joined_at", Timestamp, nullable=False),
    sa.Column("welcomed_at", Timestamp),
    sa.Index("welcome_joins_by_community", "community_id", "joined_at"),
    sa.Index("welcome_joins_by_member", "member_id"),
)

welcome_onboardings = sa.Table(
    "welcome_onboardings",
    metadata,
    _member(primary_key=True),
    _community(),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("brings", sa.Text),
    sa.Column("unsure", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("wants_buddy", sa.Boolean),
    sa.Column("channel", sa.Text),
    sa.Column("fallback_offered", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("completed_at", Timestamp),
    sa.Index("welcome_onboardings_by_completion", "community_id", "completed_at"),
)

# What members said they could bring.
welcome_contributions = sa.Table(
    "welcome_contributions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _community(),
    _member(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("welcome_contributions_by_community", "community_id", "id"),
    sa.Index("welcome_contributions_by_member", "member_id"),
)

welcome_intros = sa.Table(
    "welcome_intros",
    metadata,
    _member(primary_key=True),
    _community(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("posted_at", Timestamp),
)

buddy_volunteers = sa.Table(
    "buddy_volunteers",
    metadata,
    _member(primary_key=True),
    _community(),
    sa.Column("since", Timestamp, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # A bare number: a Python "2" would render as the string '2'.
    sa.Column("open_limit", sa.Integer, nullable=False, server_default=sa.text("2")),
    # 0009: NULL when not paused; paused_until NULL for a pause until /pause off.
    sa.Column("paused_at", Timestamp),
    sa.Column("paused_until", Timestamp),
    sa.Index("buddy_volunteers_by_community", "community_id", "active"),
)

buddy_pairings = sa.Table(
    "buddy_pairings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _community(),
    _member("newcomer_id"),
    _member("buddy_id"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("greeted_at", Timestamp),
    sa.Column("ended_at", Timestamp),
    sa.Index("buddy_pairings_by_community", "community_id", "status", "created_at"),
    sa.Index("buddy_pairings_by_newcomer", "newcomer_id"),
    sa.Index("buddy_pairings_by_buddy", "buddy_id"),
)

buddy_requests = sa.Table(
    "buddy_requests",
    metadata,
    _member(primary_key=True),
    _community(),
    sa.Column("requested_at", Timestamp, nullable=False),
    sa.Index("buddy_requests_by_community", "community_id", "requested_at"),
)


# -- The welcome ------------------------------------------------------------------------------


# Rows are read by unpacking, in the table's column order: a Row's attribute access costs
# about ten times more, which showed in the benchmark for lists of hundreds of rows.


def _onboarding(row: Sequence[Any]) -> Onboarding:
    member_id, community_id, started_at, step, brings, unsure, wants, channel, offered, done = row
    return Onboarding(
        member_id,
        community_id,
        started_at,
        Step(step),
        brings,
        unsure,
        wants,
        channel,
        offered,
        done,
    )


def _contribution(row: Sequence[Any]) -> Contribution:
    id_, community_id, member_id, text, source, created_at = row
    return Contribution(id_, community_id, member_id, text, source, created_at)


def _intro(row: Sequence[Any]) -> Intro:
    member_id, community_id, text, created_at, posted_at = row
    return Intro(member_id, community_id, text, created_at, posted_at)


class SqlWelcome(SqlRepo):
    section = export.WELCOME_SECTION

    async def add_join(self, *, community_id: int, member_id: int, at: datetime) -> None:
        await self.db.insert(
            sa.insert(welcome_joins).values(
                community_id=community_id, member_id=member_id, joined_at=at
            )
        )

    async def unwelcomed(self, community_id: int) -> list[int]:
        """Members with a join not yet welcomed, in the order of their first such join."""
        j = welcome_joins.c
        rows = await self.db.rows(
            sa.select(j.member_id)
            .where(j.community_id == community_id, j.welcomed_at.is_(None))
            .group_by(j.member_id)
            .order_by(sa.func.min(j.id))
        )
        return [member_id for (member_id,) in rows]

    async def mark_welcomed(
        self, community_id: int, member_ids: Sequence[int], at: datetime
    ) -> None:
        j = welcome_joins.c
        for member_id in member_ids:
            await self.db.change(
                sa.update(welcome_joins)
                .where(
                    j.community_id == community_id,
                    j.member_id == member_id,
                    j.welcomed_at.is_(None),
                )
                .values(welcomed_at=at)
            )

    async def count_joins(self, community_id: int, since: datetime) -> int:
        j = welcome_joins.c
        count = await self.db.scalar(
            sa.select(sa.func.count())
            .select_from(welcome_joins)
            .where(j.community_id == community_id, j.joined_at >= since)
        )
        return int(count or 0)

    async def get_onboarding(self, member_id: int) -> Onboarding | None:
        row = await self.db.row(
            sa.select(welcome_onboardings).where(welcome_onboardings.c.member_id == member_id)
        )
        return _onboarding(row) if row else None

    async def save_onboarding(self, onboarding: Onboarding) -> None:
        o = onboarding
        insert = upsert(self.db, welcome_onboardings).values(
            member_id=o.member_id,
            community_id=o.community_id,
            started_at=o.started_at,
            step=o.step.value,
            brings=o.brings,
            unsure=o.unsure,
            wants_buddy=o.wants_buddy,
            channel=o.channel,
            fallback_offered=o.fallback_offered,
            completed_at=o.completed_at,
        )
        new = insert.excluded
        await self.db.change(
            insert.on_conflict_do_update(
                index_elements=[welcome_onboardings.c.member_id],
                set_={
                    "started_at": new.started_at,
                    "step": new.step,
                    "brings": new.brings,
                    "unsure": new.unsure,
                    "wants_buddy": new.wants_buddy,
                    "channel": new.channel,
                    "fallback_offered": new.fallback_offered,
                    "completed_at": new.completed_at,
                },
            )
        )

    async def count_completed(self, community_id: int, since: datetime) -> int:
        o = welcome_onboardings.c
        count = await self.db.scalar(
            sa.select(sa.func.count())
            .select_from(welcome_onboardings)
            .where(o.community_id == community_id, o.completed_at >= since)
        )
        return int(count or 0)

    async def add_contribution(
        self, *, community_id: int, member_id: int, text: str, source: str, at: datetime
    ) -> Contribution:
        new_id = await self.db.insert(
            sa.insert(welcome_contributions).values(
                community_id=community_id,
                member_id=member_id,
                text=text,
                source=source,
                created_at=at,
            )
        )
        return Contribution(new_id, community_id, member_id, text, source, at)

    async def contributions(
        self, community_id: int, member_id: int | None = None
    ) -> list[Contribution]:
        c = welcome_contributions.c
        query = sa.select(welcome_contributions).where(c.community_id == community_id)
        if member_id is not None:
            query = query.where(c.member_id == member_id)
        rows = await self.db.rows(query.order_by(c.id))
        return [_contribution(row) for row in rows]

    async def remove_contribution(self, contribution_id: int) -> bool:
        changed = await self.db.change(
            sa.delete(welcome_contributions).where(welcome_contributions.c.id == contribution_id)
        )
        return changed > 0

    async def get_intro(self, member_id: int) -> Intro | None:
        row = await self.db.row(
            sa.select(welcome_intros).where(welcome_intros.c.member_id == member_id)
        )
        return _intro(row) if row else None

    async def save_intro(self, intro: Intro) -> None:
        insert = upsert(self.db, welcome_intros).values(
            member_id=intro.member_id,
            community_id=intro.community_id,
            text=intro.text,
            created_at=intro.created_at,
            posted_at=intro.posted_at,
        )
        new = insert.excluded
        await self.db.change(
            insert.on_conflict_do_update(
                index_elements=[welcome_intros.c.member_id],
                set_={
                    "text": new.text,
                    "created_at": new.created_at,
                    "posted_at": new.posted_at,
                },
            )
        )

    async def remove_intro(self, member_id: int) -> bool:
        changed = await self.db.change(
            sa.delete(welcome_intros).where(welcome_intros.c.member_id == member_id)
        )
        return changed > 0

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        j = welcome_joins.c
        joins = await self.db.rows(
            sa.select(j.joined_at, j.welcomed_at).where(j.member_id == member_id).order_by(j.id)
        )
        rows = [export.join_row(join.joined_at, join.welcomed_at) for join in joins]
        onboarding = await self.get_onboarding(member_id)
        if onboarding is not None:
            rows.append(export.onboarding_row(onboarding))
        c = welcome_contributions.c
        contributions = await self.db.rows(
            sa.select(welcome_contributions).where(c.member_id == member_id).order_by(c.id)
        )
        rows.extend(export.contribution_row(_contribution(row)) for row in contributions)
        intro = await self.get_intro(member_id)
        if intro is not None:
            rows.append(export.intro_row(intro))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = 0
        for table in (welcome_joins, welcome_onboardings, welcome_contributions, welcome_intros):
            count += await self.db.change(sa.delete(table).where(table.c.member_id == member_id))
        return count


# -- The buddies ------------------------------------------------------------------------------


def _volunteer(row: Sequence[Any]) -> Volunteer:
    member_id, community_id, since, active, open_limit, paused_at, paused_until = row
    return Volunteer(member_id, community_id, since, active, open_limit, paused_at, paused_until)


def _pairing(row: Sequence[Any]) -> Pairing:
    id_, community_id, newcomer_id, buddy_id, created_at, status, greeted_at, ended_at = row
    return Pairing(
        id_,
        community_id,
        newcomer_id,
        buddy_id,
        created_at,
        PairingStatus(status),
        greeted_at,
        ended_at,
    )


def _request(row: Sequence[Any]) -> BuddyRequest:
    member_id, community_id, requested_at = row
    return BuddyRequest(member_id, community_id, requested_at)


class SqlBuddies(SqlRepo):
    section = export.BUDDY_SECTION

    async def get_volunteer(self, member_id: int) -> Volunteer | None:
        row = await self.db.row(
            sa.select(buddy_volunteers).where(buddy_volunteers.c.member_id == member_id)
        )
        return _volunteer(row) if row else None

    async def save_volunteer(self, volunteer: Volunteer) -> None:
        insert = upsert(self.db, buddy_volunteers).values(
            member_id=volunteer.member_id,
            community_id=volunteer.community_id,
            since=volunteer.since,
            active=volunteer.active,
            open_limit=volunteer.open_limit,
            paused_at=volunteer.paused_at,
            paused_until=volunteer.paused_until,
        )
        new = insert.excluded
        await self.db.change(
            insert.on_conflict_do_update(
                index_elements=[buddy_volunteers.c.member_id],
                set_={
                    "since": new.since,
                    "active": new.active,
                    "open_limit": new.open_limit,
                    "paused_at": new.paused_at,
                    "paused_until": new.paused_until,
                },
            )
        )

    async def volunteers(self, community_id: int) -> list[Volunteer]:
        v = buddy_volunteers.c
        rows = await self.db.rows(
            sa.select(buddy_volunteers)
            .where(v.community_id == community_id, v.active)
            .order_by(v.since, v.member_id)
        )
        return [_volunteer(row) for row in rows]

    async def add_pairing(
        self, *, community_id: int, newcomer_id: int, buddy_id: int, at: datetime
    ) -> Pairing:
        new_id = await self.db.insert(
            sa.insert(buddy_pairings).values(
                community_id=community_id,
                newcomer_id=newcomer_id,
                buddy_id=buddy_id,
                created_at=at,
                status=PairingStatus.OPEN.value,
            )
        )
        return Pairing(new_id, community_id, newcomer_id, buddy_id, at)

    async def get_pairing(self, pairing_id: int) -> Pairing | None:
        row = await self.db.row(sa.select(buddy_pairings).where(buddy_pairings.c.id == pairing_id))
        return _pairing(row) if row else None

    async def save_pairing(self, pairing: Pairing) -> None:
        await self.db.change(
            sa.update(buddy_pairings)
            .where(buddy_pairings.c.id == pairing.id)
            .values(
                status=pairing.status.value,
                greeted_at=pairing.greeted_at,
                ended_at=pairing.ended_at,
            )
        )

    async def pairings_of(self, member_id: int) -> list[Pairing]:
        p = buddy_pairings.c
        rows = await self.db.rows(
            sa.select(buddy_pairings)
            .where(sa.or_(p.newcomer_id == member_id, p.buddy_id == member_id))
            .order_by(p.id)
        )
        return [_pairing(row) for row in rows]

    async def open_pairings(self, community_id: int) -> list[Pairing]:
        p = buddy_pairings.c
        rows = await self.db.rows(
            sa.select(buddy_pairings)
            .where(p.community_id == community_id, p.status == PairingStatus.OPEN.value)
            .order_by(p.id)
        )
        return [_pairing(row) for row in rows]

    async def pairings_since(self, community_id: int, since: datetime) -> list[Pairing]:
        p = buddy_pairings.c
        rows = await self.db.rows(
            sa.select(buddy_pairings)
            .where(p.community_id == community_id, p.created_at >= since)
            .order_by(p.id)
        )
        return [_pairing(row) for row in rows]

    async def get_request(self, member_id: int) -> BuddyRequest | None:
        row = await self.db.row(
            sa.select(buddy_requests).where(buddy_requests.c.member_id == member_id)
        )
        return _request(row) if row else None

    async def add_request(self, request: BuddyRequest) -> None:
        insert = upsert(self.db, buddy_requests).values(
            member_id=request.member_id,
            community_id=request.community_id,
            requested_at=request.requested_at,
        )
        await self.db.change(
            insert.on_conflict_do_update(
                index_elements=[buddy_requests.c.member_id],
                set_={"requested_at": insert.excluded.requested_at},
            )
        )

    async def remove_request(self, member_id: int) -> bool:
        changed = await self.db.change(
            sa.delete(buddy_requests).where(buddy_requests.c.member_id == member_id)
        )
        return changed > 0

    async def waiting(self, community_id: int) -> list[BuddyRequest]:
        """Requests of newcomers with no open pairing, oldest first."""
        r, p = buddy_requests.c, buddy_pairings.c
        has_open = sa.exists().where(
            p.newcomer_id == r.member_id, p.status == PairingStatus.OPEN.value
        )
        rows = await self.db.rows(
            sa.select(buddy_requests)
            .where(r.community_id == community_id, ~has_open)
            .order_by(r.requested_at, r.member_id)
        )
        return [_request(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        volunteer = await self.get_volunteer(member_id)
        if volunteer is not None:
            rows.append(export.volunteer_row(volunteer))
        request = await self.get_request(member_id)
        if request is not None:
            rows.append(export.request_row(request))
        rows.extend(export.pairing_row(p, member_id) for p in await self.pairings_of(member_id))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = await self.db.change(
            sa.delete(buddy_volunteers).where(buddy_volunteers.c.member_id == member_id)
        )
        count += await self.db.change(
            sa.delete(buddy_requests).where(buddy_requests.c.member_id == member_id)
        )
        p = buddy_pairings.c
        count += await self.db.change(
            sa.delete(buddy_pairings).where(
                sa.or_(p.newcomer_id == member_id, p.buddy_id == member_id)
            )
        )
        return count

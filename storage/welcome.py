"""The welcome and the buddies in SQL: their tables (migrations 0004, 0009 and 0019) and
repositories.

Every row about a person cascades with the member, and /forgetme erases them explicitly too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.services.welcome.records import (
    BuddyRequest,
    Contribution,
    Intro,
    Newcomer,
    Onboarding,
    Pairing,
    PairingStatus,
    Step,
    Volunteer,
)
from storage import welcome_export as export
from storage.sql import (
    Flag,
    SqlRepo,
    Timestamp,
    community_column,
    community_table,
    member_column,
    schema_table,
    upsert,
)

# -- Tables: they mirror storage/migrations/0004_welcome.sql and 0009_buddy_pauses.sql ---------

# Joins waiting for their public welcome.
welcome_joins = community_table(
    "welcome_joins",
    member_column(),
    sa.Column("joined_at", Timestamp, nullable=False),
    sa.Column("welcomed_at", Timestamp),
    # 0019: when they first answered a follow-up after this join (for the welcome funnel).
    sa.Column("followup_answered_at", Timestamp),
    sa.Index("welcome_joins_by_community", "community_id", "joined_at"),
    sa.Index("welcome_joins_by_member", "member_id"),
)

welcome_onboardings = schema_table(
    "welcome_onboardings",
    member_column(primary_key=True),
    community_column(),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("brings", sa.Text),
    sa.Column("unsure", Flag, nullable=False, server_default=sa.false()),
    sa.Column("wants_buddy", Flag),
    sa.Column("channel", sa.Text),
    sa.Column("fallback_offered", Flag, nullable=False, server_default=sa.false()),
    sa.Column("completed_at", Timestamp),
    sa.Index("welcome_onboardings_by_completion", "community_id", "completed_at"),
)

# What members said they could bring.
welcome_contributions = community_table(
    "welcome_contributions",
    member_column(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("welcome_contributions_by_community", "community_id", "id"),
    sa.Index("welcome_contributions_by_member", "member_id"),
)

welcome_intros = schema_table(
    "welcome_intros",
    member_column(primary_key=True),
    community_column(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("posted_at", Timestamp),
)

buddy_volunteers = schema_table(
    "buddy_volunteers",
    member_column(primary_key=True),
    community_column(),
    sa.Column("since", Timestamp, nullable=False),
    sa.Column("active", Flag, nullable=False, server_default=sa.true()),
    # A bare number: a Python "2" would render as the string '2'.
    sa.Column("open_limit", sa.Integer, nullable=False, server_default=sa.text("2")),
    # 0009: NULL when not paused; paused_until NULL for a pause until /pause off.
    sa.Column("paused_at", Timestamp),
    sa.Column("paused_until", Timestamp),
    sa.Index("buddy_volunteers_by_community", "community_id", "active"),
)

buddy_pairings = community_table(
    "buddy_pairings",
    member_column("newcomer_id"),
    member_column("buddy_id"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("greeted_at", Timestamp),
    sa.Column("ended_at", Timestamp),
    sa.Index("buddy_pairings_by_community", "community_id", "status", "created_at"),
    sa.Index("buddy_pairings_by_newcomer", "newcomer_id"),
    sa.Index("buddy_pairings_by_buddy", "buddy_id"),
)

buddy_requests = schema_table(
    "buddy_requests",
    member_column(primary_key=True),
    community_column(),
    sa.Column("requested_at", Timestamp, nullable=False),
    sa.Index("buddy_requests_by_community", "community_id", "requested_at"),
)


# Statements are built once, here, and run with their values as parameters: building a
# statement and its cache key on every call cost five times what running it does (about
# 300 against 60 microseconds), which showed in the benchmark.
#
# Rows are read by unpacking, in the table's column order: a Row's attribute access costs
# about ten times more, which showed for lists of hundreds of rows.

_joins, _onboardings = welcome_joins.c, welcome_onboardings.c
_contributions, _intros = welcome_contributions.c, welcome_intros.c
_volunteers, _pairings, _requests = buddy_volunteers.c, buddy_pairings.c, buddy_requests.c
_community_id = sa.bindparam("community_id", type_=sa.Integer)
_member_id = sa.bindparam("member_id", type_=sa.Integer)
_since = sa.bindparam("since", type_=Timestamp)
_OPEN = PairingStatus.OPEN.value

# -- The welcome ------------------------------------------------------------------------------

_ADD_JOIN = sa.insert(welcome_joins)
# Members with a join not yet welcomed, in the order of their first such join.
_UNWELCOMED = (
    sa.select(_joins.member_id)
    .where(_joins.community_id == _community_id, _joins.welcomed_at.is_(None))
    .group_by(_joins.member_id)
    .order_by(sa.func.min(_joins.id))
)
# An UPDATE's parameters may not be named after its table's columns.
_MARK_WELCOMED = (
    sa.update(welcome_joins)
    .where(
        _joins.community_id == sa.bindparam("community"),
        _joins.member_id == sa.bindparam("member"),
        _joins.welcomed_at.is_(None),
    )
    .values(welcomed_at=sa.bindparam("at"))
)
_COUNT_JOINS = (
    sa.select(sa.func.count())
    .select_from(welcome_joins)
    .where(_joins.community_id == _community_id, _joins.joined_at >= _since)
)
_JOINS_OF = (
    sa.select(_joins.joined_at, _joins.welcomed_at, _joins.followup_answered_at)
    .where(_joins.member_id == _member_id)
    .order_by(_joins.id)
)
# A follow-up answer belongs to the member's latest join: the one whose follow-ups they got.
_MARK_FOLLOWUP = (
    sa.update(welcome_joins)
    .where(
        _joins.id
        == sa.select(sa.func.max(_joins.id))
        .where(_joins.member_id == sa.bindparam("member"))
        .scalar_subquery(),
        _joins.followup_answered_at.is_(None),
    )
    .values(followup_answered_at=sa.bindparam("at"))
)


def _ever(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
    """1 when any of a group's rows meets the condition, else 0 (both engines)."""
    return sa.func.max(sa.case((condition, 1), else_=0))


_PAIRED_SINCE = sa.exists().where(
    _pairings.newcomer_id == _joins.member_id,
    _pairings.community_id == _joins.community_id,
    _pairings.created_at >= _since,
)
# Everyone who joined since then, once, with how far their welcome went.
_NEWCOMERS = (
    sa.select(
        _joins.member_id,
        _ever(_onboardings.completed_at.is_not(None)),
        _ever(_PAIRED_SINCE),
        _ever(_joins.followup_answered_at.is_not(None)),
    )
    .select_from(
        welcome_joins.outerjoin(welcome_onboardings, _onboardings.member_id == _joins.member_id)
    )
    .where(_joins.community_id == _community_id, _joins.joined_at >= _since)
    .group_by(_joins.member_id)
    .order_by(_joins.member_id)
)
_ONBOARDING = sa.select(welcome_onboardings).where(_onboardings.member_id == _member_id)
_COUNT_COMPLETED = (
    sa.select(sa.func.count())
    .select_from(welcome_onboardings)
    .where(_onboardings.community_id == _community_id, _onboardings.completed_at >= _since)
)
_ADD_CONTRIBUTION = sa.insert(welcome_contributions)
_CONTRIBUTIONS = (
    sa.select(welcome_contributions)
    .where(_contributions.community_id == _community_id)
    .order_by(_contributions.id)
)
_CONTRIBUTIONS_OF = _CONTRIBUTIONS.where(_contributions.member_id == _member_id)
_CONTRIBUTIONS_FOR_EXPORT = (
    sa.select(welcome_contributions)
    .where(_contributions.member_id == _member_id)
    .order_by(_contributions.id)
)
_REMOVE_CONTRIBUTION = sa.delete(welcome_contributions).where(
    _contributions.id == sa.bindparam("contribution_id")
)
_INTRO = sa.select(welcome_intros).where(_intros.member_id == _member_id)
_REMOVE_INTRO = sa.delete(welcome_intros).where(_intros.member_id == _member_id)
_ERASE_WELCOME = [
    sa.delete(table).where(table.c.member_id == _member_id)
    for table in (welcome_joins, welcome_onboardings, welcome_contributions, welcome_intros)
]


def _newcomer(row: Sequence[Any]) -> Newcomer:
    member_id, onboarded, paired, answered = row
    return Newcomer(member_id, bool(onboarded), bool(paired), bool(answered))


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
            _ADD_JOIN, {"community_id": community_id, "member_id": member_id, "joined_at": at}
        )

    async def unwelcomed(self, community_id: int) -> list[int]:
        rows = await self.db.rows(_UNWELCOMED, {"community_id": community_id})
        return [member_id for (member_id,) in rows]

    async def mark_welcomed(
        self, community_id: int, member_ids: Sequence[int], at: datetime
    ) -> None:
        for member_id in member_ids:
            await self.db.change(
                _MARK_WELCOMED, {"community": community_id, "member": member_id, "at": at}
            )

    async def count_joins(self, community_id: int, since: datetime) -> int:
        count = await self.db.scalar(_COUNT_JOINS, {"community_id": community_id, "since": since})
        return int(count or 0)

    async def mark_followup_answered(self, member_id: int, at: datetime) -> None:
        await self.db.change(_MARK_FOLLOWUP, {"member": member_id, "at": at})

    async def newcomers(self, community_id: int, since: datetime) -> list[Newcomer]:
        rows = await self.db.rows(_NEWCOMERS, {"community_id": community_id, "since": since})
        return [_newcomer(row) for row in rows]

    async def get_onboarding(self, member_id: int) -> Onboarding | None:
        row = await self.db.row(_ONBOARDING, {"member_id": member_id})
        return _onboarding(row) if row else None

    async def save_onboarding(self, onboarding: Onboarding) -> None:
        o = onboarding
        changing = (
            "started_at",
            "step",
            "brings",
            "unsure",
            "wants_buddy",
            "channel",
            "fallback_offered",
            "completed_at",
        )
        await self.db.change(
            upsert(self.db, welcome_onboardings, *changing),
            {
                "member_id": o.member_id,
                "community_id": o.community_id,
                "started_at": o.started_at,
                "step": o.step.value,
                "brings": o.brings,
                "unsure": o.unsure,
                "wants_buddy": o.wants_buddy,
                "channel": o.channel,
                "fallback_offered": o.fallback_offered,
                "completed_at": o.completed_at,
            },
        )

    async def count_completed(self, community_id: int, since: datetime) -> int:
        count = await self.db.scalar(
            _COUNT_COMPLETED, {"community_id": community_id, "since": since}
        )
        return int(count or 0)

    async def add_contribution(
        self, *, community_id: int, member_id: int, text: str, source: str, at: datetime
    ) -> Contribution:
        new_id = await self.db.insert(
            _ADD_CONTRIBUTION,
            {
                "community_id": community_id,
                "member_id": member_id,
                "text": text,
                "source": source,
                "created_at": at,
            },
        )
        return Contribution(new_id, community_id, member_id, text, source, at)

    async def contributions(
        self, community_id: int, member_id: int | None = None
    ) -> list[Contribution]:
        if member_id is None:
            rows = await self.db.rows(_CONTRIBUTIONS, {"community_id": community_id})
        else:
            rows = await self.db.rows(
                _CONTRIBUTIONS_OF, {"community_id": community_id, "member_id": member_id}
            )
        return [_contribution(row) for row in rows]

    async def remove_contribution(self, contribution_id: int) -> bool:
        changed = await self.db.change(_REMOVE_CONTRIBUTION, {"contribution_id": contribution_id})
        return changed > 0

    async def get_intro(self, member_id: int) -> Intro | None:
        row = await self.db.row(_INTRO, {"member_id": member_id})
        return _intro(row) if row else None

    async def save_intro(self, intro: Intro) -> None:
        await self.db.change(
            upsert(self.db, welcome_intros, "text", "created_at", "posted_at"),
            {
                "member_id": intro.member_id,
                "community_id": intro.community_id,
                "text": intro.text,
                "created_at": intro.created_at,
                "posted_at": intro.posted_at,
            },
        )

    async def remove_intro(self, member_id: int) -> bool:
        return await self.db.change(_REMOVE_INTRO, {"member_id": member_id}) > 0

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        joins = await self._joins_of(member_id)
        rows = [
            export.join_row(join.joined_at, join.welcomed_at, join.followup_answered_at)
            for join in joins
        ]
        onboarding = await self.get_onboarding(member_id)
        if onboarding is not None:
            rows.append(export.onboarding_row(onboarding))
        rows.extend(export.contribution_row(c) for c in await self._contributions_of(member_id))
        intro = await self.get_intro(member_id)
        if intro is not None:
            rows.append(export.intro_row(intro))
        return rows

    async def _joins_of(self, member_id: int) -> Sequence[Row[Any]]:
        return await self.db.rows(_JOINS_OF, {"member_id": member_id})

    async def _contributions_of(self, member_id: int) -> list[Contribution]:
        """Every contribution of the member, in any community, for /mydata."""
        rows = await self.db.rows(_CONTRIBUTIONS_FOR_EXPORT, {"member_id": member_id})
        return [_contribution(row) for row in rows]

    async def erase_member(self, member_id: int) -> int:
        count = 0
        for delete in _ERASE_WELCOME:
            count += await self.db.change(delete, {"member_id": member_id})
        return count


# -- The buddies ------------------------------------------------------------------------------

_VOLUNTEER = sa.select(buddy_volunteers).where(_volunteers.member_id == _member_id)
_VOLUNTEERS = (
    sa.select(buddy_volunteers)
    .where(_volunteers.community_id == _community_id, _volunteers.active)
    .order_by(_volunteers.since, _volunteers.member_id)
)
_ADD_PAIRING = sa.insert(buddy_pairings)
_PAIRING = sa.select(buddy_pairings).where(_pairings.id == sa.bindparam("pairing_id"))
_SAVE_PAIRING = (
    sa.update(buddy_pairings)
    .where(_pairings.id == sa.bindparam("pairing_id"))
    .values(
        status=sa.bindparam("status"),
        greeted_at=sa.bindparam("greeted_at"),
        ended_at=sa.bindparam("ended_at"),
    )
)
_OF_MEMBER = sa.or_(_pairings.newcomer_id == _member_id, _pairings.buddy_id == _member_id)
_PAIRINGS_OF = sa.select(buddy_pairings).where(_OF_MEMBER).order_by(_pairings.id)
_OPEN_PAIRINGS = (
    sa.select(buddy_pairings)
    .where(_pairings.community_id == _community_id, _pairings.status == _OPEN)
    .order_by(_pairings.id)
)
_PAIRINGS_SINCE = (
    sa.select(buddy_pairings)
    .where(_pairings.community_id == _community_id, _pairings.created_at >= _since)
    .order_by(_pairings.id)
)
_REQUEST = sa.select(buddy_requests).where(_requests.member_id == _member_id)
_REMOVE_REQUEST = sa.delete(buddy_requests).where(_requests.member_id == _member_id)
# Requests of newcomers with no open pairing, oldest first.
_WAITING = (
    sa.select(buddy_requests)
    .where(
        _requests.community_id == _community_id,
        ~sa.exists().where(_pairings.newcomer_id == _requests.member_id, _pairings.status == _OPEN),
    )
    .order_by(_requests.requested_at, _requests.member_id)
)
_ERASE_BUDDIES = [
    sa.delete(buddy_volunteers).where(_volunteers.member_id == _member_id),
    sa.delete(buddy_requests).where(_requests.member_id == _member_id),
    sa.delete(buddy_pairings).where(_OF_MEMBER),
]


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
        row = await self.db.row(_VOLUNTEER, {"member_id": member_id})
        return _volunteer(row) if row else None

    async def save_volunteer(self, volunteer: Volunteer) -> None:
        changing = ("since", "active", "open_limit", "paused_at", "paused_until")
        await self.db.change(
            upsert(self.db, buddy_volunteers, *changing),
            {
                "member_id": volunteer.member_id,
                "community_id": volunteer.community_id,
                "since": volunteer.since,
                "active": volunteer.active,
                "open_limit": volunteer.open_limit,
                "paused_at": volunteer.paused_at,
                "paused_until": volunteer.paused_until,
            },
        )

    async def volunteers(self, community_id: int) -> list[Volunteer]:
        rows = await self.db.rows(_VOLUNTEERS, {"community_id": community_id})
        return [_volunteer(row) for row in rows]

    async def add_pairing(
        self, *, community_id: int, newcomer_id: int, buddy_id: int, at: datetime
    ) -> Pairing:
        new_id = await self.db.insert(
            _ADD_PAIRING,
            {
                "community_id": community_id,
                "newcomer_id": newcomer_id,
                "buddy_id": buddy_id,
                "created_at": at,
                "status": _OPEN,
            },
        )
        return Pairing(new_id, community_id, newcomer_id, buddy_id, at)

    async def get_pairing(self, pairing_id: int) -> Pairing | None:
        row = await self.db.row(_PAIRING, {"pairing_id": pairing_id})
        return _pairing(row) if row else None

    async def save_pairing(self, pairing: Pairing) -> None:
        await self.db.change(
            _SAVE_PAIRING,
            {
                "pairing_id": pairing.id,
                "status": pairing.status.value,
                "greeted_at": pairing.greeted_at,
                "ended_at": pairing.ended_at,
            },
        )

    async def pairings_of(self, member_id: int) -> list[Pairing]:
        rows = await self.db.rows(_PAIRINGS_OF, {"member_id": member_id})
        return [_pairing(row) for row in rows]

    async def open_pairings(self, community_id: int) -> list[Pairing]:
        rows = await self.db.rows(_OPEN_PAIRINGS, {"community_id": community_id})
        return [_pairing(row) for row in rows]

    async def pairings_since(self, community_id: int, since: datetime) -> list[Pairing]:
        rows = await self.db.rows(_PAIRINGS_SINCE, {"community_id": community_id, "since": since})
        return [_pairing(row) for row in rows]

    async def get_request(self, member_id: int) -> BuddyRequest | None:
        row = await self.db.row(_REQUEST, {"member_id": member_id})
        return _request(row) if row else None

    async def add_request(self, request: BuddyRequest) -> None:
        await self.db.change(
            upsert(self.db, buddy_requests, "requested_at"),
            {
                "member_id": request.member_id,
                "community_id": request.community_id,
                "requested_at": request.requested_at,
            },
        )

    async def remove_request(self, member_id: int) -> bool:
        return await self.db.change(_REMOVE_REQUEST, {"member_id": member_id}) > 0

    async def waiting(self, community_id: int) -> list[BuddyRequest]:
        rows = await self.db.rows(_WAITING, {"community_id": community_id})
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
        count = 0
        for delete in _ERASE_BUDDIES:
            count += await self.db.change(delete, {"member_id": member_id})
        return count

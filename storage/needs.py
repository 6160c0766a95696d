"""Check-ins and mutual aid: their tables (as migrations 0002 and 0012 made them) and the SQL
repositories the needs features run on."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from bot.services.needs.records import (
    AidRequest,
    Answer,
    CheckinAnswer,
    CheckinRound,
    Invitation,
    Need,
    Offer,
    Outcome,
    Pause,
    RequestCount,
    RequestSnapshot,
    RequestState,
    Tally,
)
from storage.needs_export import (
    export_answer,
    export_invitation,
    export_offer,
    export_pause,
    export_request,
)
from storage.sql import (
    Day,
    Flag,
    JsonText,
    SqlRepo,
    Timestamp,
    community_column,
    community_table,
    insert_on_conflict,
    member_column,
    reference,
    schema_table,
    upsert,
)

_ZERO = sa.text("0")
checkin_rounds = community_table(
    "checkin_rounds",
    member_column("owner_id", nullable=True),
    sa.Column("opened_at", Timestamp, nullable=False),
    sa.Column("closes_at", Timestamp, nullable=False),
    sa.Column("closed_at", Timestamp),
    sa.Column("started_by", sa.Text, nullable=False),
    sa.Column("needs", JsonText, nullable=False),
    sa.Column("unreachable_told", Flag, nullable=False, server_default=sa.false()),
    sa.Column("invited", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("respondents", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("unreachable", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("tallies", JsonText, nullable=False, server_default="{}"),
    sa.Column("threshold", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Index("checkin_rounds_by_community", "community_id", "closed_at", "opened_at"),
)

checkin_invitations = schema_table(
    "checkin_invitations",
    reference("round_id", "checkin_rounds.id", primary_key=True),
    member_column(primary_key=True),
    sa.Column("invited_at", Timestamp, nullable=False),
    sa.Column("reminded_at", Timestamp),
    sa.Column("unreachable_at", Timestamp),
    sa.Index("checkin_invitations_by_member", "member_id"),
)

checkin_answers = schema_table(
    "checkin_answers",
    reference("round_id", "checkin_rounds.id", primary_key=True),
    member_column(primary_key=True),
    sa.Column("answered_at", Timestamp, nullable=False),
    sa.Column("answers", JsonText, nullable=False, server_default="{}"),
    sa.Column("hands", JsonText, nullable=False, server_default="[]"),
    sa.Column("offered", JsonText, nullable=False, server_default="[]"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("completed", Flag, nullable=False, server_default=sa.false()),
    sa.Index("checkin_answers_by_member", "member_id"),
)

checkin_pauses = schema_table(
    "checkin_pauses",
    member_column(primary_key=True),
    sa.Column("until", Timestamp),
)

aid_offers = community_table(
    "aid_offers",
    member_column(),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("public", Flag, nullable=False, server_default=sa.false()),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_matched_at", Timestamp),
    sa.Index("aid_offers_by_category", "community_id", "category"),
    sa.Index("aid_offers_by_member", "member_id"),
)

aid_requests = community_table(
    "aid_requests",
    member_column(),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("details", sa.Text, nullable=False, server_default=""),
    sa.Column("opened_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    reference("current_offer_id", "aid_offers.id", ondelete="SET NULL", nullable=True),
    sa.Column("asked_at", Timestamp),
    sa.Index("aid_requests_by_community", "community_id", "category"),
    sa.Index("aid_requests_by_member", "member_id"),
    sa.Index("aid_requests_by_offer", "current_offer_id"),
)

aid_attempts = schema_table(
    "aid_attempts",
    reference("request_id", "aid_requests.id", primary_key=True),
    reference("offer_id", "aid_offers.id", primary_key=True),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.Index("aid_attempts_by_offer", "offer_id"),
)

# Aggregates only: counts is [[category, waiting, helped], ...] and names nobody.
request_snapshots = schema_table(
    "request_snapshots",
    community_column(primary_key=True),
    sa.Column("day", Day, primary_key=True),
    sa.Column("taken_at", Timestamp, nullable=False),
    sa.Column("threshold", sa.Integer, nullable=False),
    sa.Column("members", sa.Integer, nullable=False),
    sa.Column("counts", JsonText, nullable=False),
)


# -- Statements -------------------------------------------------------------------------------
# Built once and run with parameters (sa.bindparam): a statement built on every call cost four
# times the raw SQL it replaced, and most of a command's time. Bind names that would clash with
# a column an UPDATE sets start with an underscore.

_r = checkin_rounds.c
_i = checkin_invitations.c
_a = checkin_answers.c
_p = checkin_pauses.c
_o = aid_offers.c
_q = aid_requests.c
_t = aid_attempts.c
_s = request_snapshots.c

_community: sa.BindParameter[int] = sa.bindparam("community_id")
_member: sa.BindParameter[int] = sa.bindparam("member_id")
_round_id: sa.BindParameter[int] = sa.bindparam("round_id")
_cutoff: sa.BindParameter[datetime] = sa.bindparam("cutoff")


def _rounds_where(*where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return sa.select(checkin_rounds).where(*where)


_ADD_ROUND = checkin_rounds.insert()
_GET_ROUND = _rounds_where(_r.id == _round_id)
_OPEN_ROUNDS = _rounds_where(
    _r.community_id == _community, _r.closed_at.is_(None), _r.owner_id.is_(None)
).order_by(_r.id)
_OPEN_PERSONAL = (
    _rounds_where(_r.community_id == _community, _r.owner_id == _member, _r.closed_at.is_(None))
    .order_by(_r.id)
    .limit(1)
)
_CLOSED_ROUNDS = _rounds_where(
    _r.community_id == _community,
    _r.closed_at.is_not(None),
    _r.owner_id.is_(None),
    _r.opened_at >= sa.bindparam("since"),
).order_by(_r.opened_at.desc(), _r.id.desc())
_SAVE_ROUND = checkin_rounds.update().where(_r.id == sa.bindparam("_id"))
_CLOSED_BY = sa.select(_r.id).where(
    _r.community_id == _community, _r.closed_at.is_not(None), _r.closed_at <= _cutoff
)
_PURGE_INVITATIONS = checkin_invitations.delete().where(_i.round_id.in_(_CLOSED_BY))
_PURGE_ANSWERS = checkin_answers.delete().where(_a.round_id.in_(_CLOSED_BY))
# Shared rounds keep their aggregates; a personal round is its owner's alone.
_PURGE_PERSONAL = checkin_rounds.delete().where(
    _r.community_id == _community,
    _r.closed_at.is_not(None),
    _r.closed_at <= _cutoff,
    _r.owner_id.is_not(None),
)
_EARLIEST_RETAINED = sa.select(sa.func.min(_r.closed_at)).where(
    _r.community_id == _community,
    _r.closed_at.is_not(None),
    sa.or_(
        _r.owner_id.is_not(None),
        sa.select(sa.literal(1)).where(_i.round_id == _r.id).exists(),
        sa.select(sa.literal(1)).where(_a.round_id == _r.id).exists(),
    ),
)

_GET_INVITATION = sa.select(checkin_invitations).where(
    _i.round_id == _round_id, _i.member_id == _member
)
_INVITATIONS = sa.select(checkin_invitations).where(_i.round_id == _round_id).order_by(_i.member_id)
_SAVE_INVITATION = checkin_invitations.update().where(
    _i.round_id == sa.bindparam("_round_id"), _i.member_id == sa.bindparam("_member_id")
)
_GET_ANSWER = sa.select(checkin_answers).where(_a.round_id == _round_id, _a.member_id == _member)
_ANSWERS = sa.select(checkin_answers).where(_a.round_id == _round_id).order_by(_a.member_id)
_GET_PAUSE = sa.select(checkin_pauses).where(_p.member_id == _member)
_CLEAR_PAUSE = checkin_pauses.delete().where(_p.member_id == _member)

_UNANSWERED = ~(
    sa.select(sa.literal(1))
    .where(_a.round_id == _i.round_id, _a.member_id == _i.member_id)
    .exists()
)
_EXPORT_INVITED = (
    sa.select(checkin_invitations, checkin_rounds)
    .join_from(checkin_invitations, checkin_rounds, _r.id == _i.round_id)
    .where(_i.member_id == _member, _UNANSWERED)
    .order_by(_i.round_id)
)
_EXPORT_ANSWERED = (
    sa.select(checkin_answers, checkin_rounds)
    .join_from(checkin_answers, checkin_rounds, _r.id == _a.round_id)
    .where(_a.member_id == _member)
    .order_by(_a.round_id)
)
# The export's joined rows hold the member's row first, then its round's.
_INVITATION = len(checkin_invitations.c)
_ANSWER = len(checkin_answers.c)
_OWNED = sa.select(_r.id).where(_r.owner_id == _member)
_ERASE_INVITATIONS = checkin_invitations.delete().where(
    sa.or_(_i.member_id == _member, _i.round_id.in_(_OWNED))
)
_ERASE_ANSWERS = checkin_answers.delete().where(
    sa.or_(_a.member_id == _member, _a.round_id.in_(_OWNED))
)
_ERASE_ROUNDS = checkin_rounds.delete().where(_r.owner_id == _member)

_ADD_OFFER = aid_offers.insert()
_GET_OFFER = sa.select(aid_offers).where(_o.id == sa.bindparam("offer_id"))
_SAVE_OFFER = aid_offers.update().where(_o.id == sa.bindparam("_id"))
_REMOVE_OFFER = aid_offers.delete().where(_o.id == sa.bindparam("offer_id"))
_OFFERS_OF = sa.select(aid_offers).where(_o.member_id == _member).order_by(_o.id)
_OFFERS_IN = (
    sa.select(aid_offers)
    .where(_o.community_id == _community, _o.category == sa.bindparam("category"))
    .order_by(_o.id)
)
_PUBLIC_OFFERS = (
    sa.select(aid_offers).where(_o.community_id == _community, _o.public).order_by(_o.id)
)
_ERASE_OFFERS = aid_offers.delete().where(_o.member_id == _member)

_ADD_REQUEST = aid_requests.insert()
_GET_REQUEST = sa.select(aid_requests).where(_q.id == sa.bindparam("request_id"))
_SAVE_REQUEST = aid_requests.update().where(_q.id == sa.bindparam("_id"))
_REMOVE_REQUEST = aid_requests.delete().where(_q.id == sa.bindparam("request_id"))
_REQUESTS_OF = sa.select(aid_requests).where(_q.member_id == _member).order_by(_q.id)
_REQUESTS_IN = sa.select(aid_requests).where(_q.community_id == _community).order_by(_q.id)
_ASKING = (
    sa.select(aid_requests)
    .where(_q.current_offer_id == sa.bindparam("offer_id"), _q.state == sa.bindparam("state"))
    .order_by(_q.id)
)
_ATTEMPTS = sa.select(_t.offer_id, _t.outcome).where(_t.request_id == sa.bindparam("request_id"))
_ERASE_REQUESTS = aid_requests.delete().where(_q.member_id == _member)

_LATEST_SNAPSHOT = (
    sa.select(request_snapshots)
    .where(_s.community_id == _community)
    .order_by(_s.day.desc())
    .limit(1)
)
_PURGE_SNAPSHOTS = request_snapshots.delete().where(
    _s.community_id == _community, _s.day < sa.bindparam("day")
)


@functools.cache
def _insert_new(dialect: str, table: sa.Table) -> sa.Executable:
    """INSERT that leaves an existing row (same primary key) as it is: the first one stands."""
    return insert_on_conflict(dialect, table).on_conflict_do_nothing()


def _of_member(member_id: int) -> dict[str, int]:
    """Parameters naming one member (export_member's dicts are /mydata rows, not these)."""
    return {"member_id": member_id}


class _NeedsRepo(SqlRepo):
    def _insert_new(self, table: sa.Table) -> sa.Executable:
        return _insert_new(self.db.dialect, table)


# -- Check-ins --------------------------------------------------------------------------------


def _round(row: Sequence[Any]) -> CheckinRound:
    # Rows are unpacked in the table's column order: a dozen times faster than row.name.
    (
        id_,
        community_id,
        owner_id,
        opened_at,
        closes_at,
        closed_at,
        started_by,
        needs,
        unreachable_told,
        invited,
        respondents,
        unreachable,
        tallies,
        threshold,
    ) = row
    return CheckinRound(
        id=id_,
        community_id=community_id,
        opened_at=opened_at,
        closes_at=closes_at,
        started_by=started_by,
        needs=[Need(n["key"], n["label"]) for n in needs],
        owner_id=owner_id,
        closed_at=closed_at,
        unreachable_told=bool(unreachable_told),
        invited=invited,
        respondents=respondents,
        unreachable=unreachable,
        tallies={k: Tally(v["strained"], v["unmet"]) for k, v in tallies.items()},
        threshold=threshold,
    )


def _invitation(row: Sequence[Any]) -> Invitation:
    round_id, member_id, invited_at, reminded_at, unreachable_at = row
    return Invitation(round_id, member_id, invited_at, reminded_at, unreachable_at)


def _answer(row: Sequence[Any]) -> CheckinAnswer:
    round_id, member_id, answered_at, answers, hands, offered, note, completed = row
    return CheckinAnswer(
        round_id=round_id,
        member_id=member_id,
        answered_at=answered_at,
        answers={k: Answer(v) for k, v in answers.items()},
        hands=list(hands),
        offered=list(offered),
        note=note,
        completed=bool(completed),
    )


class SqlCheckins(_NeedsRepo):
    section = "mydata_section_checkins"

    async def add_round(
        self,
        *,
        community_id: int,
        opened_at: datetime,
        closes_at: datetime,
        started_by: str,
        needs: Sequence[Need],
        owner_id: int | None = None,
    ) -> CheckinRound:
        new_id = await self.db.insert(
            _ADD_ROUND,
            {
                "community_id": community_id,
                "owner_id": owner_id,
                "opened_at": opened_at,
                "closes_at": closes_at,
                "started_by": started_by,
                "needs": [{"key": n.key, "label": n.label} for n in needs],
            },
        )
        return CheckinRound(
            new_id, community_id, opened_at, closes_at, started_by, list(needs), owner_id
        )

    async def get_round(self, round_id: int) -> CheckinRound | None:
        row = await self.db.row(_GET_ROUND, {"round_id": round_id})
        return _round(row) if row else None

    async def save_round(self, checkin_round: CheckinRound) -> None:
        # Sorted, as the files have always held them.
        tallies = {
            k: {"strained": t.strained, "unmet": t.unmet}
            for k, t in sorted(checkin_round.tallies.items())
        }
        await self.db.change(
            _SAVE_ROUND,
            {
                "_id": checkin_round.id,
                "closes_at": checkin_round.closes_at,
                "closed_at": checkin_round.closed_at,
                "unreachable_told": checkin_round.unreachable_told,
                "invited": checkin_round.invited,
                "respondents": checkin_round.respondents,
                "unreachable": checkin_round.unreachable,
                "tallies": tallies,
                "threshold": checkin_round.threshold,
            },
        )

    async def open_rounds(self, community_id: int) -> list[CheckinRound]:
        rows = await self.db.rows(_OPEN_ROUNDS, {"community_id": community_id})
        return [_round(row) for row in rows]

    async def open_personal(self, community_id: int, member_id: int) -> CheckinRound | None:
        row = await self.db.row(
            _OPEN_PERSONAL, {"community_id": community_id, "member_id": member_id}
        )
        return _round(row) if row else None

    async def closed_rounds(self, community_id: int, opened_since: datetime) -> list[CheckinRound]:
        rows = await self.db.rows(
            _CLOSED_ROUNDS, {"community_id": community_id, "since": opened_since}
        )
        return [_round(row) for row in rows]

    async def invite(self, round_id: int, member_id: int, at: datetime) -> Invitation:
        """Inviting twice keeps the first invitation."""
        await self.db.change(
            self._insert_new(checkin_invitations),
            {"round_id": round_id, "member_id": member_id, "invited_at": at},
        )
        found = await self.invitation(round_id, member_id)
        assert found is not None
        return found

    async def invitation(self, round_id: int, member_id: int) -> Invitation | None:
        row = await self.db.row(_GET_INVITATION, {"round_id": round_id, "member_id": member_id})
        return _invitation(row) if row else None

    async def invitations(self, round_id: int) -> list[Invitation]:
        rows = await self.db.rows(_INVITATIONS, {"round_id": round_id})
        return [_invitation(row) for row in rows]

    async def save_invitation(self, invitation: Invitation) -> None:
        await self.db.change(
            _SAVE_INVITATION,
            {
                "_round_id": invitation.round_id,
                "_member_id": invitation.member_id,
                "reminded_at": invitation.reminded_at,
                "unreachable_at": invitation.unreachable_at,
            },
        )

    async def answer(self, round_id: int, member_id: int) -> CheckinAnswer | None:
        row = await self.db.row(_GET_ANSWER, {"round_id": round_id, "member_id": member_id})
        return _answer(row) if row else None

    async def answers(self, round_id: int) -> list[CheckinAnswer]:
        rows = await self.db.rows(_ANSWERS, {"round_id": round_id})
        return [_answer(row) for row in rows]

    async def save_answer(self, answer: CheckinAnswer) -> None:
        await self.db.change(
            upsert(
                self.db,
                checkin_answers,
                *("answered_at", "answers", "hands", "offered", "note", "completed"),
            ),
            {
                "round_id": answer.round_id,
                "member_id": answer.member_id,
                "answered_at": answer.answered_at,
                "answers": {k: v.value for k, v in answer.answers.items()},
                "hands": answer.hands,
                "offered": answer.offered,
                "note": answer.note,
                "completed": answer.completed,
            },
        )

    async def pause(self, member_id: int) -> Pause | None:
        row: Sequence[Any] | None = await self.db.row(_GET_PAUSE, {"member_id": member_id})
        return Pause(row[0], row[1]) if row else None

    async def set_pause(self, pause: Pause) -> None:
        await self.db.change(
            upsert(self.db, checkin_pauses, "until"),
            {"member_id": pause.member_id, "until": pause.until},
        )

    async def clear_pause(self, member_id: int) -> bool:
        return await self.db.change(_CLEAR_PAUSE, {"member_id": member_id}) > 0

    async def purge_closed_by(self, community_id: int, cutoff: datetime) -> int:
        params = {"community_id": community_id, "cutoff": cutoff}
        count = await self.db.change(_PURGE_INVITATIONS, params)
        count += await self.db.change(_PURGE_ANSWERS, params)
        count += await self.db.change(_PURGE_PERSONAL, params)
        return count

    async def earliest_retained(self, community_id: int) -> datetime | None:
        found: datetime | None = await self.db.scalar(
            _EARLIEST_RETAINED, {"community_id": community_id}
        )
        return found

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pause = await self.pause(member_id)
        if pause is not None:
            rows.append(export_pause(pause))
        params = _of_member(member_id)
        invited = await self.db.rows(_EXPORT_INVITED, params)
        rows.extend(
            export_invitation(_round(row[_INVITATION:]), _invitation(row[:_INVITATION]))
            for row in invited
        )
        answered = await self.db.rows(_EXPORT_ANSWERED, params)
        rows.extend(
            export_answer(_round(row[_ANSWER:]), _answer(row[:_ANSWER])) for row in answered
        )
        return rows

    async def erase_member(self, member_id: int) -> int:
        params = _of_member(member_id)
        count = await self.db.change(_ERASE_INVITATIONS, params)
        count += await self.db.change(_ERASE_ANSWERS, params)
        count += await self.db.change(_ERASE_ROUNDS, params)
        count += await self.db.change(_CLEAR_PAUSE, params)
        return count


# -- Offers and requests for a hand -----------------------------------------------------------


def _offer(row: Sequence[Any]) -> Offer:
    id_, community_id, member_id, category, what, public, created_at, last_matched_at = row
    return Offer(
        id=id_,
        community_id=community_id,
        member_id=member_id,
        category=category,
        what=what,
        created_at=created_at,
        public=bool(public),
        last_matched_at=last_matched_at,
    )


class SqlOffers(SqlRepo):
    section = "mydata_section_offers"

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        what: str,
        now: datetime,
        public: bool = False,
    ) -> Offer:
        new_id = await self.db.insert(
            _ADD_OFFER,
            {
                "community_id": community_id,
                "member_id": member_id,
                "category": category,
                "what": what,
                "public": public,
                "created_at": now,
            },
        )
        return Offer(new_id, community_id, member_id, category, what, now, public)

    async def get(self, offer_id: int) -> Offer | None:
        row = await self.db.row(_GET_OFFER, {"offer_id": offer_id})
        return _offer(row) if row else None

    async def save(self, offer: Offer) -> None:
        await self.db.change(
            _SAVE_OFFER,
            {
                "_id": offer.id,
                "category": offer.category,
                "what": offer.what,
                "public": offer.public,
                "last_matched_at": offer.last_matched_at,
            },
        )

    async def remove(self, offer_id: int) -> bool:
        return await self.db.change(_REMOVE_OFFER, {"offer_id": offer_id}) > 0

    async def of_member(self, member_id: int) -> list[Offer]:
        rows = await self.db.rows(_OFFERS_OF, {"member_id": member_id})
        return [_offer(row) for row in rows]

    async def in_category(self, community_id: int, category: str) -> list[Offer]:
        rows = await self.db.rows(_OFFERS_IN, {"community_id": community_id, "category": category})
        return [_offer(row) for row in rows]

    async def public_in(self, community_id: int) -> list[Offer]:
        rows = await self.db.rows(_PUBLIC_OFFERS, {"community_id": community_id})
        return [_offer(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_offer(o) for o in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_ERASE_OFFERS, {"member_id": member_id})


def _request(row: Sequence[Any]) -> AidRequest:
    (
        id_,
        community_id,
        member_id,
        category,
        details,
        opened_at,
        expires_at,
        state,
        current_offer_id,
        asked_at,
    ) = row
    return AidRequest(
        id=id_,
        community_id=community_id,
        member_id=member_id,
        category=category,
        details=details,
        opened_at=opened_at,
        expires_at=expires_at,
        state=RequestState(state),
        current_offer_id=current_offer_id,
        asked_at=asked_at,
    )


class SqlAidRequests(SqlRepo):
    section = "mydata_section_aid_requests"

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        details: str,
        now: datetime,
        expires_at: datetime,
    ) -> AidRequest:
        new_id = await self.db.insert(
            _ADD_REQUEST,
            {
                "community_id": community_id,
                "member_id": member_id,
                "category": category,
                "details": details,
                "opened_at": now,
                "expires_at": expires_at,
                "state": RequestState.UNMATCHED.value,
            },
        )
        return AidRequest(new_id, community_id, member_id, category, details, now, expires_at)

    async def get(self, request_id: int) -> AidRequest | None:
        row = await self.db.row(_GET_REQUEST, {"request_id": request_id})
        return _request(row) if row else None

    async def save(self, request: AidRequest) -> None:
        await self.db.change(
            _SAVE_REQUEST,
            {
                "_id": request.id,
                "details": request.details,
                "expires_at": request.expires_at,
                "state": request.state.value,
                "current_offer_id": request.current_offer_id,
                "asked_at": request.asked_at,
            },
        )

    async def remove(self, request_id: int) -> bool:
        return await self.db.change(_REMOVE_REQUEST, {"request_id": request_id}) > 0

    async def of_member(self, member_id: int) -> list[AidRequest]:
        rows = await self.db.rows(_REQUESTS_OF, {"member_id": member_id})
        return [_request(row) for row in rows]

    async def open_in(self, community_id: int) -> list[AidRequest]:
        rows = await self.db.rows(_REQUESTS_IN, {"community_id": community_id})
        return [_request(row) for row in rows]

    async def asking(self, offer_id: int) -> list[AidRequest]:
        rows = await self.db.rows(
            _ASKING, {"offer_id": offer_id, "state": RequestState.ASKING_OFFERER.value}
        )
        return [_request(row) for row in rows]

    async def attempts(self, request_id: int) -> dict[int, Outcome]:
        rows: Sequence[Sequence[Any]] = await self.db.rows(_ATTEMPTS, {"request_id": request_id})
        return {offer_id: Outcome(outcome) for offer_id, outcome in rows}

    async def record_attempt(
        self, request_id: int, offer_id: int, outcome: Outcome, at: datetime
    ) -> None:
        await self.db.change(
            upsert(self.db, aid_attempts, "outcome", "at"),
            {"request_id": request_id, "offer_id": offer_id, "outcome": outcome.value, "at": at},
        )

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_request(r) for r in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_ERASE_REQUESTS, {"member_id": member_id})


# -- The daily count of open requests ---------------------------------------------------------


def _snapshot(row: Sequence[Any]) -> RequestSnapshot:
    community_id, day, taken_at, threshold, members, counts = row
    return RequestSnapshot(
        community_id=community_id,
        day=day,
        taken_at=taken_at,
        threshold=threshold,
        members=members,
        counts=tuple(RequestCount(c, w, h) for c, w, h in counts),
    )


class SqlRequestSnapshots(_NeedsRepo):
    async def add(self, snapshot: RequestSnapshot) -> bool:
        """False when the community already has that day's count (the first one stands)."""
        added = await self.db.change(
            self._insert_new(request_snapshots),
            {
                "community_id": snapshot.community_id,
                "day": snapshot.day,
                "taken_at": snapshot.taken_at,
                "threshold": snapshot.threshold,
                "members": snapshot.members,
                "counts": [[c.category, c.waiting, c.helped] for c in snapshot.counts],
            },
        )
        return added > 0

    async def latest(self, community_id: int) -> RequestSnapshot | None:
        row = await self.db.row(_LATEST_SNAPSHOT, {"community_id": community_id})
        return _snapshot(row) if row else None

    async def purge_before(self, community_id: int, day: date) -> int:
        return await self.db.change(_PURGE_SNAPSHOTS, {"community_id": community_id, "day": day})

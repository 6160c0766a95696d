"""SQLite check-in and mutual-aid repositories (tables from migrations/0002_checkins.sql)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.domain_needs import (
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
from storage.sqlite_base import SqliteRepo as _Repo
from storage.sqlite_base import dt, opt_dt, ts


def _opt_ts(value: datetime | None) -> str | None:
    return ts(value) if value is not None else None


def _needs_json(needs: Sequence[Need]) -> str:
    return json.dumps([{"key": n.key, "label": n.label} for n in needs])


def _round(row: sqlite3.Row) -> CheckinRound:
    tallies = json.loads(row["tallies"])
    return CheckinRound(
        id=row["id"],
        community_id=row["community_id"],
        opened_at=dt(row["opened_at"]),
        closes_at=dt(row["closes_at"]),
        started_by=row["started_by"],
        needs=[Need(n["key"], n["label"]) for n in json.loads(row["needs"])],
        owner_id=row["owner_id"],
        closed_at=opt_dt(row["closed_at"]),
        unreachable_told=bool(row["unreachable_told"]),
        invited=row["invited"],
        respondents=row["respondents"],
        unreachable=row["unreachable"],
        tallies={k: Tally(v["strained"], v["unmet"]) for k, v in tallies.items()},
        threshold=row["threshold"],
    )


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(
        round_id=row["round_id"],
        member_id=row["member_id"],
        invited_at=dt(row["invited_at"]),
        reminded_at=opt_dt(row["reminded_at"]),
        unreachable_at=opt_dt(row["unreachable_at"]),
    )


def _answer(row: sqlite3.Row) -> CheckinAnswer:
    return CheckinAnswer(
        round_id=row["round_id"],
        member_id=row["member_id"],
        answered_at=dt(row["answered_at"]),
        answers={k: Answer(v) for k, v in json.loads(row["answers"]).items()},
        hands=list(json.loads(row["hands"])),
        offered=list(json.loads(row["offered"])),
        note=row["note"],
        completed=bool(row["completed"]),
    )


class SqliteCheckins(_Repo):
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
        new_id = await self._insert(
            "INSERT INTO checkin_rounds (community_id, owner_id, opened_at, closes_at,"
            " started_by, needs) VALUES (?, ?, ?, ?, ?, ?)",
            (community_id, owner_id, ts(opened_at), ts(closes_at), started_by, _needs_json(needs)),
        )
        return CheckinRound(
            new_id, community_id, opened_at, closes_at, started_by, list(needs), owner_id
        )

    async def get_round(self, round_id: int) -> CheckinRound | None:
        row = await self._row("SELECT * FROM checkin_rounds WHERE id = ?", (round_id,))
        return _round(row) if row else None

    async def save_round(self, checkin_round: CheckinRound) -> None:
        tallies = {
            k: {"strained": t.strained, "unmet": t.unmet} for k, t in checkin_round.tallies.items()
        }
        await self._change(
            "UPDATE checkin_rounds SET closes_at = ?, closed_at = ?, unreachable_told = ?,"
            " invited = ?, respondents = ?, unreachable = ?, tallies = ?, threshold = ?"
            " WHERE id = ?",
            (
                ts(checkin_round.closes_at),
                _opt_ts(checkin_round.closed_at),
                int(checkin_round.unreachable_told),
                checkin_round.invited,
                checkin_round.respondents,
                checkin_round.unreachable,
                json.dumps(tallies, sort_keys=True),
                checkin_round.threshold,
                checkin_round.id,
            ),
        )

    async def open_rounds(self, community_id: int) -> list[CheckinRound]:
        rows = await self._rows(
            "SELECT * FROM checkin_rounds WHERE community_id = ? AND closed_at IS NULL"
            " AND owner_id IS NULL ORDER BY id",
            (community_id,),
        )
        return [_round(row) for row in rows]

    async def open_personal(self, community_id: int, member_id: int) -> CheckinRound | None:
        row = await self._row(
            "SELECT * FROM checkin_rounds WHERE community_id = ? AND owner_id = ?"
            " AND closed_at IS NULL ORDER BY id LIMIT 1",
            (community_id, member_id),
        )
        return _round(row) if row else None

    async def closed_rounds(self, community_id: int, opened_since: datetime) -> list[CheckinRound]:
        rows = await self._rows(
            "SELECT * FROM checkin_rounds WHERE community_id = ? AND closed_at IS NOT NULL"
            " AND owner_id IS NULL AND opened_at >= ? ORDER BY opened_at DESC, id DESC",
            (community_id, ts(opened_since)),
        )
        return [_round(row) for row in rows]

    async def invite(self, round_id: int, member_id: int, at: datetime) -> Invitation:
        await self._change(
            "INSERT OR IGNORE INTO checkin_invitations (round_id, member_id, invited_at)"
            " VALUES (?, ?, ?)",
            (round_id, member_id, ts(at)),
        )
        found = await self.invitation(round_id, member_id)
        assert found is not None
        return found

    async def invitation(self, round_id: int, member_id: int) -> Invitation | None:
        row = await self._row(
            "SELECT * FROM checkin_invitations WHERE round_id = ? AND member_id = ?",
            (round_id, member_id),
        )
        return _invitation(row) if row else None

    async def invitations(self, round_id: int) -> list[Invitation]:
        rows = await self._rows(
            "SELECT * FROM checkin_invitations WHERE round_id = ? ORDER BY member_id", (round_id,)
        )
        return [_invitation(row) for row in rows]

    async def save_invitation(self, invitation: Invitation) -> None:
        await self._change(
            "UPDATE checkin_invitations SET reminded_at = ?, unreachable_at = ?"
            " WHERE round_id = ? AND member_id = ?",
            (
                _opt_ts(invitation.reminded_at),
                _opt_ts(invitation.unreachable_at),
                invitation.round_id,
                invitation.member_id,
            ),
        )

    async def answer(self, round_id: int, member_id: int) -> CheckinAnswer | None:
        row = await self._row(
            "SELECT * FROM checkin_answers WHERE round_id = ? AND member_id = ?",
            (round_id, member_id),
        )
        return _answer(row) if row else None

    async def answers(self, round_id: int) -> list[CheckinAnswer]:
        rows = await self._rows(
            "SELECT * FROM checkin_answers WHERE round_id = ? ORDER BY member_id", (round_id,)
        )
        return [_answer(row) for row in rows]

    async def save_answer(self, answer: CheckinAnswer) -> None:
        await self._change(
            "INSERT INTO checkin_answers (round_id, member_id, answered_at, answers, hands,"
            " offered, note, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (round_id, member_id) DO UPDATE SET answered_at = excluded.answered_at,"
            " answers = excluded.answers, hands = excluded.hands, offered = excluded.offered,"
            " note = excluded.note, completed = excluded.completed",
            (
                answer.round_id,
                answer.member_id,
                ts(answer.answered_at),
                json.dumps({k: v.value for k, v in answer.answers.items()}),
                json.dumps(answer.hands),
                json.dumps(answer.offered),
                answer.note,
                int(answer.completed),
            ),
        )

    async def pause(self, member_id: int) -> Pause | None:
        row = await self._row("SELECT * FROM checkin_pauses WHERE member_id = ?", (member_id,))
        return Pause(row["member_id"], opt_dt(row["until"])) if row else None

    async def set_pause(self, pause: Pause) -> None:
        await self._change(
            "INSERT INTO checkin_pauses (member_id, until) VALUES (?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET until = excluded.until",
            (pause.member_id, _opt_ts(pause.until)),
        )

    async def clear_pause(self, member_id: int) -> bool:
        return (
            await self._change("DELETE FROM checkin_pauses WHERE member_id = ?", (member_id,)) > 0
        )

    async def purge_closed_by(self, community_id: int, cutoff: datetime) -> int:
        closed = (
            "SELECT id FROM checkin_rounds WHERE community_id = ? AND closed_at IS NOT NULL"
            " AND closed_at <= ?"
        )
        params = (community_id, ts(cutoff))
        count = await self._change(
            f"DELETE FROM checkin_invitations WHERE round_id IN ({closed})", params
        )
        count += await self._change(
            f"DELETE FROM checkin_answers WHERE round_id IN ({closed})", params
        )
        count += await self._change(
            "DELETE FROM checkin_rounds WHERE community_id = ? AND closed_at IS NOT NULL"
            " AND closed_at <= ? AND owner_id IS NOT NULL",
            params,
        )
        return count

    async def earliest_retained(self, community_id: int) -> datetime | None:
        row = await self._row(
            "SELECT min(closed_at) AS m FROM checkin_rounds r WHERE community_id = ?"
            " AND closed_at IS NOT NULL AND (owner_id IS NOT NULL"
            " OR EXISTS (SELECT 1 FROM checkin_invitations i WHERE i.round_id = r.id)"
            " OR EXISTS (SELECT 1 FROM checkin_answers a WHERE a.round_id = r.id))",
            (community_id,),
        )
        return opt_dt(row["m"]) if row else None

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pause = await self.pause(member_id)
        if pause is not None:
            rows.append(export_pause(pause))
        invited = await self._rows(
            "SELECT i.*, r.* FROM checkin_invitations i JOIN checkin_rounds r ON r.id = i.round_id"
            " WHERE i.member_id = ? AND NOT EXISTS (SELECT 1 FROM checkin_answers a"
            " WHERE a.round_id = i.round_id AND a.member_id = i.member_id) ORDER BY i.round_id",
            (member_id,),
        )
        rows.extend(export_invitation(_round(row), _invitation(row)) for row in invited)
        answered = await self._rows(
            "SELECT a.*, r.* FROM checkin_answers a JOIN checkin_rounds r ON r.id = a.round_id"
            " WHERE a.member_id = ? ORDER BY a.round_id",
            (member_id,),
        )
        rows.extend(export_answer(_round(row), _answer(row)) for row in answered)
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = await self._change(
            "DELETE FROM checkin_invitations WHERE member_id = ? OR round_id IN"
            " (SELECT id FROM checkin_rounds WHERE owner_id = ?)",
            (member_id, member_id),
        )
        count += await self._change(
            "DELETE FROM checkin_answers WHERE member_id = ? OR round_id IN"
            " (SELECT id FROM checkin_rounds WHERE owner_id = ?)",
            (member_id, member_id),
        )
        count += await self._change("DELETE FROM checkin_rounds WHERE owner_id = ?", (member_id,))
        count += await self._change("DELETE FROM checkin_pauses WHERE member_id = ?", (member_id,))
        return count


def _offer(row: sqlite3.Row) -> Offer:
    return Offer(
        id=row["id"],
        community_id=row["community_id"],
        member_id=row["member_id"],
        category=row["category"],
        what=row["what"],
        created_at=dt(row["created_at"]),
        public=bool(row["public"]),
        last_matched_at=opt_dt(row["last_matched_at"]),
    )


class SqliteOffers(_Repo):
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
        new_id = await self._insert(
            "INSERT INTO aid_offers (community_id, member_id, category, what, public, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (community_id, member_id, category, what, int(public), ts(now)),
        )
        return Offer(new_id, community_id, member_id, category, what, now, public)

    async def get(self, offer_id: int) -> Offer | None:
        row = await self._row("SELECT * FROM aid_offers WHERE id = ?", (offer_id,))
        return _offer(row) if row else None

    async def save(self, offer: Offer) -> None:
        await self._change(
            "UPDATE aid_offers SET category = ?, what = ?, public = ?, last_matched_at = ?"
            " WHERE id = ?",
            (
                offer.category,
                offer.what,
                int(offer.public),
                _opt_ts(offer.last_matched_at),
                offer.id,
            ),
        )

    async def remove(self, offer_id: int) -> bool:
        return await self._change("DELETE FROM aid_offers WHERE id = ?", (offer_id,)) > 0

    async def of_member(self, member_id: int) -> list[Offer]:
        rows = await self._rows(
            "SELECT * FROM aid_offers WHERE member_id = ? ORDER BY id", (member_id,)
        )
        return [_offer(row) for row in rows]

    async def in_category(self, community_id: int, category: str) -> list[Offer]:
        rows = await self._rows(
            "SELECT * FROM aid_offers WHERE community_id = ? AND category = ? ORDER BY id",
            (community_id, category),
        )
        return [_offer(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_offer(o) for o in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        return await self._change("DELETE FROM aid_offers WHERE member_id = ?", (member_id,))


def _request(row: sqlite3.Row) -> AidRequest:
    return AidRequest(
        id=row["id"],
        community_id=row["community_id"],
        member_id=row["member_id"],
        category=row["category"],
        details=row["details"],
        opened_at=dt(row["opened_at"]),
        expires_at=dt(row["expires_at"]),
        state=RequestState(row["state"]),
        current_offer_id=row["current_offer_id"],
        asked_at=opt_dt(row["asked_at"]),
    )


class SqliteAidRequests(_Repo):
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
        state = RequestState.UNMATCHED
        new_id = await self._insert(
            "INSERT INTO aid_requests (community_id, member_id, category, details, opened_at,"
            " expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (community_id, member_id, category, details, ts(now), ts(expires_at), state.value),
        )
        return AidRequest(new_id, community_id, member_id, category, details, now, expires_at)

    async def get(self, request_id: int) -> AidRequest | None:
        row = await self._row("SELECT * FROM aid_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def save(self, request: AidRequest) -> None:
        await self._change(
            "UPDATE aid_requests SET details = ?, expires_at = ?, state = ?,"
            " current_offer_id = ?, asked_at = ? WHERE id = ?",
            (
                request.details,
                ts(request.expires_at),
                request.state.value,
                request.current_offer_id,
                _opt_ts(request.asked_at),
                request.id,
            ),
        )

    async def remove(self, request_id: int) -> bool:
        return await self._change("DELETE FROM aid_requests WHERE id = ?", (request_id,)) > 0

    async def of_member(self, member_id: int) -> list[AidRequest]:
        rows = await self._rows(
            "SELECT * FROM aid_requests WHERE member_id = ? ORDER BY id", (member_id,)
        )
        return [_request(row) for row in rows]

    async def open_in(self, community_id: int) -> list[AidRequest]:
        rows = await self._rows(
            "SELECT * FROM aid_requests WHERE community_id = ? ORDER BY id", (community_id,)
        )
        return [_request(row) for row in rows]

    async def asking(self, offer_id: int) -> list[AidRequest]:
        rows = await self._rows(
            "SELECT * FROM aid_requests WHERE current_offer_id = ? AND state = ? ORDER BY id",
            (offer_id, RequestState.ASKING_OFFERER.value),
        )
        return [_request(row) for row in rows]

    async def attempts(self, request_id: int) -> dict[int, Outcome]:
        rows = await self._rows(
            "SELECT offer_id, outcome FROM aid_attempts WHERE request_id = ?", (request_id,)
        )
        return {row["offer_id"]: Outcome(row["outcome"]) for row in rows}

    async def record_attempt(
        self, request_id: int, offer_id: int, outcome: Outcome, at: datetime
    ) -> None:
        await self._change(
            "INSERT INTO aid_attempts (request_id, offer_id, outcome, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (request_id, offer_id) DO UPDATE SET outcome = excluded.outcome,"
            " at = excluded.at",
            (request_id, offer_id, outcome.value, ts(at)),
        )

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_request(r) for r in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        return await self._change("DELETE FROM aid_requests WHERE member_id = ?", (member_id,))


def _snapshot(row: sqlite3.Row) -> RequestSnapshot:
    return RequestSnapshot(
        community_id=row["community_id"],
        day=date.fromisoformat(row["day"]),
        taken_at=dt(row["taken_at"]),
        threshold=row["threshold"],
        members=row["members"],
        counts=tuple(RequestCount(c, w, h) for c, w, h in json.loads(row["counts"])),
    )


class SqliteRequestSnapshots(_Repo):
    async def add(self, snapshot: RequestSnapshot) -> bool:
        counts = [[c.category, c.waiting, c.helped] for c in snapshot.counts]
        changed = await self._change(
            "INSERT OR IGNORE INTO request_snapshots"
            " (community_id, day, taken_at, threshold, members, counts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                snapshot.community_id,
                snapshot.day.isoformat(),
                ts(snapshot.taken_at),
                snapshot.threshold,
                snapshot.members,
                json.dumps(counts),
            ),
        )
        return changed > 0

    async def latest(self, community_id: int) -> RequestSnapshot | None:
        row = await self._row(
            "SELECT * FROM request_snapshots WHERE community_id = ? ORDER BY day DESC LIMIT 1",
            (community_id,),
        )
        return _snapshot(row) if row else None

    async def purge_before(self, community_id: int, day: date) -> int:
        return await self._change(
            "DELETE FROM request_snapshots WHERE community_id = ? AND day < ?",
            (community_id, day.isoformat()),
        )

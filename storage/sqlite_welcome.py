"""SQLite welcome and buddy repositories (tables from migration 0004_welcome)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from storage.sqlite_base import SqliteRepo as _Repo
from storage.sqlite_base import dt, opt_dt, ts


def _opt_ts(value: datetime | None) -> str | None:
    return ts(value) if value is not None else None


def _opt_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _onboarding(row: sqlite3.Row) -> Onboarding:
    return Onboarding(
        member_id=row["member_id"],
        community_id=row["community_id"],
        started_at=dt(row["started_at"]),
        step=Step(row["step"]),
        brings=row["brings"],
        unsure=bool(row["unsure"]),
        wants_buddy=_opt_bool(row["wants_buddy"]),
        channel=row["channel"],
        fallback_offered=bool(row["fallback_offered"]),
        completed_at=opt_dt(row["completed_at"]),
    )


def _contribution(row: sqlite3.Row) -> Contribution:
    return Contribution(
        id=row["id"],
        community_id=row["community_id"],
        member_id=row["member_id"],
        text=row["text"],
        source=row["source"],
        created_at=dt(row["created_at"]),
    )


def _intro(row: sqlite3.Row) -> Intro:
    return Intro(
        member_id=row["member_id"],
        community_id=row["community_id"],
        text=row["text"],
        created_at=dt(row["created_at"]),
        posted_at=opt_dt(row["posted_at"]),
    )


class SqliteWelcome(_Repo):
    section = export.WELCOME_SECTION

    async def add_join(self, *, community_id: int, member_id: int, at: datetime) -> None:
        await self._insert(
            "INSERT INTO welcome_joins (community_id, member_id, joined_at) VALUES (?, ?, ?)",
            (community_id, member_id, ts(at)),
        )

    async def unwelcomed(self, community_id: int) -> list[int]:
        rows = await self._rows(
            "SELECT member_id, min(id) AS first FROM welcome_joins"
            " WHERE community_id = ? AND welcomed_at IS NULL GROUP BY member_id ORDER BY first",
            (community_id,),
        )
        return [row["member_id"] for row in rows]

    async def mark_welcomed(
        self, community_id: int, member_ids: Sequence[int], at: datetime
    ) -> None:
        for member_id in member_ids:
            await self._change(
                "UPDATE welcome_joins SET welcomed_at = ?"
                " WHERE community_id = ? AND member_id = ? AND welcomed_at IS NULL",
                (ts(at), community_id, member_id),
            )

    async def count_joins(self, community_id: int, since: datetime) -> int:
        row = await self._row(
            "SELECT count(*) AS n FROM welcome_joins WHERE community_id = ? AND joined_at >= ?",
            (community_id, ts(since)),
        )
        return int(row["n"]) if row else 0

    async def get_onboarding(self, member_id: int) -> Onboarding | None:
        row = await self._row("SELECT * FROM welcome_onboardings WHERE member_id = ?", (member_id,))
        return _onboarding(row) if row else None

    async def save_onboarding(self, onboarding: Onboarding) -> None:
        o = onboarding
        await self._change(
            "INSERT INTO welcome_onboardings (member_id, community_id, started_at, step, brings,"
            " unsure, wants_buddy, channel, fallback_offered, completed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET"
            " started_at = excluded.started_at, step = excluded.step, brings = excluded.brings,"
            " unsure = excluded.unsure, wants_buddy = excluded.wants_buddy,"
            " channel = excluded.channel, fallback_offered = excluded.fallback_offered,"
            " completed_at = excluded.completed_at",
            (
                o.member_id,
                o.community_id,
                ts(o.started_at),
                o.step.value,
                o.brings,
                int(o.unsure),
                None if o.wants_buddy is None else int(o.wants_buddy),
                o.channel,
                int(o.fallback_offered),
                _opt_ts(o.completed_at),
            ),
        )

    async def count_completed(self, community_id: int, since: datetime) -> int:
        row = await self._row(
            "SELECT count(*) AS n FROM welcome_onboardings"
            " WHERE community_id = ? AND completed_at >= ?",
            (community_id, ts(since)),
        )
        return int(row["n"]) if row else 0

    async def add_contribution(
        self, *, community_id: int, member_id: int, text: str, source: str, at: datetime
    ) -> Contribution:
        new_id = await self._insert(
            "INSERT INTO welcome_contributions (community_id, member_id, text, source, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (community_id, member_id, text, source, ts(at)),
        )
        return Contribution(new_id, community_id, member_id, text, source, at)

    async def contributions(
        self, community_id: int, member_id: int | None = None
    ) -> list[Contribution]:
        if member_id is None:
            rows = await self._rows(
                "SELECT * FROM welcome_contributions WHERE community_id = ? ORDER BY id",
                (community_id,),
            )
        else:
            rows = await self._rows(
                "SELECT * FROM welcome_contributions WHERE community_id = ? AND member_id = ?"
                " ORDER BY id",
                (community_id, member_id),
            )
        return [_contribution(row) for row in rows]

    async def remove_contribution(self, contribution_id: int) -> bool:
        changed = await self._change(
            "DELETE FROM welcome_contributions WHERE id = ?", (contribution_id,)
        )
        return changed > 0

    async def get_intro(self, member_id: int) -> Intro | None:
        row = await self._row("SELECT * FROM welcome_intros WHERE member_id = ?", (member_id,))
        return _intro(row) if row else None

    async def save_intro(self, intro: Intro) -> None:
        await self._change(
            "INSERT INTO welcome_intros (member_id, community_id, text, created_at, posted_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET"
            " text = excluded.text, created_at = excluded.created_at,"
            " posted_at = excluded.posted_at",
            (
                intro.member_id,
                intro.community_id,
                intro.text,
                ts(intro.created_at),
                _opt_ts(intro.posted_at),
            ),
        )

    async def remove_intro(self, member_id: int) -> bool:
        changed = await self._change("DELETE FROM welcome_intros WHERE member_id = ?", (member_id,))
        return changed > 0

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        joins = await self._rows(
            "SELECT * FROM welcome_joins WHERE member_id = ? ORDER BY id", (member_id,)
        )
        rows = [export.join_row(dt(j["joined_at"]), opt_dt(j["welcomed_at"])) for j in joins]
        onboarding = await self.get_onboarding(member_id)
        if onboarding is not None:
            rows.append(export.onboarding_row(onboarding))
        contributions = await self._rows(
            "SELECT * FROM welcome_contributions WHERE member_id = ? ORDER BY id", (member_id,)
        )
        rows.extend(export.contribution_row(_contribution(c)) for c in contributions)
        intro = await self.get_intro(member_id)
        if intro is not None:
            rows.append(export.intro_row(intro))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = 0
        for table in (
            "welcome_joins",
            "welcome_onboardings",
            "welcome_contributions",
            "welcome_intros",
        ):
            count += await self._change(f"DELETE FROM {table} WHERE member_id = ?", (member_id,))
        return count


def _volunteer(row: sqlite3.Row) -> Volunteer:
    return Volunteer(
        member_id=row["member_id"],
        community_id=row["community_id"],
        since=dt(row["since"]),
        active=bool(row["active"]),
        open_limit=row["open_limit"],
        paused_at=opt_dt(row["paused_at"]),
        paused_until=opt_dt(row["paused_until"]),
    )


def _pairing(row: sqlite3.Row) -> Pairing:
    return Pairing(
        id=row["id"],
        community_id=row["community_id"],
        newcomer_id=row["newcomer_id"],
        buddy_id=row["buddy_id"],
        created_at=dt(row["created_at"]),
        status=PairingStatus(row["status"]),
        greeted_at=opt_dt(row["greeted_at"]),
        ended_at=opt_dt(row["ended_at"]),
    )


def _request(row: sqlite3.Row) -> BuddyRequest:
    return BuddyRequest(
        member_id=row["member_id"],
        community_id=row["community_id"],
        requested_at=dt(row["requested_at"]),
    )


class SqliteBuddies(_Repo):
    section = export.BUDDY_SECTION

    async def get_volunteer(self, member_id: int) -> Volunteer | None:
        row = await self._row("SELECT * FROM buddy_volunteers WHERE member_id = ?", (member_id,))
        return _volunteer(row) if row else None

    async def save_volunteer(self, volunteer: Volunteer) -> None:
        await self._change(
            "INSERT INTO buddy_volunteers (member_id, community_id, since, active, open_limit,"
            " paused_at, paused_until) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET since = excluded.since,"
            " active = excluded.active, open_limit = excluded.open_limit,"
            " paused_at = excluded.paused_at, paused_until = excluded.paused_until",
            (
                volunteer.member_id,
                volunteer.community_id,
                ts(volunteer.since),
                int(volunteer.active),
                volunteer.open_limit,
                _opt_ts(volunteer.paused_at),
                _opt_ts(volunteer.paused_until),
            ),
        )

    async def volunteers(self, community_id: int) -> list[Volunteer]:
        rows = await self._rows(
            "SELECT * FROM buddy_volunteers WHERE community_id = ? AND active = 1"
            " ORDER BY since, member_id",
            (community_id,),
        )
        return [_volunteer(row) for row in rows]

    async def add_pairing(
        self, *, community_id: int, newcomer_id: int, buddy_id: int, at: datetime
    ) -> Pairing:
        new_id = await self._insert(
            "INSERT INTO buddy_pairings (community_id, newcomer_id, buddy_id, created_at, status)"
            " VALUES (?, ?, ?, ?, ?)",
            (community_id, newcomer_id, buddy_id, ts(at), PairingStatus.OPEN.value),
        )
        return Pairing(new_id, community_id, newcomer_id, buddy_id, at)

    async def get_pairing(self, pairing_id: int) -> Pairing | None:
        row = await self._row("SELECT * FROM buddy_pairings WHERE id = ?", (pairing_id,))
        return _pairing(row) if row else None

    async def save_pairing(self, pairing: Pairing) -> None:
        await self._change(
            "UPDATE buddy_pairings SET status = ?, greeted_at = ?, ended_at = ? WHERE id = ?",
            (
                pairing.status.value,
                _opt_ts(pairing.greeted_at),
                _opt_ts(pairing.ended_at),
                pairing.id,
            ),
        )

    async def pairings_of(self, member_id: int) -> list[Pairing]:
        rows = await self._rows(
            "SELECT * FROM buddy_pairings WHERE newcomer_id = ? OR buddy_id = ? ORDER BY id",
            (member_id, member_id),
        )
        return [_pairing(row) for row in rows]

    async def open_pairings(self, community_id: int) -> list[Pairing]:
        rows = await self._rows(
            "SELECT * FROM buddy_pairings WHERE community_id = ? AND status = ? ORDER BY id",
            (community_id, PairingStatus.OPEN.value),
        )
        return [_pairing(row) for row in rows]

    async def pairings_since(self, community_id: int, since: datetime) -> list[Pairing]:
        rows = await self._rows(
            "SELECT * FROM buddy_pairings WHERE community_id = ? AND created_at >= ? ORDER BY id",
            (community_id, ts(since)),
        )
        return [_pairing(row) for row in rows]

    async def get_request(self, member_id: int) -> BuddyRequest | None:
        row = await self._row("SELECT * FROM buddy_requests WHERE member_id = ?", (member_id,))
        return _request(row) if row else None

    async def add_request(self, request: BuddyRequest) -> None:
        await self._change(
            "INSERT INTO buddy_requests (member_id, community_id, requested_at) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET requested_at = excluded.requested_at",
            (request.member_id, request.community_id, ts(request.requested_at)),
        )

    async def remove_request(self, member_id: int) -> bool:
        return (
            await self._change("DELETE FROM buddy_requests WHERE member_id = ?", (member_id,)) > 0
        )

    async def waiting(self, community_id: int) -> list[BuddyRequest]:
        rows = await self._rows(
            "SELECT * FROM buddy_requests r WHERE r.community_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM buddy_pairings p WHERE p.newcomer_id = r.member_id AND p.status = ?)"
            " ORDER BY r.requested_at, r.member_id",
            (community_id, PairingStatus.OPEN.value),
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
        count = await self._change("DELETE FROM buddy_volunteers WHERE member_id = ?", (member_id,))
        count += await self._change("DELETE FROM buddy_requests WHERE member_id = ?", (member_id,))
        count += await self._change(
            "DELETE FROM buddy_pairings WHERE newcomer_id = ? OR buddy_id = ?",
            (member_id, member_id),
        )
        return count

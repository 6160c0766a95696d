"""Proposals in SQLite: a header row plus append-only parts (versions, builds and concerns,
support, positions, history), so saving a proposal only ever inserts what is new."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from bot.proposal_lifecycle import Proposal, Tally, member_record
from bot.proposal_records import (
    Action,
    Contribution,
    Event,
    Kind,
    Position,
    Stance,
    State,
    Support,
    Version,
    forgotten_voice,
    voice_of,
)
from storage.sqlite_base import SqliteRepo as _Repo
from storage.sqlite_base import dt, opt_dt, ts


def _opt_ts(value: Any) -> str | None:
    return ts(value) if value is not None else None


def _proposal(row: sqlite3.Row) -> Proposal:
    return Proposal(
        id=row["id"],
        community_id=row["community_id"],
        number=row["number"],
        title=row["title"],
        author=row["author"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        created_at=dt(row["created_at"]),
        state=State(row["state"]),
        state_since=dt(row["state_since"]),
        incubation_until=dt(row["incubation_until"]),
        stage=row["stage"],
        consent_until=opt_dt(row["consent_until"]),
        round=row["round"],
        parked_until=opt_dt(row["parked_until"]),
        park_reason=row["park_reason"],
        last_raised_at=opt_dt(row["last_raised_at"]),
        nudges=row["nudges"],
        quiet_since=opt_dt(row["quiet_since"]),
        resting_since=opt_dt(row["resting_since"]),
        hidden=bool(row["hidden"]),
        hidden_reason=row["hidden_reason"],
        merged_into=row["merged_into"],
        origin=row["origin"],
    )


# Counts for listings, computed where the rows are. A person's position is their latest one in
# the current round, as in Proposal.positions_now().
TALLY_SQL = """
SELECT p.*,
  (SELECT count(*) FROM proposal_contributions c
     WHERE c.proposal_id = p.id AND c.kind = 'build') AS builds,
  (SELECT count(*) FROM proposal_contributions c
     WHERE c.proposal_id = p.id AND c.kind = 'concern') AS concerns,
  (SELECT count(*) FROM proposal_supports s WHERE s.proposal_id = p.id) AS support,
  (SELECT count(DISTINCT c.voice) FROM proposal_contributions c
     WHERE c.proposal_id = p.id AND c.voice != p.author) AS perspectives,
  (SELECT count(*) FROM proposal_positions x
     WHERE x.proposal_id = p.id AND x.round = p.round AND x.stance = 'consent'
       AND x.id = (SELECT max(y.id) FROM proposal_positions y
                   WHERE y.proposal_id = p.id AND y.round = p.round AND y.voice = x.voice))
    AS consents,
  (SELECT count(*) FROM proposal_positions x
     WHERE x.proposal_id = p.id AND x.round = p.round AND x.stance = 'object'
       AND x.id = (SELECT max(y.id) FROM proposal_positions y
                   WHERE y.proposal_id = p.id AND y.round = p.round AND y.voice = x.voice))
    AS objections
FROM proposals p WHERE p.community_id = ?"""


class SqliteProposals(_Repo):
    section = "mydata_section_proposals"

    # -- reading ---------------------------------------------------------------------------

    async def _load(
        self, headers: Sequence[sqlite3.Row], *, history: bool = True
    ) -> list[Proposal]:
        """Whole proposals from their header rows: one query per kind of part."""
        proposals = {row["id"]: _proposal(row) for row in headers}
        if not proposals:
            return []
        ids = list(proposals)
        marks = ", ".join("?" * len(ids))

        async def parts(table: str) -> dict[int, list[sqlite3.Row]]:
            grouped: dict[int, list[sqlite3.Row]] = defaultdict(list)
            for row in await self._rows(
                f"SELECT * FROM {table} WHERE proposal_id IN ({marks}) ORDER BY id", ids
            ):
                grouped[row["proposal_id"]].append(row)
            return grouped

        versions, contributions = (
            await parts("proposal_versions"),
            await parts("proposal_contributions"),
        )
        supports, positions = await parts("proposal_supports"), await parts("proposal_positions")
        events = await parts("proposal_events") if history else {}
        for pid, proposal in proposals.items():
            proposal.versions = [
                Version(r["number"], r["details"], dt(r["at"]), r["id"]) for r in versions[pid]
            ]
            proposal.contributions = [
                Contribution(
                    Kind(r["kind"]),
                    r["version"],
                    r["voice"],
                    r["member_id"],
                    r["name"],
                    r["text"],
                    dt(r["at"]),
                    bool(r["from_objection"]),
                    r["merged_from"],
                    r["id"],
                )
                for r in contributions[pid]
            ]
            proposal.supports = [
                Support(r["voice"], r["member_id"], r["name"], dt(r["at"]), r["id"])
                for r in supports[pid]
            ]
            proposal.positions = [
                Position(
                    r["round"],
                    r["voice"],
                    r["member_id"],
                    r["name"],
                    Stance(r["stance"]),
                    r["reason"],
                    dt(r["at"]),
                    r["id"],
                )
                for r in positions[pid]
            ]
            proposal.events = [
                Event(
                    dt(r["at"]),
                    Action(r["action"]),
                    r["actor_id"],
                    r["actor_name"],
                    bool(r["automatic"]),
                    r["detail"],
                    State(r["state"]) if r["state"] is not None else None,
                    bool(r["audit"]),
                    r["id"],
                )
                for r in events.get(pid, [])
            ]
        return list(proposals.values())

    async def get(self, community_id: int, number: int) -> Proposal | None:
        rows = await self._rows(
            "SELECT * FROM proposals WHERE community_id = ? AND number = ?", (community_id, number)
        )
        found = await self._load(rows)
        return found[0] if found else None

    async def tallies(
        self, community_id: int, states: Collection[State] | None = None
    ) -> list[Tally]:
        wanted = sorted(State(s).value for s in states) if states is not None else None
        where = "" if wanted is None else f" AND p.state IN ({', '.join('?' * len(wanted))})"
        rows = await self._rows(
            TALLY_SQL + where + " ORDER BY p.number", (community_id, *(wanted or ()))
        )
        return [
            Tally(
                number=r["number"],
                title=r["title"],
                created_at=dt(r["created_at"]),
                state=State(r["state"]),
                incubation_until=dt(r["incubation_until"]),
                consent_until=opt_dt(r["consent_until"]),
                parked_until=opt_dt(r["parked_until"]),
                merged_into=r["merged_into"],
                hidden=bool(r["hidden"]),
                resting_since=opt_dt(r["resting_since"]),
                builds=r["builds"],
                concerns=r["concerns"],
                support=r["support"],
                perspectives=r["perspectives"],
                consents=r["consents"] if r["state"] == State.CONSENT.value else 0,
                objections=r["objections"] if r["state"] == State.CONSENT.value else 0,
            )
            for r in rows
        ]

    async def in_community(
        self, community_id: int, states: Collection[State] | None = None, *, history: bool = True
    ) -> list[Proposal]:
        if states is None:
            rows = await self._rows(
                "SELECT * FROM proposals WHERE community_id = ? ORDER BY number", (community_id,)
            )
        else:
            wanted = sorted(State(s).value for s in states)
            rows = await self._rows(
                "SELECT * FROM proposals WHERE community_id = ? AND state IN"
                f" ({', '.join('?' * len(wanted))}) ORDER BY number",
                (community_id, *wanted),
            )
        return await self._load(rows, history=history)

    async def opened_from(self, community_id: int, origin: str) -> list[Proposal]:
        if not origin:
            return []
        rows = await self._rows(
            "SELECT * FROM proposals WHERE community_id = ? AND origin = ? AND origin <> ''"
            " ORDER BY number",
            (community_id, origin),
        )
        return await self._load(rows, history=False)

    # -- writing ---------------------------------------------------------------------------

    async def add(self, proposal: Proposal) -> Proposal:
        if proposal.id is not None:
            raise ValueError("proposal is stored already")
        row = await self._row(
            "SELECT coalesce(max(number), 0) + 1 AS next FROM proposals WHERE community_id = ?",
            (proposal.community_id,),
        )
        number = row["next"] if row else 1
        new_id = await self._insert(
            "INSERT INTO proposals (community_id, number, title, author, author_id, author_name,"
            " created_at, state, state_since, incubation_until, origin) VALUES (?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?)",
            (
                proposal.community_id,
                number,
                proposal.title,
                proposal.author,
                proposal.author_id,
                proposal.author_name,
                ts(proposal.created_at),
                proposal.state.value,
                ts(proposal.state_since),
                ts(proposal.incubation_until),
                proposal.origin,
            ),
        )
        proposal.id, proposal.number = new_id, number
        await self.save(proposal)
        found = await self.get(proposal.community_id, number)
        assert found is not None
        return found

    async def save(self, proposal: Proposal) -> None:
        if proposal.id is None:
            raise LookupError("save a proposal that was added")
        await self._change(
            "UPDATE proposals SET title = ?, author = ?, author_id = ?, author_name = ?,"
            " state = ?, state_since = ?, incubation_until = ?, stage = ?, consent_until = ?,"
            " round = ?, parked_until = ?, park_reason = ?, last_raised_at = ?, hidden = ?,"
            " hidden_reason = ?, merged_into = ?, nudges = ?, quiet_since = ?, resting_since = ?"
            " WHERE id = ?",
            (
                proposal.title,
                proposal.author,
                proposal.author_id,
                proposal.author_name,
                proposal.state.value,
                ts(proposal.state_since),
                ts(proposal.incubation_until),
                proposal.stage,
                _opt_ts(proposal.consent_until),
                proposal.round,
                _opt_ts(proposal.parked_until),
                proposal.park_reason,
                _opt_ts(proposal.last_raised_at),
                int(proposal.hidden),
                proposal.hidden_reason,
                proposal.merged_into,
                proposal.nudges,
                _opt_ts(proposal.quiet_since),
                _opt_ts(proposal.resting_since),
                proposal.id,
            ),
        )
        pid = proposal.id
        for version in proposal.versions:
            if version.id is None:
                version.id = await self._insert(
                    "INSERT INTO proposal_versions (proposal_id, number, details, at)"
                    " VALUES (?, ?, ?, ?)",
                    (pid, version.number, version.details, ts(version.at)),
                )
        for c in proposal.contributions:
            if c.id is None:
                c.id = await self._insert(
                    "INSERT INTO proposal_contributions (proposal_id, kind, version, voice,"
                    " member_id, name, text, at, from_objection, merged_from)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        pid,
                        c.kind.value,
                        c.version,
                        c.voice,
                        c.member_id,
                        c.name,
                        c.text,
                        ts(c.at),
                        int(c.from_objection),
                        c.merged_from,
                    ),
                )
        for s in proposal.supports:
            if s.id is None:
                s.id = await self._insert(
                    "INSERT INTO proposal_supports (proposal_id, voice, member_id, name, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (pid, s.voice, s.member_id, s.name, ts(s.at)),
                )
        for p in proposal.positions:
            if p.id is None:
                p.id = await self._insert(
                    "INSERT INTO proposal_positions (proposal_id, round, voice, member_id, name,"
                    " stance, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        pid,
                        p.round,
                        p.voice,
                        p.member_id,
                        p.name,
                        p.stance.value,
                        p.reason,
                        ts(p.at),
                    ),
                )
        for e in proposal.events:
            if e.id is None:
                e.id = await self._insert(
                    "INSERT INTO proposal_events (proposal_id, at, action, actor_id, actor_name,"
                    " automatic, detail, state, audit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        pid,
                        ts(e.at),
                        e.action.value,
                        e.actor_id,
                        e.actor_name,
                        int(e.automatic),
                        e.detail,
                        e.state.value if e.state is not None else None,
                        int(e.audit),
                    ),
                )

    # -- personal data ---------------------------------------------------------------------

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        voice = voice_of(member_id)
        rows = await self._rows(
            "SELECT * FROM proposals WHERE author = ? OR id IN ("
            " SELECT proposal_id FROM proposal_contributions WHERE voice = ?"
            " UNION SELECT proposal_id FROM proposal_supports WHERE voice = ?"
            " UNION SELECT proposal_id FROM proposal_positions WHERE voice = ?)",
            (voice, voice, voice, voice),
        )
        return list(member_record(await self._load(rows), member_id))

    async def erase_member(self, member_id: int) -> int:
        """Keep what was said for the community; unlink and unname who said it."""
        voice, forgotten = voice_of(member_id), forgotten_voice()
        changed = await self._change(
            "UPDATE proposals SET author = ?, author_id = NULL, author_name = '' WHERE author = ?",
            (forgotten, voice),
        )
        for table in ("proposal_contributions", "proposal_supports", "proposal_positions"):
            changed += await self._change(
                f"UPDATE {table} SET voice = ?, member_id = NULL, name = '' WHERE voice = ?",
                (forgotten, voice),
            )
        changed += await self._change(
            "UPDATE proposal_events SET actor_id = NULL, actor_name = '' WHERE actor_id = ?",
            (member_id,),
        )
        return changed

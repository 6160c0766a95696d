"""Proposals in SQL: a header row plus append-only parts (versions, builds and concerns,
support, positions, history), so saving a proposal only ever inserts what is new.

The tables mirror storage/migrations/0003_proposals.sql, 0010 and 0011. Counts for listings
come from the domain's own `tally()`: every save stores its counts on the header row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from enum import Enum
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import (
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
from bot.services.proposals.summaries import Tally, member_record, tally
from storage.communities import communities, next_number
from storage.references import VOICE
from storage.sql import (
    Flag,
    SqlRepo,
    Timestamp,
    community_table,
    member_column,
    reference,
    schema_table,
)

_ZERO = sa.text("0")
# The counts a listing shows (bot/services/proposals/summaries.py `Tally`), kept on the header
# row by every save, so a listing reads one row per proposal instead of all its parts: with
# 40 open proposals of ~100 parts each, counting them was 60% of the core benchmark's time.
COUNTS = ("builds", "concerns", "support", "perspectives", "consents", "objections")


def _proposal_id() -> sa.Column[int]:
    return reference("proposal_id", "proposals.id")


proposals = community_table(
    "proposals",
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False, info={VOICE: True}),  # a voice
    member_column("author_id", ondelete="SET NULL"),
    sa.Column("author_name", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("state_since", Timestamp, nullable=False),
    sa.Column("incubation_until", Timestamp, nullable=False),
    sa.Column("stage", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("consent_until", Timestamp),
    sa.Column("round", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("parked_until", Timestamp),
    sa.Column("park_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("last_raised_at", Timestamp),
    sa.Column("hidden", Flag, nullable=False, server_default=sa.false()),
    sa.Column("hidden_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("merged_into", sa.Integer),
    # 0010_proposal_origins.sql
    sa.Column("origin", sa.Text, nullable=False, server_default=""),
    # 0011_proposal_rest.sql
    sa.Column("nudges", sa.Integer, nullable=False, server_default=_ZERO),
    sa.Column("quiet_since", Timestamp),
    sa.Column("resting_since", Timestamp),
    # 0025_proposal_tallies: what `tally()` counted at the last save (NULL before then)
    *(sa.Column(f"tally_{name}", sa.Integer) for name in COUNTS),
    sa.UniqueConstraint("community_id", "number"),
    sa.Index("proposals_by_author", "author"),
)
# Partial: "did this reflection already become a proposal?" reads one row, not every proposal.
sa.Index(
    "proposals_by_origin",
    proposals.c.community_id,
    proposals.c.origin,
    sqlite_where=proposals.c.origin != "",
    postgresql_where=proposals.c.origin != "",
)

proposal_versions = schema_table(
    "proposal_versions",
    sa.Column("id", sa.Integer, primary_key=True),
    _proposal_id(),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.UniqueConstraint("proposal_id", "number"),
)

proposal_contributions = schema_table(
    "proposal_contributions",
    sa.Column("id", sa.Integer, primary_key=True),
    _proposal_id(),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("voice", sa.Text, nullable=False, info={VOICE: True}),
    member_column(ondelete="SET NULL"),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("from_objection", Flag, nullable=False, server_default=sa.false()),
    sa.Column("merged_from", sa.Integer),
    sa.Index("proposal_contributions_by_proposal", "proposal_id", "id"),
    sa.Index("proposal_contributions_by_voice", "voice"),
)

proposal_supports = schema_table(
    "proposal_supports",
    sa.Column("id", sa.Integer, primary_key=True),
    _proposal_id(),
    sa.Column("voice", sa.Text, nullable=False, info={VOICE: True}),
    member_column(ondelete="SET NULL"),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("at", Timestamp, nullable=False),
    sa.UniqueConstraint("proposal_id", "voice"),
    sa.Index("proposal_supports_by_voice", "voice"),
)

proposal_positions = schema_table(
    "proposal_positions",
    sa.Column("id", sa.Integer, primary_key=True),
    _proposal_id(),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("voice", sa.Text, nullable=False, info={VOICE: True}),
    member_column(ondelete="SET NULL"),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("stance", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("at", Timestamp, nullable=False),
    sa.Index("proposal_positions_by_proposal", "proposal_id", "id"),
    sa.Index("proposal_positions_by_voice", "voice"),
)

proposal_events = schema_table(
    "proposal_events",
    sa.Column("id", sa.Integer, primary_key=True),
    _proposal_id(),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    member_column("actor_id", ondelete="SET NULL"),
    sa.Column("actor_name", sa.Text, nullable=False, server_default=""),
    sa.Column("automatic", Flag, nullable=False, server_default=sa.false()),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("state", sa.Text),
    sa.Column("audit", Flag, nullable=False, server_default=sa.false()),
    sa.Index("proposal_events_by_proposal", "proposal_id", "id"),
    sa.Index("proposal_events_by_actor", "actor_id"),
)

# The parts a person speaks in, which /forgetme unlinks and unnames.
_VOICED = (proposal_contributions, proposal_supports, proposal_positions)
_PARTS = (proposal_versions, *_VOICED, proposal_events)

# The hot statements are built once, with bindparams filled per call: building and walking a
# statement for its cache key cost more than running it (see SqlSession).
_COMMUNITY = proposals.c.community_id == sa.bindparam("community_id")
_STATES = proposals.c.state.in_(sa.bindparam("states", expanding=True))
_GET = sa.select(proposals).where(_COMMUNITY, proposals.c.number == sa.bindparam("number"))
_ALL = sa.select(proposals).where(_COMMUNITY).order_by(proposals.c.number)
_IN_STATES = _ALL.where(_STATES)
_OPENED_FROM = _ALL.where(
    proposals.c.origin == sa.bindparam("origin"),
    proposals.c.origin != "",  # lets SQLite use the partial index proposals_by_origin
)
_NEXT_NUMBER = next_number(proposals, sa.bindparam("community_id"), communities.c.history_proposals)
_PARTS_OF = {
    table: sa.select(table)
    .where(table.c.proposal_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(table.c.id)
    for table in _PARTS
}
# One proposal's parts (the common case: get) by plain equality, which skips expanding the IN.
_PARTS_OF_ONE = {
    table: sa.select(table)
    .where(table.c.proposal_id == sa.bindparam("proposal"))
    .order_by(table.c.id)
    for table in _PARTS
}
# One proposal's parts found by its number, so that `get` can send them with its header (on
# PostgreSQL, in one round trip instead of five).
_ID_BY_NUMBER = (
    sa.select(proposals.c.id)
    .where(_COMMUNITY, proposals.c.number == sa.bindparam("number"))
    .scalar_subquery()
)
_PARTS_BY_NUMBER = {
    table: sa.select(table).where(table.c.proposal_id == _ID_BY_NUMBER).order_by(table.c.id)
    for table in _PARTS
}
_INSERT = {table: sa.insert(table) for table in (proposals, *_PARTS)}
_SAVE = sa.update(proposals).where(proposals.c.id == sa.bindparam("proposal"))
# A part's columns other than its keys: each is the record's field of the same name.
# The columns a save writes from a record's fields of the same names: a part's all but its
# keys; the header's all but its keys and what never changes (creation and origin).
_FIELDS = {
    proposals: tuple(
        c.name
        for c in proposals.columns
        if c.name not in ("id", "community_id", "number", "created_at", "origin")
        and not c.name.startswith("tally_")
    ),
    **{
        table: tuple(c.name for c in table.columns if c.name not in ("id", "proposal_id"))
        for table in _PARTS
    },
}


def _values(table: sa.Table, record: Any) -> dict[str, Any]:
    """The `_FIELDS` of `table` read from `record`, enums by their stored value."""
    return {
        name: value.value if isinstance(value := getattr(record, name), Enum) else value
        for name in _FIELDS[table]
    }


def _counted_parts(
    *where: sa.ColumnElement[bool],
) -> sa.CompoundSelect[int, int, str, str, str]:
    """Who said what kind of thing, for the tallies: builds and concerns, support, and the
    positions of each proposal's current round, keyed by id (the order they were added). One
    statement, and only the columns the tally rules read."""
    p, c, s, x = proposals, proposal_contributions, proposal_supports, proposal_positions
    parts = sa.union_all(
        sa.select(
            c.c.proposal_id,
            c.c.id,
            sa.literal("c").label("part"),
            c.c.kind.label("what"),
            c.c.voice,
        )
        .join_from(c, p, c.c.proposal_id == p.c.id)
        .where(*where),
        sa.select(s.c.proposal_id, s.c.id, sa.literal("s"), sa.literal(""), s.c.voice)
        .join_from(s, p, s.c.proposal_id == p.c.id)
        .where(*where),
        sa.select(x.c.proposal_id, x.c.id, sa.literal("p"), x.c.stance, x.c.voice)
        .join_from(x, p, (x.c.proposal_id == p.c.id) & (x.c.round == p.c.round))
        .where(*where),
    )
    return parts  # unordered: sorting the few rows in Python costs less than SQLite's B-tree


_COUNTED = _counted_parts(_COMMUNITY)
_COUNTED_IN_STATES = _counted_parts(_COMMUNITY, _STATES)


_KIND = {kind.value: kind for kind in Kind}
_STANCE = {stance.value: stance for stance in Stance}


def _proposal(r: Sequence[Any]) -> Proposal:
    """A proposal from its header row, unpacked by position (a third of the cost of by name):
    the names below are the table's columns, in order."""
    (
        id_,
        community_id,
        number,
        title,
        author,
        author_id,
        author_name,
        created_at,
        state,
        state_since,
        incubation_until,
        stage,
        consent_until,
        round_,
        parked_until,
        park_reason,
        last_raised_at,
        hidden,
        hidden_reason,
        merged_into,
        origin,
        nudges,
        quiet_since,
        resting_since,
        *_counts,
    ) = r
    return Proposal(
        community_id=community_id,
        number=number,
        title=title,
        author=author,
        author_id=author_id,
        author_name=author_name,
        created_at=created_at,
        state=State(state),
        state_since=state_since,
        incubation_until=incubation_until,
        stage=stage,
        consent_until=consent_until,
        round=round_,
        parked_until=parked_until,
        park_reason=park_reason,
        last_raised_at=last_raised_at,
        nudges=nudges,
        quiet_since=quiet_since,
        resting_since=resting_since,
        hidden=hidden,
        hidden_reason=hidden_reason,
        merged_into=merged_into,
        origin=origin,
        id=id_,
    )


# What a listing reads of each proposal: the header fields a `Tally` shows and the counts
# (not the whole header: its other timestamps cost more to read than the listing's text).
_LISTED = sa.select(
    *(proposals.c[name] for name in Tally._fields[: -len(COUNTS)]),
    *(proposals.c[f"tally_{name}"] for name in COUNTS),
)
_TALLIED = _LISTED.where(_COMMUNITY).order_by(proposals.c.number)


@lru_cache(maxsize=16)
def _tallied_in(how_many: int) -> sa.Select[Any]:
    """A listing of proposals in `how_many` states, each state its own bindparam: an
    expanding IN (`_STATES`) is compiled again on every run, which cost a listing of three
    proposals more than reading them."""
    states: list[sa.BindParameter[str]] = [sa.bindparam(f"state_{n}") for n in range(how_many)]
    return _TALLIED.where(proposals.c.state.in_(states))


def _stored_tally(r: Sequence[Any]) -> Tally | None:
    """The listing's tally from a `_LISTED` row (in the Tally's own order), when the
    proposal's last save counted it."""
    row = tuple(r)
    if row[_FIRST_COUNT] is None:
        return None
    return Tally._make((*row[:3], State(row[3]), *row[4:8], bool(row[8]), *row[9:]))


_FIRST_COUNT = len(Tally._fields) - len(COUNTS)
# `_stored_tally` converts the state and the hidden flag by position.
assert Tally._fields[3] == "state" and Tally._fields[8] == "hidden"
assert Tally._fields[_FIRST_COUNT:] == COUNTS


def _counts(proposal: Proposal) -> dict[str, int]:
    """What the listing will show of `proposal`, for its header row."""
    counted = tally(proposal)
    return {f"tally_{name}": getattr(counted, name) for name in COUNTS}


def _spoken_by(voice: str) -> sa.Select[Any]:
    """The proposals `voice` wrote, or added a part to."""
    spoke_in = sa.union(*(sa.select(t.c.proposal_id).where(t.c.voice == voice) for t in _VOICED))
    return sa.select(proposals).where(
        sa.or_(proposals.c.author == voice, proposals.c.id.in_(spoke_in))
    )


def _chosen(community_id: int, states: Collection[State] | None) -> dict[str, Any]:
    """The bindparams of a community's proposals, optionally in some states only."""
    if states is None:
        return {"community_id": community_id}
    return {"community_id": community_id, "states": sorted(State(s).value for s in states)}


def _assemble(found: dict[int, Proposal], parts: Sequence[Sequence[Row[Any]]]) -> None:
    """Give each proposal its parts: `parts` holds the rows of each of `_PARTS` in order (the
    history's last, when read), each row starting (id, proposal_id, ...)."""
    grouped: list[dict[int, list[Any]]] = []
    for rows in parts:  # (id, proposal_id, ...) rows
        by_proposal: dict[int, list[Any]] = defaultdict(list)
        for row in cast("Sequence[Sequence[Any]]", rows):
            by_proposal[row[1]].append(row)
        grouped.append(by_proposal)
    versions, contributions, supports, positions = grouped[:4]
    events = grouped[4] if len(grouped) > 4 else {}
    # Parts are unpacked by position (the tables' columns, in order): a long-discussed
    # proposal has hundreds, and reading each field by name cost twice as much.
    for pid, proposal in found.items():
        proposal.versions = [
            Version(number, details, at, id_) for id_, _, number, details, at in versions[pid]
        ]
        proposal.contributions = [
            Contribution(
                _KIND[kind], version, voice, member, name, text, at, objection, merged, id_
            )
            for (
                id_,
                _,
                kind,
                version,
                voice,
                member,
                name,
                text,
                at,
                objection,
                merged,
            ) in contributions[pid]
        ]
        proposal.supports = [
            Support(voice, member, name, at, id_)
            for id_, _, voice, member, name, at in supports[pid]
        ]
        proposal.positions = [
            Position(round_, voice, member, name, _STANCE[stance], reason, at, id_)
            for id_, _, round_, voice, member, name, stance, reason, at in positions[pid]
        ]
        proposal.events = [
            Event(
                r.at,
                Action(r.action),
                r.actor_id,
                r.actor_name,
                r.automatic,
                r.detail,
                State(r.state) if r.state is not None else None,
                r.audit,
                r.id,
            )
            for r in events.get(pid, [])
        ]


class SqlProposals(SqlRepo):
    section = "mydata_section_proposals"

    # -- reading ---------------------------------------------------------------------------

    async def _load(self, headers: Sequence[Row[Any]], *, history: bool = True) -> list[Proposal]:
        """Whole proposals from their header rows: one query per kind of part."""
        found = {row[0]: _proposal(row) for row in headers}
        if not found:
            return []
        one = len(found) == 1
        chosen = {"proposal": next(iter(found))} if one else {"ids": list(found)}
        tables = _PARTS if history else _PARTS[:-1]
        statements = [(_PARTS_OF_ONE if one else _PARTS_OF)[table] for table in tables]
        _assemble(found, await self.db.rows_together(statements, chosen))
        return list(found.values())

    async def get(self, community_id: int, number: int, *, history: bool = True) -> Proposal | None:
        """One proposal and all its parts, read together (on PostgreSQL, one round trip)."""
        tables = _PARTS if history else _PARTS[:-1]
        header, *parts = await self.db.rows_together(
            [_GET, *(_PARTS_BY_NUMBER[table] for table in tables)],
            {"community_id": community_id, "number": number},
        )
        if not header:
            return None
        found = {header[0][0]: _proposal(header[0])}
        _assemble(found, parts)
        return found[header[0][0]]

    async def tallies(
        self, community_id: int, states: Collection[State] | None = None
    ) -> list[Tally]:
        """Counts for listings, as each proposal's last save stored them: one statement. A
        proposal last saved before counts were kept is counted from its parts."""
        chosen = _chosen(community_id, states)
        if states is None:
            listed = await self.db.rows(_TALLIED, chosen)
        else:
            values = chosen["states"]
            by_state = {f"state_{n}": value for n, value in enumerate(values)}
            listed = await self.db.rows(
                _tallied_in(len(values)), {"community_id": community_id, **by_state}
            )
        stored = [_stored_tally(row) for row in listed]
        if None not in stored:
            return cast("list[Tally]", stored)
        # Some were last saved before counts were kept: count those from their parts.
        headers = await self.db.rows(_ALL if states is None else _IN_STATES, chosen)
        uncounted = {
            row[0]: _proposal(row)
            for row, tallied in zip(headers, stored, strict=True)
            if tallied is None
        }
        counted_now = iter(await self._counted(chosen, states, uncounted))
        return [tallied or next(counted_now) for tallied in stored]

    async def _counted(
        self,
        chosen: dict[str, Any],
        states: Collection[State] | None,
        found: dict[int, Proposal],
    ) -> list[Tally]:
        """Tallies of `found` (header-only proposals, in order) by the domain's `tally()`, fed
        only the parts its rules read."""
        counted = await self.db.rows(_COUNTED if states is None else _COUNTED_IN_STATES, chosen)
        for row in sorted(counted, key=itemgetter(1)):  # a person's latest position counts
            pid, _, part, what, voice = cast("tuple[int, int, str, str, str]", row)
            proposal = found.get(pid)
            if proposal is None:
                continue  # counted already
            at = proposal.created_at  # a placeholder: no tally rule reads when a part was added
            if part == "c":
                proposal.contributions.append(Contribution(_KIND[what], 0, voice, None, "", "", at))
            elif part == "s":
                proposal.supports.append(Support(voice, None, "", at))
            else:
                proposal.positions.append(
                    Position(proposal.round, voice, None, "", _STANCE[what], "", at)
                )
        return [tally(proposal) for proposal in found.values()]

    async def in_community(
        self, community_id: int, states: Collection[State] | None = None, *, history: bool = True
    ) -> list[Proposal]:
        rows = await self.db.rows(
            _ALL if states is None else _IN_STATES, _chosen(community_id, states)
        )
        return await self._load(rows, history=history)

    async def opened_from(self, community_id: int, origin: str) -> list[Proposal]:
        if not origin:
            return []
        rows = await self.db.rows(_OPENED_FROM, {"community_id": community_id, "origin": origin})
        return await self._load(rows, history=False)

    # -- writing ---------------------------------------------------------------------------

    async def add(self, proposal: Proposal) -> Proposal:
        if proposal.id is not None:
            raise ValueError("proposal is stored already")
        number = int(await self.db.scalar(_NEXT_NUMBER, {"community_id": proposal.community_id}))
        new_id = await self.db.insert(
            _INSERT[proposals],
            {
                "community_id": proposal.community_id,
                "number": number,
                "title": proposal.title,
                "author": proposal.author,
                "author_id": proposal.author_id,
                "author_name": proposal.author_name,
                "created_at": proposal.created_at,
                "state": proposal.state.value,
                "state_since": proposal.state_since,
                "incubation_until": proposal.incubation_until,
                "origin": proposal.origin,
            },
        )
        proposal.id, proposal.number = new_id, number
        await self.save(proposal)
        found = await self.get(proposal.community_id, number)
        assert found is not None
        return found

    async def save(self, proposal: Proposal) -> None:
        if proposal.id is None:
            raise LookupError("save a proposal that was added")
        pid = proposal.id
        await self.db.change(
            _SAVE, {"proposal": pid, **_values(proposals, proposal), **_counts(proposal)}
        )
        for table, records in (
            (proposal_versions, proposal.versions),
            (proposal_contributions, proposal.contributions),
            (proposal_supports, proposal.supports),
            (proposal_positions, proposal.positions),
            (proposal_events, proposal.events),
        ):
            for record in records:
                if record.id is None:
                    record.id = await self.db.insert(
                        _INSERT[table], {"proposal_id": pid, **_values(table, record)}
                    )

    # -- personal data ---------------------------------------------------------------------

    async def recount(self, voice: str) -> None:
        """Count again what `voice` wrote or spoke in: after two voices became one (a person's
        two member rows folded), the stored counts may count them twice."""
        rows = await self.db.rows(_spoken_by(voice))
        for proposal in await self._load(rows, history=False):
            await self.db.change(_SAVE, {"proposal": proposal.id, **_counts(proposal)})

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(_spoken_by(voice_of(member_id)))
        return list(member_record(await self._load(rows), member_id))

    async def erase_member(self, member_id: int) -> int:
        """Keep what was said for the community; unlink and unname who said it."""
        voice, forgotten = voice_of(member_id), forgotten_voice()
        changed = await self.db.change(
            sa.update(proposals)
            .where(proposals.c.author == voice)
            .values(author=forgotten, author_id=None, author_name="")
        )
        for table in _VOICED:
            changed += await self.db.change(
                sa.update(table)
                .where(table.c.voice == voice)
                .values(voice=forgotten, member_id=None, name="")
            )
        changed += await self.db.change(
            sa.update(proposal_events)
            .where(proposal_events.c.actor_id == member_id)
            .values(actor_id=None, actor_name="")
        )
        return changed

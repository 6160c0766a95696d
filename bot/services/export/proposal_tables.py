"""Proposals with every version, build, concern, support, position, consent round and history
entry: the record /proposal shows to everyone, one table per part.

A hidden proposal keeps only its number, state and the moderator's reason, as /proposal shows
it: its title, text and parts are withheld here as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import CommunityContext
from bot.markup import plain
from bot.services.export.table import Table, stamp
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import Action, Stance, State
from bot.services.proposals.texts import history_parts, name_or_former, state_name


@dataclass(frozen=True)
class ConsentRound:
    """One consent round of a proposal, read off its history and positions."""

    number: int
    opened_at: datetime
    closed_at: datetime | None
    outcome: str  # the action that ended it ("adopted", "returned", ...) or "open"
    consents: int
    stand_asides: int
    objections: int


def consent_rounds(p: Proposal) -> list[ConsentRound]:
    """The N-th round opened with the N-th consent_started event and ended with the next change
    of state; each person's latest position in it is what counts, as the lifecycle counts it."""
    found = []
    starts = [i for i, e in enumerate(p.events) if e.action is Action.CONSENT_STARTED]
    for number, start in enumerate(starts, 1):
        end = next((e for e in p.events[start + 1 :] if e.state is not None), None)
        latest = {pos.voice: pos for pos in p.positions if pos.round == number}
        stances = [pos.stance for pos in latest.values()]
        found.append(
            ConsentRound(
                number,
                p.events[start].at,
                end.at if end else None,
                end.action.value if end else "open",
                stances.count(Stance.CONSENT),
                stances.count(Stance.STAND_ASIDE),
                stances.count(Stance.OBJECT),
            )
        )
    return found


@dataclass
class ProposalTables:
    proposals: Table
    versions: Table
    contributions: Table
    support: Table
    positions: Table
    rounds: Table
    history: Table

    def all(self) -> list[Table]:
        return [
            self.proposals,
            self.versions,
            self.contributions,
            self.support,
            self.positions,
            self.rounds,
            self.history,
        ]


def _empty() -> ProposalTables:
    return ProposalTables(
        Table.named(
            "proposals",
            "number title author created_at state state_name state_since current_version"
            " supporters from_reflection merged_into parked_until park_reason hidden"
            " hidden_reason",
        ),
        Table.named("proposal_versions", "proposal version at details"),
        Table.named(
            "proposal_contributions",
            "proposal version kind author text at from_objection merged_from",
        ),
        Table.named("proposal_support", "proposal supporter at"),
        Table.named("proposal_positions", "proposal round person stance reason at"),
        Table.named(
            "consent_rounds",
            "proposal round opened_at closed_at outcome consents stand_asides objections",
        ),
        Table.named("proposal_history", "proposal at actor action what why"),
    )


async def proposal_tables(ctx: CommunityContext, language: str) -> list[Table]:
    """Every proposal of the community, in number order, with all its parts."""
    tables = _empty()
    for p in await ctx.uow.proposals.in_community(ctx.community.id, history=True):
        _header(ctx, tables.proposals, p, language)
        if not p.hidden:
            _parts(ctx, tables, p, language)
    return tables.all()


def _header(ctx: CommunityContext, table: Table, p: Proposal, language: str) -> None:
    shown = not p.hidden
    parked = p.state is State.PARKED
    table.add(
        number=p.number,
        title=p.title if shown else None,
        author=name_or_former(ctx, p.author_name, language) if shown else None,
        created_at=stamp(ctx, p.created_at),
        state=p.state.value,
        state_name=state_name(ctx, p.state, language),
        state_since=stamp(ctx, p.state_since),
        current_version=p.version.number if shown else None,
        supporters=len(p.supports) if shown else None,
        from_reflection=p.from_reflection if shown else None,
        merged_into=p.merged_into,
        parked_until=stamp(ctx, p.parked_until) if parked and shown else None,
        park_reason=p.park_reason if parked and shown else None,
        hidden=p.hidden,
        hidden_reason=p.hidden_reason if p.hidden else None,
    )


def _parts(ctx: CommunityContext, tables: ProposalTables, p: Proposal, language: str) -> None:
    def named(name: str) -> str:
        return name_or_former(ctx, name, language)

    for version in p.versions:
        tables.versions.add(
            proposal=p.number,
            version=version.number,
            at=stamp(ctx, version.at),
            details=version.details,
        )
    for c in p.contributions:
        tables.contributions.add(
            proposal=p.number,
            version=c.version,
            kind=c.kind.value,
            author=named(c.name),
            text=c.text,
            at=stamp(ctx, c.at),
            from_objection=c.from_objection,
            merged_from=c.merged_from,
        )
    for s in p.supports:
        tables.support.add(proposal=p.number, supporter=named(s.name), at=stamp(ctx, s.at))
    for pos in p.positions:
        tables.positions.add(
            proposal=p.number,
            round=pos.round,
            person=named(pos.name),
            stance=pos.stance.value,
            reason=pos.reason or None,
            at=stamp(ctx, pos.at),
        )
    for r in consent_rounds(p):
        tables.rounds.add(
            proposal=p.number,
            round=r.number,
            opened_at=stamp(ctx, r.opened_at),
            closed_at=stamp(ctx, r.closed_at),
            outcome=r.outcome,
            consents=r.consents,
            stand_asides=r.stand_asides,
            objections=r.objections,
        )
    for e in p.events:
        actor, did, why = history_parts(ctx, e, language)
        tables.history.add(
            proposal=p.number,
            at=stamp(ctx, e.at),
            actor=actor,
            action=e.action.value,
            what=plain(did),
            why=why or None,
        )

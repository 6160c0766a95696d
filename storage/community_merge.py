"""One community joins another (`CommunityRepository.merge`): its places and all its history
move to home, and what can exist only once is home's.

Home keeps its name, timezone, language, settings, schedules (a joining schedule of a kind home
lacks moves over) and the reflection deck's cycle. The joining side's proposals and reflection
rounds are numbered after home's highest, in their order; a member of one person on both sides
is folded into home's row; a joining job that exists once per community (no member, no
payload) goes when home has one of its kind pending. The rest moves by the schema's foreign
keys (storage/references.py), so a table added later moves too.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from bot.domain import Renumbered
from bot.services.proposals.records import JOB_PREFIX
from storage.audit import audit_log
from storage.communities import communities, next_number
from storage.members import fold, members
from storage.proposals import proposal_contributions, proposals
from storage.references import repoint
from storage.reflections import reflection_rounds
from storage.scheduling import jobs
from storage.sql import SqlSession


async def merge_communities(db: SqlSession, home_id: int, joining_id: int) -> list[Renumbered]:
    await _fold_people(db, home_id, joining_id)
    renumbered = await _renumber(
        db, proposals, communities.c.history_proposals, "proposal", home_id, joining_id
    )
    await _follow_proposal_numbers(db, joining_id, renumbered)
    rounds = await _renumber(
        db, reflection_rounds, communities.c.history_rounds, "reflection_round", home_id, joining_id
    )
    await _follow_audit_numbers(db, joining_id, renumbered, rounds)
    await _keep_home_cycle(db, home_id, joining_id)
    await _drop_repeated_jobs(db, home_id, joining_id)
    await repoint(db, "communities", home_id, joining_id, loser="drop")
    await db.change(sa.delete(communities).where(communities.c.id == joining_id))
    return renumbered + rounds


async def _fold_people(db: SqlSession, home_id: int, joining_id: int) -> None:
    """A person with a member row on both sides keeps home's."""
    joining = members.alias("joining")
    pairs = await db.rows(
        sa.select(members.c.id.label("keep"), joining.c.id.label("drop"))
        .join(joining, joining.c.person_id == members.c.person_id)
        .where(members.c.community_id == home_id, joining.c.community_id == joining_id)
        .order_by(members.c.id)
    )
    for pair in pairs:
        await fold(db, pair.keep, pair.drop)


async def _renumber(
    db: SqlSession,
    table: sa.Table,
    floor: sa.Column[int],
    kind: str,
    home_id: int,
    joining_id: int,
) -> list[Renumbered]:
    """Joining's #k becomes #(home's highest + k), counting the numbers home made together
    before it split off (`floor`, see storage/community_split.py). Its numbers pass through
    their negatives, so no row ever holds a number another still has (PostgreSQL checks
    uniqueness per row)."""
    highest = int(await db.scalar(next_number(table, home_id, floor))) - 1
    rows = await db.rows(
        sa.select(table.c.id, table.c.number)
        .where(table.c.community_id == joining_id)
        .order_by(table.c.number)
    )
    if not highest or not rows:
        return []
    joining = table.c.community_id == joining_id
    await db.change(sa.update(table).where(joining).values(number=-table.c.number))
    await db.change(sa.update(table).where(joining).values(number=int(highest) - table.c.number))
    return [Renumbered(kind, row.id, row.number, int(highest) + row.number) for row in rows]


async def _follow_proposal_numbers(
    db: SqlSession, joining_id: int, renumbered: list[Renumbered]
) -> None:
    """What names a joining proposal by number names its new one: a duplicate's `merged_into`,
    a build's `merged_from`, and the payload of the proposal's timers."""
    if not renumbered:
        return
    now_of = {change.was: change.now for change in renumbered}
    shift = renumbered[0].now - renumbered[0].was
    ids = [change.record_id for change in renumbered]
    await db.change(
        sa.update(proposals)
        .where(proposals.c.id.in_(ids), proposals.c.merged_into.is_not(None))
        .values(merged_into=proposals.c.merged_into + shift)
    )
    await db.change(
        sa.update(proposal_contributions)
        .where(
            proposal_contributions.c.proposal_id.in_(ids),
            proposal_contributions.c.merged_from.is_not(None),
        )
        .values(merged_from=proposal_contributions.c.merged_from + shift)
    )
    timers = await db.rows(
        sa.select(jobs.c.id, jobs.c.payload).where(
            jobs.c.community_id == joining_id, jobs.c.kind.startswith(JOB_PREFIX)
        )
    )
    for timer in timers:
        number = timer.payload.get("number")
        if isinstance(number, int) and number in now_of:
            await db.change(
                sa.update(jobs)
                .where(jobs.c.id == timer.id)
                .values(payload={**timer.payload, "number": now_of[number]})
            )


# The audit keys whose `number` is a reflection round's; in every other entry a `number` (and
# an `into`) is a proposal's (prompts/*/audit.yaml).
_ROUND_KEYS = frozenset({"audit_reflection_round_started"})


async def _follow_audit_numbers(
    db: SqlSession, joining_id: int, proposals_: list[Renumbered], rounds: list[Renumbered]
) -> None:
    """The joining side's audit entries name its proposals and rounds by their new numbers, so
    "opened proposal #1" in the shared log never points at home's #1."""
    proposal_now = {change.was: change.now for change in proposals_}
    round_now = {change.was: change.now for change in rounds}
    if not proposal_now and not round_now:
        return
    entries = await db.rows(
        sa.select(audit_log.c.id, audit_log.c.text_key, audit_log.c.params).where(
            audit_log.c.community_id == joining_id
        )
    )
    for entry in entries:
        now_of = round_now if entry.text_key in _ROUND_KEYS else proposal_now
        params = json.loads(entry.params or "{}")
        moved = {
            name: now_of.get(value, value) if name in ("number", "into") else value
            for name, value in params.items()
        }
        if moved != params:
            await db.change(
                sa.update(audit_log)
                .where(audit_log.c.id == entry.id)
                .values(params=json.dumps(moved, ensure_ascii=False, sort_keys=True))
            )


async def _keep_home_cycle(db: SqlSession, home_id: int, joining_id: int) -> None:
    """The next prompt follows home's deck: joining's rounds, now the latest, join home's
    current cycle (their prompts count as used in it, so none repeats soon)."""
    cycle = await db.scalar(
        sa.select(reflection_rounds.c.cycle)
        .where(reflection_rounds.c.community_id == home_id)
        .order_by(reflection_rounds.c.number.desc())
        .limit(1)
    )
    if cycle is not None:
        await db.change(
            sa.update(reflection_rounds)
            .where(reflection_rounds.c.community_id == joining_id)
            .values(cycle=cycle)
        )


async def _drop_repeated_jobs(db: SqlSession, home_id: int, joining_id: int) -> None:
    """A job about the whole community (no member, no payload: the daily snapshot, the
    retention sweep, the welcome batch) runs once per community: home's pending one stays."""
    home_kinds = {
        row.kind
        for row in await db.rows(sa.select(jobs.c.kind).where(jobs.c.community_id == home_id))
    }
    joining = await db.rows(
        sa.select(jobs.c.id, jobs.c.kind, jobs.c.payload).where(
            jobs.c.community_id == joining_id, jobs.c.member_id.is_(None)
        )
    )
    repeated = [job.id for job in joining if not job.payload and job.kind in home_kinds]
    if repeated:
        await db.change(sa.delete(jobs).where(jobs.c.id.in_(repeated)))

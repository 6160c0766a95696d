"""Several Hearth processes on one PostgreSQL database: each has a store of its own (its own pool
of connections, as a process would), and together they do everything once.

The outbox's lease is checked on both engines with a fake clock; the rest needs PostgreSQL,
where several processes may share a database (SQLite allows one Hearth per file).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.clock import FakeClock
from bot.errors import StoreConflict
from bot.events import CommandInvoked, Origin, Person
from bot.kernel.outbox import OUTBOX_LEASE
from bot.ports import Store, UnitOfWork
from bot.replies import Reply
from storage.outbox import SENDER_LOCK
from storage.postgres import PostgresStore
from tests import postgres
from tests.peek import contents
from tests.support import COMMUNITY, PLATFORM, START, World, text
from tests.test_outbox import (
    MEMBERS,
    Crash,
    Platform,
    _community_with_a_schedule_in,
    first_questions,
)

EVERYONE = Counter({name: 1 for name in ["ana", *MEMBERS]})


@pytest.fixture
async def processes() -> AsyncIterator[list[PostgresStore]]:
    """Two stores on one fresh PostgreSQL database: two Hearth processes' worth."""
    first = await postgres.fresh_pg_store()
    second = await PostgresStore.open(first.url)
    yield [first, second]
    await second.close()
    await postgres.discard(first)


async def _community_id(uow: UnitOfWork) -> int:
    link = await uow.communities.find_link(PLATFORM, COMMUNITY)
    assert link is not None
    return link.community_id


async def _round_in_the_outbox(store: Store, clock: FakeClock) -> World:
    await _community_with_a_schedule_in(store, clock)
    clock.advance(timedelta(hours=1, minutes=1))  # the round falls due
    world = World(store=store, clock=clock)
    world.hearth.deliver_in_background = True  # the round waits in the outbox
    await world.hearth.run_due()
    return world


async def test_a_dead_senders_messages_go_out_once_its_lease_is_over(store: Store) -> None:
    clock = FakeClock(START)
    dying = await _round_in_the_outbox(store, clock)
    dying.hearth.outbox = crashed = Platform(die_after=3)
    with pytest.raises(Crash):  # killed with three messages sent and the batch still claimed
        await dying.hearth.flush_outbox()

    survivor = World(store=store, clock=clock)
    survivor.hearth.outbox = platform = Platform()
    assert await survivor.hearth.flush_outbox() == 0  # the dead one's claim still holds
    clock.advance(OUTBOX_LEASE)
    assert await survivor.hearth.flush_outbox() > 0

    assert first_questions(crashed.delivered + platform.delivered) == EVERYONE


async def _sender_whose_lock_key(store: PostgresStore, negative: bool) -> str:
    """A sender name whose advisory lock key has its sign (and each half's top bit) as asked:
    pg_locks shows the key as two unsigned halves, which the claim must put back together."""
    async with store.engine.connect() as conn:
        for n in range(100):
            name = f"dying-{n}"
            key = await conn.scalar(
                sa.text("SELECT hashtextextended(:name, 0)"), {"name": SENDER_LOCK + name}
            )
            low_top = bool(key & 0x80000000)
            if (key < 0) == negative and low_top == negative:
                return name
    raise AssertionError("no such sender name among 100")


async def _end_the_session_holding(store: PostgresStore, sender: str) -> int:
    """Terminate the connection holding `sender`'s lock, as PostgreSQL does when its process
    dies; the lock is found by its two halves, the other way round from the claim. The call
    waits (up to 5 s) until that process has really gone, and with it the lock."""
    async with store.engine.connect() as conn:
        ended = await conn.scalar(
            sa.text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objsubid = 1"
                " AND classid = ((hashtextextended(:lock, 0) >> 32) & 4294967295)::oid"
                " AND objid = (hashtextextended(:lock, 0) & 4294967295)::oid"
            ),
            {"lock": SENDER_LOCK + sender},
        )
        await conn.commit()
    return int(ended)


@pytest.mark.parametrize("negative", [False, True], ids=["positive-key", "negative-key"])
async def test_a_dead_processes_claims_go_to_another_at_once(
    processes: list[PostgresStore], negative: bool
) -> None:
    clock = FakeClock(START)
    survivor_store, dying_store = processes
    await _round_in_the_outbox(survivor_store, clock)
    dying = World(store=dying_store, clock=clock)
    dying.hearth.pump.sender = await _sender_whose_lock_key(dying_store, negative)
    dying.hearth.outbox = crashed = Platform(die_after=3)
    with pytest.raises(Crash):  # three sent, the rest of its batch still claimed
        await dying.hearth.flush_outbox()

    survivor = World(store=survivor_store, clock=clock)
    survivor.hearth.outbox = platform = Platform()
    assert await survivor.hearth.flush_outbox() == 0  # its process lives: the claim holds
    look_again = clock.now() + timedelta(seconds=2)
    async with survivor_store.unit_of_work() as uow:  # the timer looks again that soon
        assert await uow.outbox.earliest(look_again=look_again) == look_again
    assert await _end_the_session_holding(survivor_store, dying.hearth.pump.sender) == 1
    async with survivor_store.unit_of_work() as uow:
        assert await uow.outbox.earliest(look_again=look_again) == clock.now()
    assert await survivor.hearth.flush_outbox() > 0  # at once: the clock has not moved

    assert first_questions(crashed.delivered + platform.delivered) == EVERYONE


async def test_two_processes_send_each_check_in_once(processes: list[PostgresStore]) -> None:
    clock = FakeClock(START)
    await _round_in_the_outbox(processes[0], clock)
    first, second = (World(store=store, clock=clock) for store in processes)
    platforms = [Platform(), Platform()]
    first.hearth.outbox, second.hearth.outbox = platforms
    await asyncio.gather(first.hearth.flush_outbox(), second.hearth.flush_outbox())

    delivered = platforms[0].delivered + platforms[1].delivered
    assert first_questions(delivered) == EVERYONE
    assert sum("Check-in time." in text([r]) for r in delivered) == 1


async def test_a_due_round_opens_in_one_process_only(processes: list[PostgresStore]) -> None:
    clock = FakeClock(START)
    await _community_with_a_schedule_in(processes[0], clock)
    clock.advance(timedelta(hours=1, minutes=1))
    first, second = (World(store=store, clock=clock) for store in processes)
    for world in (first, second):
        world.hearth.deliver_in_background = True
    fired = await asyncio.gather(first.hearth.run_due(), second.hearth.run_due())

    assert sum(fired) == 1
    first.hearth.outbox = platform = Platform()
    await first.hearth.flush_outbox()
    assert first_questions(platform.delivered) == EVERYONE


async def test_a_job_held_by_one_process_is_passed_over_by_another(
    processes: list[PostgresStore],
) -> None:
    clock = FakeClock(START)
    await _community_with_a_schedule_in(processes[0], clock)
    async with processes[0].unit_of_work() as uow:
        community_id = await _community_id(uow)
        for kind in ("first", "second"):
            await uow.jobs.add(community_id=community_id, kind=kind, due_at=START)
        await uow.commit()

    async with processes[0].unit_of_work() as holding:
        held = await holding.jobs.due(START, 1)
        async with processes[1].unit_of_work() as other:
            passed_over = await other.jobs.due(START, 10)
    assert [job.kind for job in held] == ["first"]
    assert [job.kind for job in passed_over] == ["second"]


async def test_two_units_changing_one_record_side_by_side_keep_only_the_first(
    processes: list[PostgresStore],
) -> None:
    clock = FakeClock(START)
    await _community_with_a_schedule_in(processes[0], clock)
    async with processes[0].unit_of_work() as uow:
        community = await uow.communities.get(await _community_id(uow))
    before = await contents(processes[0])

    async def rename(store: PostgresStore, name: str, go: asyncio.Event) -> None:
        async with store.unit_of_work() as uow:
            found = await uow.communities.get(community.id)
            await go.wait()  # both have read it before either writes
            found.name = name
            await uow.communities.save(found)
            await uow.commit()

    go = asyncio.Event()
    first = asyncio.create_task(rename(processes[0], "First", go))
    second = asyncio.create_task(rename(processes[1], "Second", go))
    await asyncio.sleep(0.2)  # let both read (the event orders nothing else)
    go.set()
    outcomes = await asyncio.gather(first, second, return_exceptions=True)

    refused = [o for o in outcomes if isinstance(o, StoreConflict)]
    assert len(refused) == 1
    async with processes[0].unit_of_work() as uow:
        kept = (await uow.communities.get(community.id)).name
    assert kept in ("First", "Second")
    after = await contents(processes[0])
    assert {k: v for k, v in after.items() if k != "communities"} == {
        k: v for k, v in before.items() if k != "communities"
    }


async def test_members_joining_through_two_processes_at_once_are_all_welcomed_once(
    processes: list[PostgresStore],
) -> None:
    clock = FakeClock(START)
    worlds = [World(store=store, clock=clock) for store in processes]
    worlds[0].make_admin("ana")
    await worlds[0].say("ana", "hello")
    newcomers = [f"n{n:02d}" for n in range(24)]

    answers = await asyncio.gather(*(worlds[n % 2].join(name) for n, name in enumerate(newcomers)))

    assert all(answers)  # everyone was answered (none met an unexpected error)
    assert all(world.hearth.outcomes["error"] == 0 for world in worlds)
    async with processes[0].unit_of_work() as uow:
        community_id = await _community_id(uow)
        names = {m.user_ref for m in await uow.members.active(community_id)}
    assert set(newcomers) <= names
    rows = await contents(processes[0])
    assert len(rows["members"]) == len(newcomers) + 1


async def test_busy_groups_side_by_side_in_two_processes_are_all_answered(
    processes: list[PostgresStore],
) -> None:
    """Many groups' commands at once, half through each process: unrelated groups never make
    each other fail (each command is answered, none with an unexpected error)."""
    clock = FakeClock(START)
    hearths = [World(store=store, clock=clock).hearth for store in processes]
    events = []
    for n in range(320):
        group, who = n % 32, f"m{n % 5}"
        origin = Origin("test", f"group-{group}", Person(who, who), "#general", f"Group {group}")
        events.append(CommandInvoked(origin, ("help", "privacy", "proposals")[n % 3], ""))
    at_once = asyncio.Semaphore(16)

    async def handle(n: int, event: CommandInvoked) -> list[Reply]:
        async with at_once:
            return await hearths[n % 2].handle(event)

    answers = await asyncio.gather(*(handle(n, e) for n, e in enumerate(events)))

    assert all(answers)
    assert sum(h.outcomes["ok"] for h in hearths) == len(events)
    assert all(h.outcomes["error"] == 0 for h in hearths)

"""The send budget several workers share on PostgreSQL keeps every limit over all of them:
the moments it hands out, on the server's clock, never crowd a window."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
import sqlalchemy as sa

from bot.workers import Limit
from storage.workers import PgSendBudget
from tests import postgres

SECOND = Limit("telegram:42:all", 30, 1.0)
TENTH = Limit("telegram:42:all-tenth", 3, 0.1)


@pytest.fixture
async def database() -> AsyncIterator[sa.URL]:
    url = await postgres.fresh_database()
    yield url
    await postgres.give_back(url)


async def _places(url: sa.URL, key: str) -> list[float]:
    """Until when each send kept under `key` may still be counted, earliest first."""
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        untils: list[float] = await conn.fetchval(
            "SELECT untils FROM hearth_send_places WHERE key = $1", key
        )
        return sorted(untils)
    finally:
        await conn.close()


async def test_two_workers_moments_keep_every_window(database: sa.URL) -> None:
    workers = [PgSendBudget(database), PgSendBudget(database)]
    try:
        taken = await asyncio.gather(*(workers[n % 2].reserve([SECOND, TENTH]) for n in range(45)))
    finally:
        for worker in workers:
            await worker.close()

    # 45 sends at 30 a second: the last ones wait past the first second
    assert max(r.delay for r in taken) > 1.0
    # With no margin for late arrival, a place lasts until its moment: these are the moments.
    tenth = await _places(database, TENTH.key)
    second = await _places(database, SECOND.key)
    # each key keeps only the places that can still hold a send back
    assert len(tenth) <= 3 and 3 <= len(second) <= 30
    # no more than 3 in any tenth (to a microsecond: epoch seconds in a double)
    assert all(b - a >= 0.1 - 1e-6 for a, b in zip(second, second[3:], strict=False))
    assert tenth[-1] == second[-1]


async def test_a_full_group_waits_a_minute_without_holding_up_others(database: sa.URL) -> None:
    budget = PgSendBudget(database)
    group = Limit("telegram:42:group:-100", 2, 60.0)
    try:
        first = [(await budget.reserve([group])).delay for _ in range(3)]
        other = (await budget.reserve([Limit("telegram:42:group:-200", 2, 60.0)])).delay
    finally:
        await budget.close()
    assert first[0] <= 0 and first[1] <= 0  # two at once
    assert first[2] == pytest.approx(60.0, abs=1.0)  # the third a minute after the first
    assert other <= 0  # another group is not held up


async def test_a_generous_limit_keeps_only_the_moments_within_its_period(
    database: sa.URL,
) -> None:
    budget = PgSendBudget(database)
    generous = Limit("telegram:42:all", 1_000_000, 0.2)
    try:
        for _ in range(5):
            assert (await budget.reserve([generous])).delay <= 0
        await asyncio.sleep(0.3)
        assert (await budget.reserve([generous])).delay <= 0
    finally:
        await budget.close()
    # the row's size follows the sends made lately, not the limit's million
    assert len(await _places(database, generous.key)) == 1


async def test_an_unanswered_send_keeps_its_place_its_late_margin_longer(database: sa.URL) -> None:
    """It may still arrive late, where the platform counts it."""
    budget = PgSendBudget(database)
    late = Limit("telegram:42:all", 1, 0.5, late=0.25)
    try:
        first = await budget.reserve([late])
        second = await budget.reserve([late])
    finally:
        await budget.close()
    assert first.delay <= 0
    assert second.delay == pytest.approx(0.75, abs=0.1)


async def test_an_answered_send_keeps_its_place_until_its_answer(database: sa.URL) -> None:
    """The worker that sent it tells the budget with its next reservation, and every worker's
    next send may go a period after the answer, not after the margin for late arrival."""
    workers = [PgSendBudget(database), PgSendBudget(database)]
    late = Limit("telegram:42:all", 1, 0.5, late=5.0)
    try:
        first = await workers[0].reserve([late])
        first.answered()
        told = await workers[0].reserve([late])  # tells the answer, then waits a period
        told.answered()
        await asyncio.sleep(PgSendBudget.TELL_WITHIN * 4)  # told soon, with no reservation
        other = await workers[1].reserve([late])
    finally:
        for worker in workers:
            await worker.close()
    assert first.delay <= 0
    assert told.delay == pytest.approx(0.5, abs=0.1)
    assert other.delay == pytest.approx(0.5 - PgSendBudget.TELL_WITHIN * 4, abs=0.1)


async def test_a_send_answered_later_than_its_margin_keeps_its_place_until_then(
    database: sa.URL,
) -> None:
    """A request that took longer to arrive than was kept for it: its place lasts until its
    answer, so the sends after it are not crowded into one window with it."""
    budget = PgSendBudget(database)
    late = Limit("telegram:42:all", 1, 0.5, late=0.05)
    try:
        slow = await budget.reserve([late])
        await asyncio.sleep(0.3)  # on its way all this while
        slow.answered()
        after = await budget.reserve([late])
    finally:
        await budget.close()
    assert slow.delay <= 0
    assert after.delay == pytest.approx(0.5, abs=0.1)  # a period after the answer, not 0.25

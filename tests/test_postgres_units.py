"""A PostgreSQL unit of work cut off half-way (a stop, a timeout) keeps nothing and holds
nothing: its turn's next unit runs, in this process and on the server, and sees no trace of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.replies import Reply, Target, Visibility
from storage.communities import communities
from storage.postgres import PgSession, PostgresStore
from tests import postgres

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
RENAME = sa.text("UPDATE communities SET name = :name WHERE id = :id")


def _session(uow: object) -> PgSession:
    session = uow._session  # type: ignore[attr-defined]
    assert isinstance(session, PgSession)
    return session


async def test_a_unit_cut_off_mid_statement_keeps_nothing_and_gives_its_turn_back() -> None:
    store = await postgres.fresh_pg_store()
    blocker = await postgres._admin(store.url)
    try:
        async with store.unit_of_work() as uow:
            made = await _session(uow).insert(
                sa.insert(communities).values(
                    name="Garden", timezone="UTC", language="en", created_at=NOW
                )
            )
            await uow.commit()
        # Another session holds the row, so the unit's write waits on it until it is cut off.
        await blocker.execute("BEGIN")
        await blocker.execute("UPDATE communities SET name = 'held' WHERE id = $1", made)

        async def cut_off() -> None:
            async with store.unit_of_work(turn="bench:garden") as uow:
                await _session(uow).change(RENAME, {"name": "cut off", "id": made})
                await uow.commit()

        unit = asyncio.ensure_future(cut_off())
        waits = "SELECT count(*) FROM pg_locks WHERE NOT granted"
        async with asyncio.timeout(30):
            while not await blocker.fetchval(waits):  # each look lets the unit run on
                pass  # until its UPDATE waits on the blocker's row
        unit.cancel()
        with pytest.raises(asyncio.CancelledError):
            await unit
        await blocker.execute("ROLLBACK")

        async with asyncio.timeout(30):  # the turn is free again, here and on the server
            async with store.unit_of_work(turn="bench:garden") as uow:
                assert (
                    await _session(uow).scalar(
                        sa.select(communities.c.name).where(communities.c.id == made)
                    )
                    == "Garden"
                )
                await _session(uow).change(RENAME, {"name": "Orchard", "id": made})
                await uow.commit()
        async with store.unit_of_work() as uow:
            assert (
                await _session(uow).scalar(
                    sa.select(communities.c.name).where(communities.c.id == made)
                )
                == "Orchard"
            )
    finally:
        await blocker.close()
        await postgres.discard(store)


async def test_a_unit_that_only_reads_lets_go_of_its_turn_on_the_server() -> None:
    store = await postgres.fresh_pg_store()
    watcher = await postgres._admin(store.url)
    try:
        for _ in range(3):
            async with store.unit_of_work(turn="bench:garden") as uow:
                assert await _session(uow).scalar(sa.select(sa.func.count(communities.c.id))) == 0
        held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        assert await watcher.fetchval(held) == 0
        assert not await watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hearth'"
            " AND state LIKE 'idle in transaction%'"
        )
    finally:
        await watcher.close()
        await postgres.discard(store)


async def test_a_claim_takes_one_batch_whatever_plan_postgresql_picks() -> None:
    """Planned as a nested loop (as a database's statistics once led PostgreSQL to do), the
    choice of messages ran again for every row of the outbox and one pump took all of them."""
    url = await postgres.fresh_database()
    admin = await postgres._admin(url.set(database="postgres"))
    nested_loop = ("enable_hashjoin", "enable_mergejoin", "enable_material", "enable_hashagg")
    try:
        for setting in (*nested_loop, "enable_sort"):
            await admin.execute(f"ALTER DATABASE {url.database} SET {setting} = off")
        store = await PostgresStore.open(url)
        try:
            reply = Reply("hello", Target("telegram", "-1", user_ref="5"), Visibility.PRIVATE)
            async with store.unit_of_work() as uow:
                for _ in range(30):
                    await uow.outbox.add(reply, NOW)
                await uow.commit()
            async with store.unit_of_work() as uow:
                first = await uow.outbox.claim(NOW, batch=10, lease=LEASE, owner="pump-a")
                await uow.commit()
            async with store.unit_of_work() as uow:
                second = await uow.outbox.claim(NOW, batch=10, lease=LEASE, owner="pump-b")
                await uow.commit()
        finally:
            await store.close()
        assert [m.id for m in first] == list(range(1, 11))
        assert [m.id for m in second] == list(range(11, 21))
    finally:
        await admin.execute(f"ALTER DATABASE {url.database} RESET ALL")
        await admin.close()
        await postgres.give_back(url)

"""What the workers of one bot share on PostgreSQL (bot.workers): its send budget, and roles
only one worker holds at a time. Each is on a dedicated connection of its own, in autocommit
(READ COMMITTED): never inside a unit of work's REPEATABLE READ transaction, which could be
refused and run again, and never waiting behind one.

Send budget: each limit key is a row holding, for each send that may still be counted, until
when it may: its moment plus the limit's `late` while unanswered, its answer's time once the
worker that sent it tells (with its next reservation, or soon after). Only places that can
still hold a send back are kept, so a row's size follows the sends actually made, not a
generous limit's `most` (a limit lifted to a million a second once kept a million-long array,
rewritten at every send). One statement locks the rows of a request's keys (always in key
order: no deadlock), computes the first moment all of them allow on the server's clock (one
clock for every worker, whatever the machines' clocks say), adds its place, and answers how
long to wait. A reservation is one round trip that holds its rows well under a millisecond, so
the workers' sends interleave in the order they asked, and an interactive answer waits behind
the few moments taken before it, not behind a whole fan-out (the tenth-of-a-second limit keeps
those few). The table is UNLOGGED and made on first use: these counts matter for a minute, are
not data, and need no migration or backup; a server crash that forgets them forgets a minute of
sends at most.

Why a shared budget rather than one elected sender per bot: with a webhook every worker answers
the updates it takes, and an elected sender would have to take every answer over from the
others (another hop through the database, and one process as the bottleneck of all sends),
while a reservation costs one round trip of about a millisecond on a local server (two workers
fanning out 2,000 check-ins reach 95% of a 100/s limit with no 429, answers to /help
meanwhile in under 75 ms at p99: `make bench`).

Roles: a session advisory lock per role (keyed by its name) on the role's connection. The
worker holding it keeps the connection; when that worker dies its session ends, the server
lets go of the lock, and a waiting worker, which tries every `RETRY` seconds, takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import sqlalchemy as sa

from bot.workers import Limit, LocalSendBudget, Reservation, SendBudget, SoleRole, Workers
from storage.postgres import CONNECT_TIMEOUT, asyncpg_url

log = logging.getLogger("hearth.storage.workers")

ROLE_SESSION = "hearth role"  # the application_name of the sessions that hold or seek a role
RETRY = 1.0  # seconds between a waiting worker's tries to take a role
CHECK = 2.0  # seconds between checks that a held role's connection is alive
CLEAN_EVERY = 1000  # reservations between forgetting quiet keys
QUIET = 600.0  # seconds a key's last moment lies back before it is forgotten
_TABLE_LOCK = 0x4E47_5041_4345  # a fixed advisory lock key: making the table, once

_MAKE = """
CREATE UNLOGGED TABLE IF NOT EXISTS hearth_send_places (
    key text PRIMARY KEY,
    last_at double precision NOT NULL DEFAULT '-Infinity',
    untils double precision[] NOT NULL DEFAULT '{}'
)
"""
_ADD_KEYS = """
INSERT INTO hearth_send_places (key) SELECT unnest($1::text[]) ORDER BY 1
ON CONFLICT (key) DO NOTHING
"""
# Each row holds, for each send that may still be counted, until when it may (`untils`, in no
# particular order: an answer lowers one in place). FOR UPDATE in READ COMMITTED hands back
# each row as the last worker left it, and the clock is read after the rows are locked: the
# moment never lies before one taken meanwhile (`last_at`). A new send may go once fewer than
# `most` places last past its moment less `period`: the `most`-th latest of them decides.
_RESERVE = """
WITH asked AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::double precision[], $4::double precision[])
        AS a(key, most, period, hold)
), held AS (
    SELECT m.key, m.untils, m.last_at, a.most, a.period, a.hold
    FROM hearth_send_places m JOIN asked a ON a.key = m.key
    ORDER BY m.key
    FOR UPDATE OF m
), moment AS (
    SELECT greatest(
        extract(epoch FROM clock_timestamp())::double precision,
        max(last_at),
        max((SELECT e FROM unnest(untils) AS e ORDER BY e DESC OFFSET most - 1 LIMIT 1) + period)
    ) AS at
    FROM held
)
UPDATE hearth_send_places m
SET last_at = x.at,
    untils = ARRAY(
        SELECT e FROM unnest(h.untils || (x.at + h.hold)) AS e WHERE e > x.at - h.period
    )
FROM held h, moment x
WHERE m.key = h.key
RETURNING m.key, x.at + h.hold AS until,
    x.at - extract(epoch FROM clock_timestamp())::double precision AS delay
"""
# A send answered `ago` seconds back arrived by then: its place (`until`, as reserved) lasts
# until then, sooner or later than it was kept for. One place per answer, even where two
# sends' places are equal.
_ANSWERED = """
UPDATE hearth_send_places
SET untils[array_position(untils, $2)] =
    extract(epoch FROM clock_timestamp())::double precision - $3
WHERE key = $1 AND array_position(untils, $2) IS NOT NULL
"""
_FORGET = """
DELETE FROM hearth_send_places
WHERE last_at < extract(epoch FROM clock_timestamp()) - $1
"""


def _dsn(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _connect(url: sa.URL, name: str = "hearth") -> asyncpg.Connection:
    """A connection of its own; `name` is what an operator sees in pg_stat_activity."""
    return await asyncpg.connect(
        _dsn(url), timeout=CONNECT_TIMEOUT, server_settings={"application_name": name}
    )


class PgSendBudget:
    """The bot's send budget in the database, shared by every worker. Answers are told to it
    with the worker's next reservation, or within `TELL_WITHIN` seconds when none comes: until
    then a send keeps its place as if unanswered, which only errs on the safe side."""

    TELL_WITHIN = 0.05

    def __init__(self, url: sa.URL) -> None:
        self._url = url
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one reservation at a time on the connection
        self._known: set[str] = set()  # keys whose rows this worker has made sure of
        self._count = 0
        self._fallback = LocalSendBudget()
        self._failing = False
        self._answers: list[tuple[str, float, float]] = []  # (key, until, answered at)
        self._telling: asyncio.Task[None] | None = None

    async def reserve(self, limits: Sequence[Limit]) -> Reservation:
        async with self._lock:
            try:
                await self._tell_answers()
                places = await self._reserve(limits)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                await self._drop()
                if not self._failing:
                    log.warning(
                        "the shared send budget cannot be reached (%s); pacing this worker on"
                        " its own until it can",
                        type(error).__name__,
                    )
                self._failing = True
                return await self._fallback.reserve(limits)
            if self._failing:
                log.info("the shared send budget is reachable again")
                self._failing = False
        delay, untils = places
        return Reservation(delay, tell=lambda: self._answered(untils))

    def _answered(self, untils: list[tuple[str, float]]) -> None:
        now = time.monotonic()
        self._answers.extend((key, until, now) for key, until in untils)
        if self._telling is None or self._telling.done():
            self._telling = asyncio.get_running_loop().create_task(self._tell_soon())

    async def _tell_soon(self) -> None:
        await asyncio.sleep(self.TELL_WITHIN)
        async with self._lock:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self._tell_answers()

    async def _tell_answers(self) -> None:
        """The answers since the last reservation, in one round trip (asyncpg pipelines an
        executemany). Lost with a broken connection: those places then last their `late`."""
        if not self._answers or self._failing:
            self._answers.clear()
            return
        answers, self._answers = self._answers, []
        conn = await self._connection()
        now = time.monotonic()
        await conn.executemany(_ANSWERED, [(key, until, now - at) for key, until, at in answers])

    async def _reserve(self, limits: Sequence[Limit]) -> tuple[float, list[tuple[str, float]]]:
        conn = await self._connection()
        keys = [limit.key for limit in limits]
        if not self._known.issuperset(keys):
            await conn.execute(_ADD_KEYS, keys)
            self._known.update(keys)
        arguments = (
            keys,
            [limit.most for limit in limits],
            [limit.period for limit in limits],
            [limit.late for limit in limits],
        )
        rows = await conn.fetch(_RESERVE, *arguments)
        if len(rows) < len(set(keys)):  # forgotten meanwhile (quiet keys): make them again
            await conn.execute(_ADD_KEYS, keys)
            rows = await conn.fetch(_RESERVE, *arguments)
        self._count += 1
        if self._count % CLEAN_EVERY == 0:
            await conn.execute(_FORGET, QUIET)
            self._known.clear()
        if not rows:
            return 0.0, []
        # Only a place kept past its moment for late arrival is worth an answer.
        late = {limit.key for limit in limits if limit.late > 0}
        untils = [(row["key"], row["until"]) for row in rows if row["key"] in late]
        return float(rows[0]["delay"]), untils

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            conn = await _connect(self._url)
            try:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", _TABLE_LOCK)
                    await conn.execute(_MAKE)
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
            self._known.clear()
        return self._conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    async def close(self) -> None:
        telling, self._telling = self._telling, None
        if telling is not None:
            telling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await telling
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    await conn.close(timeout=2)


def _role_key(name: str) -> int:
    digest = hashlib.blake2b(f"hearth:role:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PgSoleRole:
    """A role held as a session advisory lock on a connection of its own."""

    def __init__(self, url: sa.URL, name: str) -> None:
        self._url = url
        self._key = _role_key(name)
        self._conn: asyncpg.Connection | None = None
        self._gone = asyncio.Event()  # the held connection ended
        self._lost = False  # held once and lost: a worker whose session ended lets others first

    async def take(self) -> None:
        if self._lost:
            await asyncio.sleep(2 * RETRY)
        while True:
            conn = None
            try:
                conn = await _connect(self._url, ROLE_SESSION)
                while True:
                    if await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key):
                        self._gone.clear()
                        conn.add_termination_listener(lambda _: self._gone.set())
                        self._conn, conn = conn, None
                        return
                    await asyncio.sleep(RETRY)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.sleep(RETRY)  # the database is away: try again, a new session
            finally:
                if conn is not None:
                    conn.terminate()

    async def lost(self) -> str:
        conn = self._conn
        if conn is None:
            return "not held"
        while not self._gone.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._gone.wait(), CHECK)
                break
            try:
                await conn.fetchval("SELECT 1", timeout=CHECK)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                break
        self._conn = None
        self._lost = True
        conn.terminate()
        return "its database session ended"

    async def give_up(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:  # closing the session lets go of the lock
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await conn.close(timeout=2)
            if not conn.is_closed():
                conn.terminate()


class PgWorkers:
    """Workers sharing a PostgreSQL database."""

    def __init__(self, url: sa.URL) -> None:
        self._url = url
        self._budget = PgSendBudget(url)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def budget(self) -> SendBudget:
        return self._budget

    def role(self, name: str) -> SoleRole:
        return PgSoleRole(self._url, name)

    async def close(self) -> None:
        await self._budget.close()


@asynccontextmanager
async def shared_by_workers(database: str | Path | sa.URL) -> AsyncIterator[Workers | None]:
    """What several workers on `database` share; None on SQLite (one worker per file)."""
    from storage import is_postgres

    if isinstance(database, sa.URL):
        url = database
    elif isinstance(database, str) and is_postgres(database):
        url = asyncpg_url(database)
    else:  # a SQLite file: one worker, which keeps its limits and roles itself
        yield None
        return
    workers = PgWorkers(url)
    try:
        yield workers
    finally:
        await workers.close()

"""PostgreSQL through SQLAlchemy's asyncio engine on asyncpg: for several Hearth processes on
one database.

Each unit of work takes a pooled connection of its own and runs REPEATABLE READ: it sees one
snapshot throughout, and PostgreSQL refuses a unit that changes a row another changed since
that snapshot. That refusal is `bot.errors.StoreConflict`; nothing of the unit was kept, and
the core runs it again. Units that would otherwise read and decide on the same things take
turns (`turn`: the events of one community, of one person in private), in every process.

Why not SERIALIZABLE: its predicate locks are kept per index page, and on small, busy tables
(processed events, members, the outbox) units of unrelated communities share pages, so nearly
every pair of concurrent units was refused: 545 re-runs for 800 commands over 32 groups, and
some still refused after 12 tries. REPEATABLE READ with turns ran the same 800 with no re-run,
twice as fast. What it allows that SERIALIZABLE would not is write skew between units that do
not share a turn (a private answer arriving as the group's round is closed lands like one
that arrived a moment earlier); unique keys still stop anything being made twice.

Nothing is cached between units here: another process may change a community at any time, so
the context cache lives for one unit only.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
from collections.abc import Coroutine, Sequence
from typing import Any, Literal, TypeVar, overload

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Row, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.base import Executable
from sqlalchemy.util import LRUCache

from bot.errors import StartupProblem, StoreConflict
from storage.direct import Plan, bound, rows_of
from storage.migrate import NewerDatabase, upgrade_postgres
from storage.outbox import SENDER_LOCK
from storage.sql import Params, SqlSession, new_key
from storage.sqlite_cache import ContextCache
from storage.unit_of_work import SqlUnitOfWork

log = logging.getLogger("hearth.storage")

_T = TypeVar("_T")

# serialization_failure and deadlock_detected: the unit may simply run again. And
# unique_violation: under REPEATABLE READ a row another unit made since this one's snapshot
# (the same person's account from two groups at once) is refused so; run again, the unit sees
# that row and uses it. (Nothing here relies on catching a unique violation: inserts that may
# meet an existing row say ON CONFLICT.)
_RETRYABLE = {"40001", "40P01", "23505"}
POOL_SIZE = 8  # connections one process keeps for units; more wait their turn
CONNECT_TIMEOUT = 10.0  # seconds; an unreachable server is one line at start-up, not a hang
# A unit that holds a transaction open and idle this long (a hung process) is ended by the
# server, which lets go of its row locks: jobs it held run elsewhere.
IDLE_IN_TRANSACTION_MS = 60_000


def asyncpg_url(database: str) -> sa.URL:
    """HEARTH_DATABASE as written by people (postgresql://user:pw@host/db) for asyncpg."""
    url = make_url(database.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql+asyncpg")


def shown(url: sa.URL) -> str:
    """The URL for a log line or an error: never its password."""
    return url.render_as_string(hide_password=True)


class PgSession(SqlSession):
    """A unit of work's statements on its own connection, in one REPEATABLE READ transaction
    that begins before the first statement (reads and writes of a unit see one snapshot).

    The transaction is begun and ended here, straight through the driver, rather than by
    SQLAlchemy (its connections run in AUTOCOMMIT and never say BEGIN themselves): that way a
    turn's lock rides in the same round trip as BEGIN, and its unlock in the same as COMMIT or
    ROLLBACK. A round trip cost 200 µs of a 2 ms command (the event loop's turns around the
    socket, not the server's work), and a command that only reads made eight of them.
    """

    dialect = "postgresql"

    def __init__(self, store: PostgresStore) -> None:
        self.conn: AsyncConnection | None = None
        self.turn_key: int | None = None  # the turn's lock, held until the transaction ends
        self.open = False  # this unit's transaction has begun and not ended
        # Cut off half-way (a cancellation, or a BEGIN/COMMIT that failed): what the
        # connection holds is unknown, so it is thrown away, which ends its transaction and
        # its locks on the server.
        self.broken = False
        self._failed = False  # a statement failed: PostgreSQL has aborted the transaction
        self._store = store

    async def hold_claims(self, owner: str) -> None:
        await self._store.hold_claims(owner)

    async def begin(self, conn: AsyncConnection, turn_key: int | None) -> None:
        """Take `conn` for this unit; with a turn, wait for its lock and begin at once.

        The lock is taken in a transaction of its own (committed, it stays: a session lock)
        before this unit's begins, in one round trip: a REPEATABLE READ snapshot is fixed by
        the transaction's first statement, and that must come after the lock, or it could miss
        what the turn's previous holder (in another process) committed."""
        self.conn = conn
        if turn_key is not None:
            await self._control(f"SELECT pg_advisory_lock({turn_key}); COMMIT; {_BEGIN}")
            self.turn_key = turn_key
            self.open = True

    async def rows(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]:
        found = await self._direct_rows(statement, params)
        return (await self._execute(statement, params)).all() if found is None else found

    async def rows_together(
        self, statements: Sequence[Executable], params: Params = None
    ) -> list[Sequence[Row[Any]]]:
        """All in one statement, each SELECT's rows an array of records in one row (`_together`):
        loading a proposal took five round trips, each about 100 µs on a local socket. Where a
        statement cannot run direct, one after the other."""
        plans: list[Plan] = []
        args: list[Any] = []
        for statement in statements:
            direct = self._direct(statement, params) if isinstance(statement, sa.Select) else None
            if direct is None or direct[0].columns is None:
                return await super().rows_together(statements, params)
            plans.append(direct[0])
            args.extend(direct[1])
        sql = _together(tuple((plan.sql, len(plan.binds)) for plan in plans))
        if sql is None:
            return await super().rows_together(statements, params)
        (arrays,) = await self._driven(sql, args)
        return [rows_of(plan, found) for plan, found in zip(plans, arrays, strict=True)]

    async def row(self, statement: Executable, params: Params = None) -> Row[Any] | None:
        found = await self._direct_rows(statement, params)
        if found is None:
            return (await self._execute(statement, params)).first()
        return found[0] if found else None

    async def scalar(self, statement: Executable, params: Params = None) -> Any:
        found = await self._direct_rows(statement, params)
        if found is None:
            return (await self._execute(statement, params)).scalar()
        return found[0][0] if found else None

    async def insert(self, statement: Executable, params: Params = None) -> int:
        direct = self._direct(statement, params)
        if direct is None or not direct[0].returns_key:
            return new_key(await self._execute(statement, params))
        plan, args = direct
        made = await self._driven(plan.sql, args)
        assert made, "an INSERT that made no row"
        return int(made[0][0])  # an integer key: no type's processor to run

    async def change(self, statement: Executable, params: Params = None) -> int:
        direct = self._direct(statement, params)
        if direct is None or not direct[0].writes:
            return int((await self._execute(statement, params)).rowcount)
        plan, args = direct
        status = await self._driven(plan.sql, args, status=True)
        return int(status.rsplit(" ", 1)[-1])  # "UPDATE 3", "DELETE 0", "INSERT 0 1"

    async def returning(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]:
        direct = self._direct(statement, params)
        if direct is None or not direct[0].returns_rows:
            return (await self._execute(statement, params)).all()
        plan, args = direct
        return rows_of(plan, await self._driven(plan.sql, args))

    async def commit(self) -> None:
        if self.open:
            if self._failed:  # PostgreSQL would answer COMMIT with a silent ROLLBACK
                raise RuntimeError("commit after a failed statement: nothing was kept")
            await self._end("COMMIT")

    async def rollback(self) -> None:
        if self.open and not self.broken:
            await self._end("ROLLBACK")

    async def _end(self, verb: str) -> None:
        """End the transaction and, in the same round trip, let the turn's next unit in: it
        begins after this one's end, so it sees everything this one committed."""
        key, self.turn_key, self.open = self.turn_key, None, False
        await self._control(verb if key is None else f"{verb}; SELECT pg_advisory_unlock({key})")

    async def _direct_rows(
        self, statement: Executable, params: Params
    ) -> Sequence[Row[Any]] | None:
        """A SELECT's rows straight from asyncpg where SQLAlchemy's compiled form allows it
        (storage/direct.py); None: SQLAlchemy's execution runs it."""
        if not isinstance(statement, sa.Select):
            return None
        direct = self._direct(statement, params)
        if direct is None or direct[0].columns is None:
            return None
        plan, args = direct
        return rows_of(plan, await self._driven(plan.sql, args))

    def _direct(self, statement: Executable, params: Params) -> tuple[Plan, list[Any]] | None:
        store = self._store
        return bound(statement, params, store.dialect, store.compiled)

    @overload
    async def _driven(self, sql: str, args: list[Any]) -> list[Any]: ...

    @overload
    async def _driven(self, sql: str, args: list[Any], *, status: Literal[True]) -> str: ...

    async def _driven(self, sql: str, args: list[Any], *, status: bool = False) -> Any:
        """A statement straight on asyncpg (its prepared-statement cache): the rows, or the
        status ("UPDATE 3")."""
        conn = self.conn
        assert conn is not None, "a statement outside its unit of work"
        if not self.open:
            await self._control(_BEGIN)
            self.open = True
        driver = _driver(conn)
        try:
            return await (driver.execute(sql, *args) if status else driver.fetch(sql, *args))
        except asyncpg.PostgresError as error:  # the server refused it: the connection is fine
            self._failed = True
            if error.sqlstate in _RETRYABLE:
                raise StoreConflict(str(error).splitlines()[0]) from error
            raise
        except BaseException:
            self.broken = True
            raise

    async def _execute(self, statement: Executable, params: Params) -> sa.CursorResult[Any]:
        conn = self.conn
        assert conn is not None, "a statement outside its unit of work"
        if not self.open:
            await self._control(_BEGIN)
            self.open = True
        try:
            return await conn.execute(statement, params)
        except sa.exc.DBAPIError as error:
            self._failed = True
            raise _translated(error) from error
        except BaseException:
            # Not a task per statement to shield it (that cost 20 µs of 120): a statement cut
            # off is rare, and throwing its connection away is as safe.
            self.broken = True
            raise

    async def _control(self, sql: str) -> None:
        """Transaction control (and the turn's lock) through the driver, outside SQLAlchemy."""
        assert self.conn is not None, "a transaction outside its unit of work"
        try:
            await _driver(self.conn).execute(sql)
        except BaseException as error:
            self.broken = True
            if getattr(error, "sqlstate", None) in _RETRYABLE:
                raise StoreConflict(str(error).splitlines()[0]) from error
            raise


_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ"


@functools.lru_cache(maxsize=256)
def _together(queries: tuple[tuple[str, int], ...]) -> str | None:
    """Several SELECTs (each with how many values it takes) as one: each one's rows become an
    array of records, which asyncpg reads back as lists of tuples, and each one's values are
    numbered after the ones before it. Each keeps its own ORDER BY: PostgreSQL's
    documentation gives this form (an aggregate over a sorted subquery) as the way to feed
    rows in order. None for a statement with a quoted literal, where its values could not be
    told from its text."""
    arrays = []
    taken = 0
    for sql, values in queries:
        if "'" in sql or "$$" in sql:
            return None
        arrays.append(f"ARRAY(SELECT s FROM ({_numbered_after(sql, taken)}) AS s)")
        taken += values
    return "SELECT " + ", ".join(arrays)


def _numbered_after(sql: str, taken: int) -> str:
    """`sql` with its values $1, $2... numbered after `taken` others."""
    if not taken:
        return sql
    return _VALUE.sub(lambda found: f"${int(found[1]) + taken}", sql)


_VALUE = re.compile(r"\$(\d+)")


async def _whole(work: Coroutine[Any, Any, _T]) -> _T:
    """Run a statement to its end even if the task awaiting it is cancelled (a stop, a
    timeout): cut off half-way, asyncpg would leave the connection unusable. The
    cancellation is raised once the statement is done."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


def _translated(error: sa.exc.DBAPIError) -> Exception:
    """A conflict the unit may simply run again from (StoreConflict), or the error itself."""
    if getattr(error.orig, "sqlstate", None) in _RETRYABLE:
        return StoreConflict(str(error.orig).splitlines()[0])
    return error


class PostgresUnitOfWork(SqlUnitOfWork):
    """A unit of work on a pooled connection of its own, given back when it ends.

    A unit with a `turn` first waits for it: in this process behind the units before it
    (so waiting costs no connection), then across processes on a session advisory lock taken
    before its transaction begins (`PgSession.begin`).
    """

    def __init__(self, store: PostgresStore, turn: str | None) -> None:
        self._pg = PgSession(store)
        super().__init__(self._pg, ContextCache())
        self._store = store
        self._turn = turn
        self._key = _lock_key(turn) if turn is not None else None

    async def _start(self) -> None:
        if self._turn is not None:
            await self._store.turns.acquire(self._turn)
        try:
            conn = await self._store.take()
            try:
                await self._pg.begin(conn, self._key)
            except BaseException:
                self._pg.conn = None
                await self._store.give_back(conn, broken=True)
                raise
        except BaseException:
            if self._turn is not None:
                self._store.turns.release(self._turn)
            raise

    async def _finish(self) -> None:
        pg = self._pg
        conn, pg.conn = pg.conn, None
        try:
            if conn is not None:
                # Still open or still locked here only if ending it failed: throw it away.
                broken = pg.broken or pg.open or pg.turn_key is not None
                await self._store.give_back(conn, broken=broken)
        finally:
            if self._turn is not None:
                self._store.turns.release(self._turn)


def _driver(conn: AsyncConnection) -> Any:
    """asyncpg's own connection, for what must run outside SQLAlchemy's transaction."""
    return conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]


def _lock_key(turn: str) -> int:
    """A turn's advisory lock: a signed 64-bit number from its name, the same in every process."""
    digest = hashlib.blake2b(f"hearth:{turn}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Turns:
    """In-process queues of units waiting for the same turn, first come first served."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def acquire(self, turn: str) -> None:
        lock = self._locks.setdefault(turn, asyncio.Lock())
        self._waiting[turn] = self._waiting.get(turn, 0) + 1
        try:
            await lock.acquire()
        except BaseException:
            self._left(turn)
            raise

    def release(self, turn: str) -> None:
        self._locks[turn].release()
        self._left(turn)

    def _left(self, turn: str) -> None:
        self._waiting[turn] -= 1
        if not self._waiting[turn]:
            del self._waiting[turn], self._locks[turn]


class PostgresStore:
    """The connection pool of one Hearth process; any number of processes may share the
    database.

    While it is open, one connection of the pool holds a session advisory lock for each outbox
    sender of this process (`hold_claims`). PostgreSQL ends the session of a process that
    died, and its locks with it: the claim statement (storage/outbox.py) takes the messages
    of a sender whose lock is gone at once, not after their lease.
    """

    def __init__(self, engine: AsyncEngine, url: sa.URL) -> None:
        self.engine = engine
        self.url = url
        self.turns = Turns()
        self._holder: AsyncConnection | None = None
        self._held: set[str] = set()
        self._holding = asyncio.Lock()
        # Connections units gave back, the one used last at the end (its prepared statements
        # and server process are warm). Kept here rather than handed back to SQLAlchemy's
        # pool: its checkout and return cost 110 µs a unit, as much as a round trip.
        self._idle: list[AsyncConnection] = []
        self._units = asyncio.Semaphore(POOL_SIZE)  # units holding a connection at once
        self.dialect = engine.dialect
        self.compiled: LRUCache[Any, Any] = LRUCache(500)  # SELECTs compiled for `_Read`

    async def take(self) -> AsyncConnection:
        """A connection for a unit of work: an idle one, or a new one while fewer than
        POOL_SIZE are in use; otherwise wait for one to be given back."""
        await self._units.acquire()
        try:
            return self._idle.pop() if self._idle else await self.engine.connect()
        except BaseException:
            self._units.release()
            raise

    async def give_back(self, conn: AsyncConnection, *, broken: bool) -> None:
        """Keep a unit's connection for the next unit, or, when what it holds is unknown
        (`broken`), close it: the server then ends its session, with its transaction and its
        locks."""
        try:
            if broken or conn.invalidated:
                if not conn.invalidated:
                    await conn.invalidate()
                await conn.close()
            else:
                self._idle.append(conn)
        finally:
            self._units.release()

    async def hold_claims(self, owner: str) -> None:
        """Hold `owner`'s sender lock until this store closes (taken once, then free)."""
        if owner in self._held:
            return
        async with self._holding:
            if owner in self._held:
                return
            if self._holder is None:
                self._holder = await self.engine.connect()
            await _whole(
                _driver(self._holder).execute(
                    "SELECT pg_advisory_lock(hashtextextended($1, 0))", SENDER_LOCK + owner
                )
            )
            self._held.add(owner)

    @classmethod
    async def open(cls, database: str | sa.URL) -> PostgresStore:
        """Connect, migrate (one process at a time) and check, or refuse in one line
        (StartupProblem) with nothing left open."""
        url = asyncpg_url(database) if isinstance(database, str) else database
        engine = create_async_engine(
            url,
            # Units begin and end their own transactions (PgSession), so SQLAlchemy's own
            # BEGIN and COMMIT would be one round trip each too many.
            isolation_level="AUTOCOMMIT",
            pool_size=POOL_SIZE + 1,  # and one that holds the senders' locks
            max_overflow=0,
            connect_args={
                "timeout": CONNECT_TIMEOUT,
                "server_settings": {
                    "application_name": "hearth",
                    "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS),
                },
            },
        )
        try:
            async with engine.connect() as conn:
                migrating = await conn.execution_options(isolation_level="READ COMMITTED")
                await migrating.run_sync(upgrade_postgres)
                await migrating.commit()
        except BaseException as error:
            await engine.dispose()
            if isinstance(error, NewerDatabase):
                raise NewerDatabase(error.revision, f"database {shown(url)}") from None
            if isinstance(error, (sa.exc.DBAPIError, OSError, TimeoutError)):
                raise _unusable(url, error) from None
            raise
        return cls(engine, url)

    def unit_of_work(self, *, turn: str | None = None) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self, turn)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
        holder, self._holder = self._holder, None
        if holder is not None:  # its session ends, and with it the senders' locks
            await holder.invalidate()
            await holder.close()
        await self.engine.dispose()


def _unusable(url: sa.URL, error: BaseException) -> StartupProblem:
    """What an operator can do about a PostgreSQL Hearth cannot use, in one line."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0] or type(error).__name__
    return StartupProblem(
        f"database {shown(url)} cannot be used ({reason}); check that the server is running,"
        " the database exists and HEARTH_DATABASE names it with a user that may use it"
    )

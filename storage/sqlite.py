"""SQLite through SQLAlchemy: WAL, foreign keys, migrations, one transaction per unit."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Row
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.base import Executable
from sqlalchemy.util import LRUCache

from bot.errors import StartupProblem
from storage.direct import Plan, bound, rows_of
from storage.migrate import NewerDatabase, upgrade
from storage.sql import Params, SqlSession, new_key
from storage.sqlite_cache import ContextCache
from storage.sqlite_lock import DatabaseLock, hold_database_lock
from storage.unit_of_work import SqlUnitOfWork


class SqliteSession(SqlSession):
    """A unit of work's turn on the store's one connection.

    The write transaction begins at the first write, so a command that only reads costs no
    BEGIN/COMMIT, and it begins IMMEDIATE: the write lock is taken up front, so two writers
    never deadlock upgrading a read. Reads before that first write need no transaction of
    their own: the store lets one unit of work use the connection at a time.

    SQLite runs on the event loop's thread through the standard sqlite3 module: a local call
    takes microseconds, while a hop to a worker thread per statement cost five times more
    than the statement (see bench/README or the issue notes).
    """

    dialect = "sqlite"

    def __init__(self, conn: sa.Connection, compiled: LRUCache[Any, Any]) -> None:
        self.conn = conn
        self.writing = False
        self._compiled = compiled
        self._driver: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]

    async def rows(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]:
        found = self._direct_rows(statement, params)
        return self.conn.execute(statement, params).all() if found is None else found

    async def row(self, statement: Executable, params: Params = None) -> Row[Any] | None:
        found = self._direct_rows(statement, params)
        if found is None:
            return self.conn.execute(statement, params).first()
        return found[0] if found else None

    async def scalar(self, statement: Executable, params: Params = None) -> Any:
        found = self._direct_rows(statement, params)
        if found is None:
            return self.conn.execute(statement, params).scalar()
        return found[0][0] if found else None

    def _direct_rows(self, statement: Executable, params: Params) -> Sequence[Row[Any]] | None:
        """A SELECT's rows straight from sqlite3 where SQLAlchemy's compiled form allows it
        (storage/direct.py); None: SQLAlchemy's execution runs it."""
        if not isinstance(statement, sa.Select):
            return None
        direct = bound(statement, params, self.conn.dialect, self._compiled)
        if direct is None or direct[0].columns is None:
            return None
        plan, args = direct
        return rows_of(plan, self._driver.execute(plan.sql, args).fetchall())

    async def insert(self, statement: Executable, params: Params = None) -> int:
        self._begin()
        direct = self._bound(statement, params)
        if direct is None or not direct[0].key_is_rowid:
            return new_key(self.conn.execute(statement, params))
        plan, args = direct
        key = self._driver.execute(plan.sql, args).lastrowid
        assert key is not None, "an INSERT that made no row"
        return key

    async def change(self, statement: Executable, params: Params = None) -> int:
        self._begin()
        direct = self._bound(statement, params)
        if direct is None or not direct[0].writes or direct[0].columns is not None:
            return int(self.conn.execute(statement, params).rowcount)
        plan, args = direct
        return self._driver.execute(plan.sql, args).rowcount

    async def returning(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]:
        self._begin()
        direct = self._bound(statement, params)
        if direct is None or not direct[0].returns_rows:
            return self.conn.execute(statement, params).all()
        plan, args = direct
        return rows_of(plan, self._driver.execute(plan.sql, args).fetchall())

    def _bound(self, statement: Executable, params: Params) -> tuple[Plan, list[Any]] | None:
        """A write straight on sqlite3 (storage/direct.py): SQLAlchemy's execution made an
        INSERT cost 18 µs instead of 9, and an UPDATE 13 instead of 6."""
        return bound(statement, params, self.conn.dialect, self._compiled)

    def _begin(self) -> None:
        if not self.writing:
            self._control("BEGIN IMMEDIATE")
            self.writing = True

    async def commit(self) -> None:
        if self.writing:
            self._control("COMMIT")
            self.writing = False

    async def rollback(self) -> None:
        if self.writing:
            self.writing = False
            self._control("ROLLBACK")

    def _control(self, sql: str) -> None:
        # Straight to the driver: no result is wanted, and exec_driver_sql's execution context
        # tripled the cost of every writing command's BEGIN and COMMIT (15 µs against 5).
        self.conn.connection.driver_connection.execute(sql)  # type: ignore[union-attr]


class SqliteUnitOfWork(SqlUnitOfWork):
    """A unit of work waits for its turn on the store's connection, and gives it back."""

    def __init__(self, store: SqliteStore) -> None:
        super().__init__(SqliteSession(store.conn, store.compiled), store.cache)
        self._lock = store.lock

    async def _start(self) -> None:
        await self._lock.acquire()

    async def _finish(self) -> None:
        self._lock.release()


class SqliteStore:
    """One connection per process; units of work take turns on it so transactions never mix."""

    def __init__(
        self, engine: sa.Engine, conn: sa.Connection, file_lock: DatabaseLock | None = None
    ) -> None:
        self.engine = engine
        self.conn = conn
        self.lock = asyncio.Lock()
        self.cache = ContextCache()
        self.compiled: LRUCache[Any, Any] = LRUCache(1000)  # statements compiled to run direct
        self._file_lock = file_lock

    @property
    def db(self) -> sqlite3.Connection:
        """The sqlite3 connection underneath, for tests and tools that look at the file."""
        driver = self.conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver

    @classmethod
    async def open(cls, path: str | Path, *, exclusive: bool = True) -> SqliteStore:
        return cls.connect(path, exclusive=exclusive)

    @classmethod
    def connect(cls, path: str | Path, *, exclusive: bool = True) -> SqliteStore:
        """Open and migrate the file, or refuse in one line (StartupProblem) with nothing
        left open.

        `exclusive` (the default) holds the file's lock (storage.sqlite_lock) until `close`,
        so a second Hearth on the same file is refused before it touches anything. Holding
        it, this store is the only sender, so outbox claims found in the file were left by a
        process that died: they are returned at once instead of after their lease. Only tests
        that knowingly share a file pass False.
        """
        folder = Path(path).parent
        if str(path) != ":memory:" and not folder.is_dir():
            raise StartupProblem(
                f"database {path}: the folder {folder} does not exist; create it or point"
                " HEARTH_DATABASE at a file in an existing folder"
            )
        file_lock = None
        if exclusive and str(path) != ":memory:":
            try:
                file_lock = hold_database_lock(path)
            except OSError:
                raise _not_writable(path) from None  # the lock file could not be made
        engine = _engine(path)
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as error:
            engine.dispose()
            if file_lock is not None:
                file_lock.release()
            raise _unusable(path, error.orig) from None
        try:
            store = cls(engine, conn, file_lock)
            store.migrate()
            if exclusive:
                conn.exec_driver_sql(
                    "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL"
                    " WHERE claimed_by IS NOT NULL"
                )
        except BaseException as error:
            conn.close()
            engine.dispose()
            if file_lock is not None:
                file_lock.release()
            if isinstance(error, NewerDatabase):
                raise NewerDatabase(error.revision, f"database {path}") from None
            if isinstance(error, sa.exc.DBAPIError):
                raise _unusable(path, error.orig) from None
            if isinstance(error, sqlite3.Error):
                raise _unusable(path, error) from None
            raise
        return store

    def migrate(self) -> None:
        upgrade(self.conn)

    def unit_of_work(self, *, turn: str | None = None) -> SqliteUnitOfWork:
        """Units take turns on the one connection anyway: `turn` asks for nothing more."""
        return SqliteUnitOfWork(self)

    async def close(self) -> None:
        try:
            self.conn.close()
            self.engine.dispose()
        finally:
            if self._file_lock is not None:
                self._file_lock.release()  # only once the connection is closed


def _engine(path: str | Path) -> sa.Engine:
    """One connection, in SQLite's own autocommit: the session says BEGIN IMMEDIATE itself."""
    engine = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=StaticPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 5000",
        ):
            dbapi_connection.execute(pragma)

    return engine


def _unusable(path: str | Path, error: BaseException | None) -> StartupProblem:
    """What an operator can do about a database SQLite will not use, in one line."""
    reason = str(error)
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in reason or "malformed" in reason or "corrupt" in reason
    ):
        return StartupProblem(
            f"database {path} is not a SQLite database (or is damaged); restore a backup or"
            " point HEARTH_DATABASE at another file"
        )
    if "locked" in reason or "busy" in reason:
        return StartupProblem(
            f"database {path} is in use by another program (is Hearth already running?);"
            " stop it or point HEARTH_DATABASE at another file"
        )
    if "unable to open" in reason or "readonly" in reason:
        return _not_writable(path)
    return StartupProblem(
        f"database {path} cannot be used ({reason}); restore a backup or point"
        " HEARTH_DATABASE at another file"
    )


def _not_writable(path: str | Path) -> StartupProblem:
    return StartupProblem(
        f"database {path} cannot be opened for writing; check that it is a file Hearth may"
        " write (and its folder too), or point HEARTH_DATABASE at another file"
    )

"""SQLite through SQLAlchemy: WAL, foreign keys, migrations, one transaction per unit."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from bot.domain import Member
from bot.errors import StartupProblem
from bot.ports import PersonalData
from storage.audit import SqlAudit
from storage.communities import SqlCommunities
from storage.conversations import SqlConversations
from storage.members import SqlMembers
from storage.migrate import upgrade
from storage.needs import SqlAidRequests, SqlCheckins, SqlOffers, SqlRequestSnapshots
from storage.outbox import SqlOutbox
from storage.people import SqlPeople
from storage.platform_state import SqlPlatformState
from storage.processed_events import SqlProcessedEvents
from storage.proposals import SqlProposals
from storage.reach import SqlReach
from storage.reflections import SqlReflectionPrompts, SqlReflections
from storage.scheduling import SqlJobs, SqlSchedules
from storage.sql import SqlSession
from storage.sqlite_cache import ContextCache
from storage.sqlite_lock import DatabaseLock, hold_database_lock
from storage.welcome import SqlBuddies, SqlWelcome


class SqliteUnitOfWork:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        db = self._session = SqlSession(store.conn)
        self._touched_cache = False
        self.communities = SqlCommunities(db, store.cache, self)
        self.members = SqlMembers(db, store.cache, self)
        self.people = SqlPeople(db)
        self.audit = SqlAudit(db)
        self.platform_state = SqlPlatformState(db)
        self.reflection_prompts = SqlReflectionPrompts(db)
        self.reflections = SqlReflections(db)
        self.proposals = SqlProposals(db)
        self.welcome = SqlWelcome(db)
        self.buddies = SqlBuddies(db)
        self.schedules = SqlSchedules(db)
        self.jobs = SqlJobs(db)
        self.conversations = SqlConversations(db)
        self.events = SqlProcessedEvents(db)
        self.outbox = SqlOutbox(db)
        self.reach = SqlReach(db)
        self.checkins = SqlCheckins(db)
        self.offers = SqlOffers(db)
        self.aid_requests = SqlAidRequests(db)
        self.request_snapshots = SqlRequestSnapshots(db)
        self._committed = False

    def personal_data(self) -> Sequence[PersonalData]:
        # Order matters for erasure: rows that point at the member go before the member.
        return [
            self.outbox,
            self.reach,
            self.welcome,
            self.buddies,
            self.reflections,
            self.reflection_prompts,
            self.checkins,
            self.aid_requests,
            self.offers,
            self.conversations,
            self.jobs,
            self.proposals,
            self.audit,
            self.people,  # before members: it asks what memberships the person has left
            self.members,
        ]

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        return self

    def touched_cache(
        self,
        *,
        community_id: int | None = None,
        member: Member | None = None,
        everything: bool = False,
    ) -> None:
        """A write to what the context cache holds: drop it now, and all of it on rollback."""
        self._touched_cache = True
        cache = self._store.cache
        if everything:
            cache.clear()
        if community_id is not None:
            cache.forget_community(community_id)
        if member is not None:
            cache.forget_member(member)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                if self._touched_cache:
                    self._store.cache.clear()  # it may hold what this unit wrote
                await self._session.rollback()
        finally:
            self._store.lock.release()

    async def commit(self) -> None:
        await self._session.commit()
        self._committed = True


class SqliteStore:
    """One connection per process; units of work take turns on it so transactions never mix."""

    def __init__(
        self, engine: sa.Engine, conn: sa.Connection, file_lock: DatabaseLock | None = None
    ) -> None:
        self.engine = engine
        self.conn = conn
        self.lock = asyncio.Lock()
        self.cache = ContextCache()
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
            if isinstance(error, sa.exc.DBAPIError):
                raise _unusable(path, error.orig) from None
            if isinstance(error, sqlite3.Error):
                raise _unusable(path, error) from None
            raise
        return store

    def migrate(self) -> None:
        upgrade(self.conn)

    def unit_of_work(self) -> SqliteUnitOfWork:
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

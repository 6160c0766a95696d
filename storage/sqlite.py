"""SQLite through SQLAlchemy: WAL, foreign keys, migrations, one transaction per unit."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from bot import stored_phrases
from bot.domain import AuditEntry, Community, CommunityLink, Member
from bot.errors import StartupProblem
from bot.ports import PersonalData
from bot.roles import Role
from storage.audit_export import audit_row
from storage.conversations import SqlConversations
from storage.needs import SqlAidRequests, SqlCheckins, SqlOffers, SqlRequestSnapshots
from storage.outbox import SqlOutbox
from storage.people import SqlPeople
from storage.platform_state import SqlPlatformState
from storage.processed_events import SqlProcessedEvents
from storage.proposals import SqlProposals
from storage.reach import SqlReach
from storage.reflections import SqlReflectionPrompts, SqlReflections
from storage.scheduling import SqlJobs, SqlSchedules
from storage.sqlite_base import SqliteRepo as _Repo
from storage.sqlite_base import SqliteSession, dt, opt_dt, ts
from storage.sqlite_cache import ContextCache, copy_community, copy_link
from storage.sqlite_lock import DatabaseLock, hold_database_lock
from storage.welcome import SqlBuddies, SqlWelcome


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every file in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    return found


def _community(row: sqlite3.Row) -> Community:
    return Community(
        id=row["id"],
        name=row["name"],
        timezone=row["timezone"],
        language=row["language"],
        created_at=dt(row["created_at"]),
        settings=json.loads(row["settings"]),
        paused_since=opt_dt(row["paused_since"]),
    )


def _link(row: sqlite3.Row) -> CommunityLink:
    return CommunityLink(
        community_id=row["community_id"],
        platform=row["platform"],
        community_ref=row["community_ref"],
        main_channel=row["main_channel"],
        channels=json.loads(row["channels"]),
    )


class _Cached(_Repo):
    def __init__(self, db: SqliteSession, cache: ContextCache, unit: SqliteUnitOfWork) -> None:
        super().__init__(db)
        self.cache = cache
        self.unit = unit


class SqliteCommunities(_Cached):
    async def find_link(self, platform: str, community_ref: str) -> CommunityLink | None:
        cached = self.cache.links.get((platform, community_ref))
        if cached is not None:
            return copy_link(cached)
        row = await self._row(
            "SELECT * FROM community_links WHERE platform = ? AND community_ref = ?",
            (platform, community_ref),
        )
        if row is None:
            return None
        link = _link(row)
        self.cache.links.put((platform, community_ref), copy_link(link))
        return link

    async def add(self, *, name: str, timezone: str, language: str, now: datetime) -> Community:
        new_id = await self._insert(
            "INSERT INTO communities (name, timezone, language, created_at) VALUES (?, ?, ?, ?)",
            (name, timezone, language, ts(now)),
        )
        return Community(new_id, name, timezone, language, now, {})

    async def add_link(self, link: CommunityLink) -> None:
        self.unit.touched_cache(community_id=link.community_id)
        await self._change(
            "INSERT INTO community_links (platform, community_ref, community_id, main_channel,"
            " channels) VALUES (?, ?, ?, ?, ?)",
            (
                link.platform,
                link.community_ref,
                link.community_id,
                link.main_channel,
                json.dumps(link.channels),
            ),
        )

    async def get(self, community_id: int) -> Community:
        cached = self.cache.communities.get(community_id)
        if cached is not None:
            return copy_community(cached)
        row = await self._row("SELECT * FROM communities WHERE id = ?", (community_id,))
        if row is None:
            raise LookupError(f"community {community_id}")
        community = _community(row)
        self.cache.communities.put(community_id, copy_community(community))
        return community

    async def save(self, community: Community) -> None:
        self.unit.touched_cache(community_id=community.id)
        await self._change(
            "UPDATE communities SET name = ?, timezone = ?, language = ?, settings = ?,"
            " paused_since = ? WHERE id = ?",
            (
                community.name,
                community.timezone,
                community.language,
                json.dumps(community.settings, sort_keys=True),
                ts(community.paused_since) if community.paused_since else None,
                community.id,
            ),
        )

    async def links(self, community_id: int) -> list[CommunityLink]:
        cached = self.cache.community_links.get(community_id)
        if cached is not None:
            return [copy_link(link) for link in cached]
        rows = await self._rows(
            "SELECT * FROM community_links WHERE community_id = ? ORDER BY platform, community_ref",
            (community_id,),
        )
        found = [_link(row) for row in rows]
        self.cache.community_links.put(community_id, [copy_link(link) for link in found])
        return found

    async def save_link(self, link: CommunityLink) -> None:
        self.unit.touched_cache(community_id=link.community_id)
        await self._change(
            "UPDATE community_links SET main_channel = ?, channels = ?"
            " WHERE platform = ? AND community_ref = ?",
            (
                link.main_channel,
                json.dumps(link.channels, sort_keys=True),
                link.platform,
                link.community_ref,
            ),
        )

    async def links_on(self, platform: str) -> list[CommunityLink]:
        rows = await self._rows(
            "SELECT * FROM community_links WHERE platform = ? ORDER BY community_ref", (platform,)
        )
        return [_link(row) for row in rows]

    async def move_link(self, platform: str, old_ref: str, new_ref: str) -> None:
        link = await self.find_link(platform, old_ref)
        if link is None:
            return
        self.unit.touched_cache(community_id=link.community_id)
        if link.main_channel == old_ref:
            link.main_channel = new_ref
        channels = {role: new_ref if ref == old_ref else ref for role, ref in link.channels.items()}
        await self._change(
            "UPDATE community_links SET community_ref = ?, main_channel = ?, channels = ?"
            " WHERE platform = ? AND community_ref = ?",
            (new_ref, link.main_channel, json.dumps(channels, sort_keys=True), platform, old_ref),
        )

    async def absorb(self, keep_id: int, drop_id: int) -> None:
        self.unit.touched_cache(everything=True)
        await self._change(
            "UPDATE members SET community_id = ? WHERE community_id = ? AND (platform, user_ref)"
            " NOT IN (SELECT platform, user_ref FROM members WHERE community_id = ?)",
            (keep_id, drop_id, keep_id),
        )
        await self._change("DELETE FROM communities WHERE id = ?", (drop_id,))


def _member(row: sqlite3.Row) -> Member:
    return Member(
        id=row["id"],
        community_id=row["community_id"],
        platform=row["platform"],
        user_ref=row["user_ref"],
        display_name=row["display_name"],
        joined_at=dt(row["joined_at"]),
        language=row["language"],
        granted_role=Role(row["granted_role"]) if row["granted_role"] is not None else None,
        left_at=opt_dt(row["left_at"]),
        unreachable_since=opt_dt(row["unreachable_since"]),
        person_id=row["person_id"],
    )


class SqliteMembers(_Cached):
    section = "mydata_section_membership"

    async def find(self, community_id: int, platform: str, user_ref: str) -> Member | None:
        key = (community_id, platform, user_ref)
        cached = self.cache.members.get(key)
        if cached is not None:
            return replace(cached)
        row = await self._row(
            "SELECT * FROM members WHERE community_id = ? AND platform = ? AND user_ref = ?",
            key,
        )
        if row is None:
            return None
        member = _member(row)
        self.cache.members.put(key, replace(member))
        return member

    async def add(
        self,
        *,
        community_id: int,
        platform: str,
        user_ref: str,
        display_name: str,
        language: str | None,
        now: datetime,
    ) -> Member:
        self.unit.touched_cache()
        person = await self.unit.people.find_or_create_for_account(platform, user_ref, now)
        new_id = await self._insert(
            "INSERT INTO members (community_id, platform, user_ref, display_name, language,"
            " joined_at, person_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (community_id, platform, user_ref, display_name, language, ts(now), person.id),
        )
        member = Member(new_id, community_id, platform, user_ref, display_name, now, language)
        member.person_id = person.id
        return member

    async def get(self, member_id: int) -> Member:
        row = await self._row("SELECT * FROM members WHERE id = ?", (member_id,))
        if row is None:
            raise LookupError(f"member {member_id}")
        return _member(row)

    async def save(self, member: Member) -> None:
        self.unit.touched_cache(member=member)
        await self._change(
            "UPDATE members SET display_name = ?, language = ?, granted_role = ?, left_at = ?,"
            " unreachable_since = ? WHERE id = ?",
            (
                member.display_name,
                member.language,
                int(member.granted_role) if member.granted_role is not None else None,
                ts(member.left_at) if member.left_at else None,
                ts(member.unreachable_since) if member.unreachable_since else None,
                member.id,
            ),
        )

    async def active(self, community_id: int) -> list[Member]:
        rows = await self._rows(
            "SELECT * FROM members WHERE community_id = ? AND left_at IS NULL ORDER BY id",
            (community_id,),
        )
        return [_member(row) for row in rows]

    async def granted(self, community_id: int) -> list[Member]:
        rows = await self._rows(
            "SELECT * FROM members WHERE community_id = ? AND granted_role IS NOT NULL"
            " ORDER BY display_name",
            (community_id,),
        )
        return [_member(row) for row in rows]

    async def granted_on(self, platform: str) -> list[Member]:
        rows = await self._rows(
            "SELECT * FROM members WHERE platform = ? AND granted_role IS NOT NULL"
            " AND left_at IS NULL ORDER BY id",
            (platform,),
        )
        return [_member(row) for row in rows]

    async def find_by_name(self, community_id: int, name: str) -> list[Member]:
        rows = await self._rows(
            "SELECT * FROM members WHERE community_id = ? AND left_at IS NULL"
            " AND (lower(display_name) = lower(?) OR user_ref = ?) ORDER BY id",
            (community_id, name, name),
        )
        return [_member(row) for row in rows]

    async def memberships(self, platform: str, user_ref: str) -> list[Member]:
        rows = await self._rows(
            "SELECT * FROM members WHERE platform = ? AND user_ref = ? AND left_at IS NULL"
            " ORDER BY id",
            (platform, user_ref),
        )
        return [_member(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        row = await self._row("SELECT * FROM members WHERE id = ?", (member_id,))
        if row is None:
            return []
        member = _member(row)
        return [
            {
                "name": member.display_name,
                "platform": member.platform,
                "language": member.language or "",
                "joined": member.joined_at,
                "granted_role": member.granted_role.label if member.granted_role else "",
            }
        ]

    async def erase_member(self, member_id: int) -> int:
        self.unit.touched_cache(everything=True)
        return await self._change("DELETE FROM members WHERE id = ?", (member_id,))


def _audit(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        community_id=row["community_id"],
        at=dt(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        key=row["text_key"],
        params=stored_phrases.load(row["params"]),
        subject=row["subject"],
        subject_id=row["subject_id"],
        legacy_action=row["action"],
        legacy_reason=row["reason"],
    )


class SqliteAudit(_Repo):
    section = "mydata_section_audit"

    async def add(
        self,
        *,
        community_id: int,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        key: str,
        params: Mapping[str, Any],
        subject: str = "",
        subject_id: int | None = None,
    ) -> AuditEntry:
        stored = stored_phrases.dump(params)
        new_id = await self._insert(
            "INSERT INTO audit_log (community_id, at, actor_id, actor_name, action, text_key,"
            " params, subject, subject_id) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?)",
            (community_id, ts(at), actor_id, actor_name, key, stored, subject, subject_id),
        )
        return AuditEntry(
            new_id,
            community_id,
            at,
            actor_id,
            actor_name,
            key,
            stored_phrases.load(stored),
            subject,
            subject_id,
        )

    async def latest(self, community_id: int, limit: int) -> list[AuditEntry]:
        rows = await self._rows(
            "SELECT * FROM audit_log WHERE community_id = ? ORDER BY id DESC LIMIT ?",
            (community_id, limit),
        )
        return [_audit(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT * FROM audit_log WHERE actor_id = ? OR subject_id = ? ORDER BY id",
            (member_id, member_id),
        )
        return [audit_row(_audit(r)) for r in rows]

    async def erase_member(self, member_id: int) -> int:
        # The governance record stays public; only the link to the person goes.
        acted = await self._change(
            "UPDATE audit_log SET actor_id = NULL, actor_name = '' WHERE actor_id = ?",
            (member_id,),
        )
        named = await self._change(
            "UPDATE audit_log SET subject_id = NULL, subject = '' WHERE subject_id = ?",
            (member_id,),
        )
        return acted + named


class SqliteUnitOfWork:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        db = self._session = SqliteSession(store.conn)
        self._touched_cache = False
        self.communities = SqliteCommunities(db, store.cache, self)
        self.members = SqliteMembers(db, store.cache, self)
        self.people = SqlPeople(db)
        self.audit = SqliteAudit(db)
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
        db = self.db
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL)"
        )
        applied = {row[0] for row in db.execute("SELECT number FROM schema_migrations")}
        for number, name, sql in migrations():
            if number in applied:
                continue
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(sql):
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (number, name) VALUES (?, ?)", (number, name)
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

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


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (migrations keep one statement per ';'-ended block)."""
    cleaned = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in cleaned.split(";") if part.strip()]


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

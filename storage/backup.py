"""`hearth backup` and `hearth restore`: a SQLite database copied whole while Hearth runs, and
put back while it does not.

Why SQLite's online backup API and not `cp`: a running Hearth keeps its latest commits in the
`-wal` file beside the database, so a copy of the file alone misses them, and a copy taken
while Hearth writes may be torn. The backup reads through SQLite (WAL included) inside one read
transaction held from its first page to its last, so the copy is the database as of one moment
however many answers arrive meanwhile; in WAL mode (Hearth's) that reader never holds a writer
up. It copies PAGES_PER_STEP pages a step, letting go of the source between steps, and reports
each step (`on_step`), so a large database is never one long call.

Neither takes the "one Hearth per file" lock (storage.sqlite_lock) to back up: a backup runs
beside the running Hearth. A restore takes it, and holds it while the files are swapped, so
no Hearth is running on the database and none can start half-way.

Every copy is written to a hidden temporary file beside where it goes and renamed into place
only once SQLite's integrity check passed and it names its schema revision: a backup cut off
half-way is never mistaken for a good one, and a restore either happens whole or not at all.
PostgreSQL has its own tools for this (pg_dump, pg_restore): the refusal gives their line.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage import is_postgres
from storage.migrate import head, known_revisions
from storage.sqlite_lock import DatabaseInUse, hold_database_lock

PAGES_PER_STEP = 1024  # 4 MB at SQLite's usual page size
BUSY_TIMEOUT_MS = 5000  # as the store's: a moment of WAL recovery is waited for, not refused

Progress = Callable[[int, int], None]  # (pages remaining, pages in all) after each step


class BackupProblem(Exception):
    """A backup or restore that cannot be done: one line saying what to do, nothing changed."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    revision: str  # the schema's alembic revision in the copy


@dataclass(frozen=True)
class Restored:
    database: Path
    size: int
    revision: str
    kept: Path | None  # where the database it replaced now is (None: there was none)

    @property
    def older(self) -> bool:
        """From an older Hearth: the next start brings its schema up to date."""
        return self.revision != head()


def back_up(
    database: str, target: str | Path, *, force: bool = False, on_step: Progress | None = None
) -> Backup:
    """Copy the SQLite database `database` to `target` while Hearth may be running on it."""
    if is_postgres(database):
        raise BackupProblem(
            "HEARTH_DATABASE is a PostgreSQL database: back it up with PostgreSQL's own tool,"
            f" e.g. {_pg_line('pg_dump -Fc', database, f'--file {shlex.quote(str(target))}')}"
        )
    source = Path(database)
    target = Path(target)
    if not source.is_file():
        raise BackupProblem(f"there is no database at {source} to back up (HEARTH_DATABASE)")
    _check_destination(target, source)
    if target.exists() and not force:
        raise BackupProblem(
            f"{target} already exists; choose another name, or add --force to replace it"
        )
    reading = _open(source, "rw")  # rw, not ro: a WAL reader needs to share the index (-shm)
    try:
        try:
            reading.execute("BEGIN")  # one snapshot from the first step to the last
            reading.execute("SELECT count(*) FROM sqlite_master").fetchone()
            copy = _copied_from(reading, target, on_step)
        finally:
            reading.close()  # ends the read transaction too
    except sqlite3.DatabaseError as error:
        raise _unreadable(error, f"database {source}", "nothing was written") from None
    try:
        revision = _hearths(copy, f"database {source}", "nothing was written")
        _replace(copy, target)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return Backup(target, target.stat().st_size, revision)


def restore(database: str, backup: str | Path) -> Restored:
    """Put `backup` in place of the SQLite database `database`; refuses while a Hearth runs on
    it, and for anything but a Hearth database this code can use."""
    if is_postgres(database):
        raise BackupProblem(
            "HEARTH_DATABASE is a PostgreSQL database: stop Hearth, then restore with"
            " PostgreSQL's own tool, e.g. "
            + _pg_line("pg_restore --clean --if-exists", database, shlex.quote(str(backup)))
        )
    db = Path(database)
    backup = Path(backup)
    if backup.is_dir():
        raise BackupProblem(f"{backup} is a folder; name the backup file to restore")
    if not backup.is_file():
        raise BackupProblem(f"there is no file {backup} to restore")
    _check_destination(db, backup)
    # The backup is only read: with no -wal beside it (as `hearth backup` writes them),
    # "immutable" also keeps SQLite from making a -wal and -shm beside it.
    alone = not _beside(backup, "-wal").exists()
    reading = _open(backup, "ro&immutable=1" if alone else "ro")
    try:
        try:
            copy = _copied_from(reading, db, None)
        finally:
            reading.close()
    except sqlite3.DatabaseError as error:
        raise _unreadable(error, str(backup), "nothing was changed") from None
    try:
        revision = _hearths(copy, str(backup), "nothing was changed")
        if revision not in known_revisions():
            raise BackupProblem(
                f"{backup} was made by a newer Hearth (revision {revision}); install that"
                " version to restore it. Nothing was changed"
            )
        try:
            lock = hold_database_lock(db)
        except DatabaseInUse as running:
            holder = f" (pid {running.pid})" if running.pid is not None else ""
            raise BackupProblem(
                f"Hearth is running on {db}{holder}; stop it first, then restore."
                " Nothing was changed"
            ) from None
        try:
            kept = _set_aside(db) if db.exists() else None
            try:
                _replace(copy, db, owner_of=kept)
            except BaseException:
                if kept is not None and not db.exists():
                    kept.rename(db)  # the database as it was, rather than none
                raise
        finally:
            lock.release()
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return Restored(db, db.stat().st_size, revision, kept)


def size_label(size: int) -> str:
    """A file size as people read it: 812 KB, 3.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


def _check_destination(path: Path, other: Path) -> None:
    if path.is_dir():
        example = path / f"hearth-{datetime.now(UTC):%Y-%m-%d}.db"
        raise BackupProblem(f"{path} is a folder; name a file in it, e.g. {example}")
    if not path.parent.is_dir():
        raise BackupProblem(f"the folder {path.parent} does not exist; create it first")
    if path.exists() and other.exists() and path.samefile(other):
        raise BackupProblem(f"{path} is the database itself; name another file")


def _open(path: Path, mode: str) -> sqlite3.Connection:
    """A connection that never creates the file; autocommit, so BEGIN is ours to say."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _copied_from(reading: sqlite3.Connection, beside: Path, on_step: Progress | None) -> Path:
    """Copy what `reading` sees into a new hidden file beside `beside`, as one file of its own
    (rollback journal, no -wal), flushed to disk; the caller renames or removes it."""
    try:
        made, name = tempfile.mkstemp(
            dir=beside.parent, prefix=f".{beside.name}.", suffix=".partial"
        )
    except OSError as error:
        raise BackupProblem(
            f"cannot write in the folder {beside.parent} ({error.strerror}); nothing was changed"
        ) from None
    os.close(made)  # owner-only (0600): a backup holds what members said
    copy = Path(name)
    try:
        writing = sqlite3.connect(copy, isolation_level=None)
        try:

            def step(_status: int, remaining: int, total: int) -> None:
                if on_step is not None:
                    on_step(remaining, total)

            reading.backup(writing, pages=PAGES_PER_STEP, progress=step)
            writing.execute("PRAGMA journal_mode = DELETE")  # a single file, no -wal beside it
        finally:
            writing.close()
        with copy.open("rb") as written:
            os.fsync(written.fileno())
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def _hearths(copy: Path, shown: str, unchanged: str) -> str:
    """The copy's schema revision, once SQLite found it whole; else BackupProblem."""
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError:
            raise _not_sqlite(shown, unchanged) from None
        if verdict != [("ok",)]:
            raise BackupProblem(
                f"{shown} is damaged (SQLite's integrity check failed); {unchanged}"
            )
        try:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.OperationalError:
            found = []
    finally:
        conn.close()
    if len(found) != 1:
        raise BackupProblem(
            f"{shown} is a SQLite database but not a Hearth one (it names no schema revision);"
            f" {unchanged}"
        )
    return str(found[0][0])


def _unreadable(error: sqlite3.DatabaseError, shown: str, unchanged: str) -> BackupProblem:
    """Why a copy could not be made: the source is not a database SQLite can read, or
    (the copy's side) the disk is full or the like."""
    reason = str(error)
    if "not a database" in reason or "malformed" in reason or "corrupt" in reason:
        return _not_sqlite(shown, unchanged)
    return BackupProblem(f"{shown} could not be copied ({reason}); {unchanged}")


def _not_sqlite(shown: str, unchanged: str) -> BackupProblem:
    return BackupProblem(f"{shown} is not a SQLite database (or is damaged); {unchanged}")


def _set_aside(db: Path) -> Path:
    """Keep the database being replaced as `<db>.before-restore-<UTC time>`, its last commits
    included: a `-wal` left beside it (Hearth stopped without closing) is folded into it, for
    otherwise SQLite would read that stale WAL into the restored database. If the old
    database is too damaged for that, the WAL moves with it under the kept name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = db.with_name(f"{db.name}.before-restore-{stamp}")
    wal = _beside(db, "-wal")
    if wal.exists():
        try:
            old = _open(db, "rw")
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.execute("PRAGMA journal_mode = DELETE")  # removes the -wal and -shm
            finally:
                old.close()
        except sqlite3.DatabaseError:
            pass
    db.rename(kept)
    for suffix in ("-wal", "-journal"):  # what SQLite would replay: kept with what it belongs to
        left = _beside(db, suffix)
        if left.exists():
            left.rename(_beside(kept, suffix))
    _beside(db, "-shm").unlink(missing_ok=True)  # only an index of the WAL
    return kept


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _replace(copy: Path, path: Path, *, owner_of: Path | None = None) -> None:
    """Rename the finished copy to `path` (atomically, replacing it), owned as `owner_of` was
    where we may (a restore run by root keeps the file Hearth's user's), and make the rename
    itself durable."""
    if owner_of is not None:
        found = owner_of.stat()
        # Not root: the file is ours, as the one it replaces most likely was.
        with contextlib.suppress(PermissionError):
            os.chown(copy, found.st_uid, found.st_gid)
    for suffix in ("-wal", "-shm", "-journal"):  # left by an earlier file at `path`
        _beside(path, suffix).unlink(missing_ok=True)
    os.replace(copy, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _pg_line(tool: str, database: str, rest: str) -> str:
    """The tool's command line for HEARTH_DATABASE's URL, without its password (the tool asks
    for it, or reads ~/.pgpass)."""
    url = make_url(database.replace("postgres://", "postgresql://", 1))
    had_password = url.password is not None
    plain = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    ).render_as_string(hide_password=False)
    line = f"{tool} --dbname {shlex.quote(plain)} {rest}"
    return line + (
        " (it asks for the password, or reads it from ~/.pgpass)" if had_password else ""
    )

"""Bring a database to the current schema, whichever way it was made.

- A new database gets Alembic's revisions from the baseline on (`storage/alembic/versions`).
- A SQLite file made before Alembic carries the `schema_migrations` table of the numbered SQL
  files in `storage/legacy_migrations`: the files it lacks are applied, it is stamped at the
  baseline (which is exactly what those files build), and Alembic goes on from there.
- A database already under Alembic gets only the revisions it lacks.

All of it runs in one transaction on the store's own connection, so a migration that fails
leaves the database as it was and start-up stops with one line. PostgreSQL databases are only
ever made by Alembic (`upgrade_postgres`).

A database at a revision this code has no script for was made by a newer Hearth (someone went
back a version): nothing is changed and start-up stops with one line (`NewerDatabase`), since
Alembic cannot migrate down from a revision it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.errors import StartupProblem

# The revision that builds what the last legacy SQL file left behind.
BASELINE = "0017_baseline"
LEGACY_TABLE = "schema_migrations"


def legacy_migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every file in storage/legacy_migrations, in order."""
    found = []
    for entry in resources.files("storage").joinpath("legacy_migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    return found


@cache
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "alembic"))
    config.set_main_option("file_template", "%%(rev)s")  # rev ids already carry the words
    return config


@cache
def head() -> str:
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this code has a script for, the baseline to the head."""
    scripts = ScriptDirectory.from_config(_config())
    return frozenset(script.revision for script in scripts.walk_revisions())


def current(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


class NewerDatabase(StartupProblem):
    """The database is at a revision this code does not know: a newer Hearth made it."""

    def __init__(self, revision: str, database: str = "the database") -> None:
        super().__init__(
            f"{database} was made by a newer Hearth (revision {revision}); install that version"
            " or restore a backup from before the upgrade"
        )
        self.revision = revision


def refuse_newer(conn: sa.Connection) -> None:
    """Raise NewerDatabase when `conn`'s database is at a revision this code does not know."""
    found = current(conn)
    if found is not None and found not in known_revisions():
        raise NewerDatabase(found)


def upgrade(conn: sa.Connection) -> None:
    """Migrate a SQLite connection in SQLite's autocommit mode (the store's), in one IMMEDIATE
    transaction: nothing is half-applied, and a second process waits rather than races."""
    if _tables(conn) and current(conn) == head():
        return  # the common case, answered without loading any revision
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        tables = _tables(conn)
        if LEGACY_TABLE in tables and "alembic_version" not in tables:
            _finish_legacy(conn)
            _run(conn, lambda config: command.stamp(config, BASELINE))
            conn.exec_driver_sql(f"DROP TABLE {LEGACY_TABLE}")  # Alembic's record replaces it
        refuse_newer(conn)
        _run(conn, lambda config: command.upgrade(config, "head"))
        conn.exec_driver_sql("COMMIT")
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise


# Any number fixed for Hearth: processes starting together migrate one after another.
_MIGRATION_LOCK = 0x4E4152_7448  # "HEARTH"-ish, within bigint


def upgrade_postgres(conn: sa.Connection) -> None:
    """Migrate a PostgreSQL connection inside the caller's transaction: DDL is transactional
    there, so a failed revision leaves nothing behind, and the advisory lock makes a second
    process starting now wait, then find the schema at head."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    if _tables(conn) and current(conn) == head():
        return
    refuse_newer(conn)
    _run(conn, lambda config: command.upgrade(config, "head"))


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _run(conn: sa.Connection, step: Callable[[Config], None]) -> None:
    config = _config()
    config.attributes["connection"] = conn
    try:
        step(config)
    finally:
        config.attributes.pop("connection", None)


def _finish_legacy(conn: sa.Connection) -> None:
    """Apply the legacy SQL files the database lacks, as the store before Alembic did."""
    driver = conn.connection.driver_connection
    assert driver is not None
    applied = {row[0] for row in driver.execute(f"SELECT number FROM {LEGACY_TABLE}")}
    for number, name, sql in legacy_migrations():
        if number in applied:
            continue
        for statement in _statements(sql):
            driver.execute(statement)
        driver.execute(f"INSERT INTO {LEGACY_TABLE} (number, name) VALUES (?, ?)", (number, name))


def _statements(sql: str) -> list[str]:
    """Split a legacy file into statements (they keep one statement per ';'-ended block)."""
    cleaned = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in cleaned.split(";") if part.strip()]


# Foreign keys added by a plain ALTER (on SQLite an inline REFERENCES, so the table was not
# rebuilt under every row pointing at it): SQLAlchemy reads them back from SQLite without their
# ON DELETE, which PRAGMA foreign_key_list shows is there (tests/test_unlinking.py), so
# comparing them would write a needless drop and re-create into every new revision.
_ADDED_INLINE = {("communities", ("history_of",))}


def include_object(item: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    """What Alembic compares: all but the foreign keys above (env.py, the schema tests)."""
    if type_ == "foreign_key_constraint":
        return (item.table.name, tuple(c.name for c in item.columns)) not in _ADDED_INLINE
    return True


def new_revision(message: str) -> Path:
    """Write the next revision: Alembic compares a database at head with the declared tables
    and writes the operations between them, for a person to read and adjust before committing.
    Run as `python -m storage.migrate "what changed"`."""
    import tempfile

    scripts = ScriptDirectory.from_config(_config())
    number = len(list(scripts.walk_revisions())) + int(BASELINE.split("_", 1)[0])
    slug = "_".join(message.lower().split())[:40]
    with tempfile.TemporaryDirectory() as folder:
        engine = sa.create_engine(f"sqlite:///{folder}/head.db", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            upgrade(conn)
            config = _config()
            config.attributes["connection"] = conn
            try:
                made = command.revision(
                    config, message=message, autogenerate=True, rev_id=f"{number:04d}_{slug}"
                )
            finally:
                config.attributes.pop("connection", None)
        engine.dispose()
    assert made is not None and not isinstance(made, list)
    return Path(made.path)


if __name__ == "__main__":
    import sys

    print(new_revision(" ".join(sys.argv[1:]) or "schema change"))

"""A SQLite file as a Hearth before Alembic left it: the numbered SQL files up to some number."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.migrate import LEGACY_TABLE, _statements, legacy_migrations


def legacy_database(path: Path, upto: int) -> sqlite3.Connection:
    """Build the file with legacy migrations 1..upto, recorded as that Hearth recorded them.

    Returns an open connection (autocommit) for writing rows as that Hearth wrote them; close
    it before opening the file with the store.
    """
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"CREATE TABLE {LEGACY_TABLE} (number INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    for number, name, sql in legacy_migrations():
        if number > upto:
            break
        for statement in _statements(sql):
            db.execute(statement)
        db.execute(f"INSERT INTO {LEGACY_TABLE} (number, name) VALUES (?, ?)", (number, name))
    return db

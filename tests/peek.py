"""A look inside a SQLite store's file, for tests that check what is (and is not) kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.sqlite import SqliteStore


def rows(store: SqliteStore, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    cursor = store.db.cursor()
    cursor.row_factory = sqlite3.Row
    try:
        return list(cursor.execute(sql, tuple(params)).fetchall())
    finally:
        cursor.close()


def table_names(store: SqliteStore, like: str = "%") -> list[str]:
    found = rows(
        store,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ORDER BY name",
        (like,),
    )
    return [row[0] for row in found]


def every_table(store: SqliteStore) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by table name, in insertion order."""
    return {
        name: [dict(row) for row in rows(store, f"SELECT * FROM {name} ORDER BY rowid")]
        for name in table_names(store)
    }


def member_id(store: SqliteStore, user_ref: str) -> int:
    found = rows(store, "SELECT id FROM members WHERE user_ref = ?", (user_ref,))
    assert found, f"no member {user_ref}"
    return int(found[0][0])

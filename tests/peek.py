"""A look inside a store, for tests that check what is (and is not) kept: `contents` on either
engine, the rest on a SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bot.ports import Store
from storage.schema import metadata
from storage.sql import SqlSession
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


async def contents(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table on either engine, by table, in primary-key order."""
    async with store.unit_of_work() as uow:
        session: SqlSession = uow._session  # type: ignore[attr-defined]
        return {
            table.name: [
                dict(row._mapping)
                for row in await session.rows(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }

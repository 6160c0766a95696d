"""What every SQLite repository shares: fixed-width UTC timestamps and small query helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aiosqlite

_TS = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(value: datetime) -> str:
    """A fixed-width UTC timestamp, so that text order is time order."""
    return value.astimezone(UTC).strftime(_TS)


def dt(value: str) -> datetime:
    return datetime.strptime(value, _TS).replace(tzinfo=UTC)


def opt_dt(value: str | None) -> datetime | None:
    return dt(value) if value is not None else None


class SqliteRepo:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        async with self.db.execute(sql, params) as cursor:
            rowid = cursor.lastrowid
        assert rowid is not None
        return rowid

    async def _change(self, sql: str, params: Sequence[Any]) -> int:
        async with self.db.execute(sql, params) as cursor:
            return cursor.rowcount

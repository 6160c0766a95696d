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
    # fromisoformat reads the 'Z' form since Python 3.11 and is many times faster than strptime.
    return datetime.fromisoformat(value)


def opt_dt(value: str | None) -> datetime | None:
    return dt(value) if value is not None else None


class SqliteSession:
    """One unit of work's use of the connection.

    Each call is a single hop to aiosqlite's thread (fetching and closing a cursor would be
    three), and the write transaction begins at the first write, so a command that only reads
    costs no BEGIN/COMMIT. Reads before that first write need no transaction of their own: the
    store lets one unit of work use the connection at a time.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.writing = False

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def _begin(self) -> None:
        if not self.writing:
            await self.conn.execute("BEGIN IMMEDIATE")
            self.writing = True

    async def insert(self, sql: str, params: Sequence[Any]) -> int:
        await self._begin()
        cursor = await self.conn.execute(sql, params)
        rowid = cursor.lastrowid
        assert rowid is not None
        return rowid

    async def change(self, sql: str, params: Sequence[Any]) -> int:
        await self._begin()
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def change_returning(self, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
        """A write whose RETURNING rows are wanted, inside this unit's write transaction."""
        await self._begin()
        return list(await self.conn.execute_fetchall(sql, params))

    async def commit(self) -> None:
        if self.writing:
            await self.conn.commit()
            self.writing = False

    async def rollback(self) -> None:
        if self.writing:
            await self.conn.rollback()
            self.writing = False


class SqliteRepo:
    def __init__(self, db: SqliteSession) -> None:
        self.db = db

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return await self.db.fetchall(sql, params)

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.db.fetchall(sql, params)
        return rows[0] if rows else None

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        return await self.db.insert(sql, params)

    async def _change(self, sql: str, params: Sequence[Any]) -> int:
        return await self.db.change(sql, params)

    async def _returning(self, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
        return await self.db.change_returning(sql, params)

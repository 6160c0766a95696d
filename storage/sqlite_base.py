"""The raw-SQL repositories' base, until each is written in Core on storage.sql."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.sql import SqlSession, dt, opt_dt, ts

SqliteSession = SqlSession
__all__ = ["SqliteRepo", "SqliteSession", "dt", "opt_dt", "ts"]


class SqliteRepo:
    def __init__(self, db: SqlSession) -> None:
        self.db = db

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self.db.raw_rows(sql, params)

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self.db.raw_rows(sql, params)
        return rows[0] if rows else None

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        return await self.db.raw_insert(sql, params)

    async def _change(self, sql: str, params: Sequence[Any]) -> int:
        return await self.db.raw_change(sql, params)

    async def _returning(self, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        return await self.db.raw_returning(sql, params)

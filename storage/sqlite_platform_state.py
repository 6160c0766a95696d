"""SQLite side of the platform-state port: one row per (platform, key)."""

from __future__ import annotations

import aiosqlite


class SqlitePlatformState:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def get(self, platform: str, key: str) -> str | None:
        async with self.db.execute(
            "SELECT value FROM platform_state WHERE platform = ? AND key = ?", (platform, key)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def put(self, platform: str, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO platform_state (platform, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value",
            (platform, key, value),
        )

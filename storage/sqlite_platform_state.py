"""SQLite side of the platform-state port: one row per (platform, key)."""

from __future__ import annotations

from storage.sqlite_base import SqliteRepo


class SqlitePlatformState(SqliteRepo):
    async def get(self, platform: str, key: str) -> str | None:
        row = await self._row(
            "SELECT value FROM platform_state WHERE platform = ? AND key = ?", (platform, key)
        )
        return str(row[0]) if row else None

    async def put(self, platform: str, key: str, value: str) -> None:
        await self._change(
            "INSERT INTO platform_state (platform, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value",
            (platform, key, value),
        )

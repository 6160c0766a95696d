"""SQLite side of the people port: persons and the accounts that reach them."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.identity import Account, Person
from storage.sqlite_base import SqliteRepo, dt, ts


def _account(row: sqlite3.Row) -> Account:
    return Account(row["platform"], row["user_ref"], row["person_id"])


class SqlitePeople(SqliteRepo):
    section = "mydata_section_accounts"

    async def find_or_create_for_account(
        self, platform: str, user_ref: str, now: datetime
    ) -> Person:
        row = await self._row(
            "SELECT p.id, p.created_at FROM accounts a JOIN people p ON p.id = a.person_id"
            " WHERE a.platform = ? AND a.user_ref = ?",
            (platform, user_ref),
        )
        if row is not None:
            return Person(row[0], dt(row[1]))
        person_id = await self._insert("INSERT INTO people (created_at) VALUES (?)", (ts(now),))
        await self._change(
            "INSERT INTO accounts (platform, user_ref, person_id) VALUES (?, ?, ?)",
            (platform, user_ref, person_id),
        )
        return Person(person_id, now)

    async def account(self, platform: str, user_ref: str) -> Account | None:
        row = await self._row(
            "SELECT * FROM accounts WHERE platform = ? AND user_ref = ?", (platform, user_ref)
        )
        return _account(row) if row else None

    async def accounts_of(self, person_id: int) -> list[Account]:
        rows = await self._rows(
            "SELECT * FROM accounts WHERE person_id = ? ORDER BY platform, user_ref", (person_id,)
        )
        return [_account(row) for row in rows]

    async def person(self, person_id: int) -> Person | None:
        row = await self._row("SELECT id, created_at FROM people WHERE id = ?", (person_id,))
        return Person(row[0], dt(row[1])) if row else None

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        row = await self._row("SELECT person_id FROM members WHERE id = ?", (member_id,))
        if row is None or row[0] is None:
            return []
        return [
            {"platform": a.platform, "account": a.user_ref} for a in await self.accounts_of(row[0])
        ]

    async def erase_member(self, member_id: int) -> int:
        row = await self._row(
            "SELECT person_id, platform, user_ref FROM members WHERE id = ?", (member_id,)
        )
        if row is None:
            return 0
        person_id, platform, user_ref = row[0], row[1], row[2]
        erased = 0
        # members.person_id is checked at commit, so the person may go before the member's row.
        if not await self._row(
            "SELECT 1 FROM members WHERE platform = ? AND user_ref = ? AND id != ?",
            (platform, user_ref, member_id),
        ):
            erased += await self._change(
                "DELETE FROM accounts WHERE platform = ? AND user_ref = ?", (platform, user_ref)
            )
        if person_id is not None and not await self._row(
            "SELECT 1 FROM members WHERE person_id = ? AND id != ?", (person_id, member_id)
        ):
            erased += await self._change("DELETE FROM accounts WHERE person_id = ?", (person_id,))
            await self._change("DELETE FROM people WHERE id = ?", (person_id,))
        return erased

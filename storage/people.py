"""People in SQL: persons and the platform accounts that reach them.

The tables mirror storage/migrations/0017_people_and_accounts.sql exactly; the same migration's
members.person_id column belongs to the members table, which is not defined here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.identity import Account, Person
from storage.members import members
from storage.sql import SqlRepo, Timestamp, reference, schema_table

people = schema_table(
    "people",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

accounts = schema_table(
    "accounts",
    sa.Column("platform", sa.Text, primary_key=True),
    sa.Column("user_ref", sa.Text, primary_key=True),
    reference("person_id", "people.id"),
    sa.Index("accounts_by_person", "person_id"),
)


def _account(row: Row[Any]) -> Account:
    return Account(row.platform, row.user_ref, row.person_id)


class SqlPeople(SqlRepo):
    section = "mydata_section_accounts"

    async def find_or_create_for_account(
        self, platform: str, user_ref: str, now: datetime
    ) -> Person:
        row = await self.db.row(
            sa.select(people.c.id, people.c.created_at)
            .join_from(accounts, people, people.c.id == accounts.c.person_id)
            .where(accounts.c.platform == platform, accounts.c.user_ref == user_ref)
        )
        if row is not None:
            return Person(row.id, row.created_at)
        person_id = await self.db.insert(sa.insert(people).values(created_at=now))
        await self.db.change(
            sa.insert(accounts).values(platform=platform, user_ref=user_ref, person_id=person_id)
        )
        return Person(person_id, now)

    async def account(self, platform: str, user_ref: str) -> Account | None:
        row = await self.db.row(
            sa.select(accounts).where(
                accounts.c.platform == platform, accounts.c.user_ref == user_ref
            )
        )
        return _account(row) if row else None

    async def accounts_of(self, person_id: int) -> list[Account]:
        rows = await self.db.rows(
            sa.select(accounts)
            .where(accounts.c.person_id == person_id)
            .order_by(accounts.c.platform, accounts.c.user_ref)
        )
        return [_account(row) for row in rows]

    async def person(self, person_id: int) -> Person | None:
        row = await self.db.row(
            sa.select(people.c.id, people.c.created_at).where(people.c.id == person_id)
        )
        return Person(row.id, row.created_at) if row else None

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        person_id = await self.db.scalar(
            sa.select(members.c.person_id).where(members.c.id == member_id)
        )
        if person_id is None:
            return []
        return [
            {"platform": a.platform, "account": a.user_ref}
            for a in await self.accounts_of(person_id)
        ]

    async def erase_member(self, member_id: int) -> int:
        row = await self.db.row(
            sa.select(members.c.person_id, members.c.platform, members.c.user_ref).where(
                members.c.id == member_id
            )
        )
        if row is None:
            return 0
        person_id, platform, user_ref = row.person_id, row.platform, row.user_ref
        erased = 0
        # members.person_id is checked at commit, so the person may go before the member's row.
        if not await self._has_other_member(
            member_id, members.c.platform == platform, members.c.user_ref == user_ref
        ):
            erased += await self.db.change(
                sa.delete(accounts).where(
                    accounts.c.platform == platform, accounts.c.user_ref == user_ref
                )
            )
        if person_id is not None and not await self._has_other_member(
            member_id, members.c.person_id == person_id
        ):
            erased += await self.db.change(
                sa.delete(accounts).where(accounts.c.person_id == person_id)
            )
            await self.db.change(sa.delete(people).where(people.c.id == person_id))
        return erased

    async def _has_other_member(self, member_id: int, *where: sa.ColumnElement[bool]) -> bool:
        """Whether a membership other than this one matches (one row read, as before)."""
        found = await self.db.row(
            sa.select(sa.literal(1))
            .select_from(members)
            .where(*where, members.c.id != member_id)
            .limit(1)
        )
        return found is not None

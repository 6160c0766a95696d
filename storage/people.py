"""People in SQL: persons and the platform accounts that reach them (tables in
storage/accounts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.identity import Account, Person
from storage.accounts import accounts, people
from storage.members import fold, members
from storage.sqlite_cache import CachedRepo


def _account(row: Row[Any]) -> Account:
    return Account(row.platform, row.user_ref, row.person_id)


class SqlPeople(CachedRepo):
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

    async def merge(self, keep_id: int, drop_id: int) -> None:
        self.unit.touched_cache(everything=True)
        await self.db.change(
            sa.update(accounts).where(accounts.c.person_id == drop_id).values(person_id=keep_id)
        )
        kept = members.alias("kept")
        pairs = await self.db.rows(
            sa.select(kept.c.id.label("keep"), members.c.id.label("drop"))
            .join(kept, kept.c.community_id == members.c.community_id)
            .where(kept.c.person_id == keep_id, members.c.person_id == drop_id)
            .order_by(kept.c.id)
        )
        for pair in pairs:
            await fold(self.db, pair.keep, pair.drop)
        await self.db.change(
            sa.update(members).where(members.c.person_id == drop_id).values(person_id=keep_id)
        )
        await self.db.change(sa.delete(people).where(people.c.id == drop_id))

    async def erase_member(self, member_id: int) -> int:
        person_id = await self.db.scalar(
            sa.select(members.c.person_id).where(members.c.id == member_id)
        )
        if person_id is None or await self._has_other_member(
            member_id, members.c.person_id == person_id
        ):
            return 0
        # Every account of the person goes with their last membership: one /forgetme covers
        # all the platforms they linked. members.person_id is checked at commit, so the person
        # may go before the member's own row.
        erased = await self.db.change(sa.delete(accounts).where(accounts.c.person_id == person_id))
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

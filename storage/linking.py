"""Link codes (/link, /link me): the digest of each code, who issued it for which community,
and once spent, who sent it and when the issuer answered. A member's codes go with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.catalog import Phrase
from bot.services.linking.records import Account, CodeKind, LinkCode
from storage.accounts import accounts
from storage.members import members
from storage.sql import SqlRepo, Timestamp, community_column, member_column, reference, schema_table

link_codes = schema_table(
    "link_codes",
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    community_column(),
    member_column(),
    reference("person_id", "people.id", nullable=True),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("user_ref", sa.Text, nullable=False),
    sa.Column("place_ref", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp, nullable=True),
    sa.Column("redeemer_platform", sa.Text, nullable=True),
    sa.Column("redeemer_ref", sa.Text, nullable=True),
    sa.Column("redeemer_place", sa.Text, nullable=True),
    sa.Column("answered_at", Timestamp, nullable=True),
)

_t = link_codes
_FORGET = sa.delete(_t).where(_t.c.created_at < sa.bindparam("b_before"))
_ANSWER = (
    sa.update(_t)
    .where(_t.c.digest == sa.bindparam("b_digest"), _t.c.answered_at.is_(None))
    .values(answered_at=sa.bindparam("b_at"))
)


def _code(row: Row[Any]) -> LinkCode:
    redeemer = None
    if row.redeemer_platform is not None:
        redeemer = Account(row.redeemer_platform, row.redeemer_ref, row.redeemer_place or "")
    return LinkCode(
        kind=CodeKind(row.kind),
        community_id=row.community_id,
        member_id=row.member_id,
        issuer=Account(row.platform, row.user_ref, row.place_ref),
        created_at=row.created_at,
        person_id=row.person_id,
        used_at=row.used_at,
        redeemer=redeemer,
        answered_at=row.answered_at,
    )


class SqlLinkCodes(SqlRepo):
    section = "mydata_section_link_codes"

    async def add(self, digest: str, code: LinkCode) -> None:
        redeemer = code.redeemer
        await self.db.change(
            sa.insert(_t).values(
                digest=digest,
                kind=code.kind.value,
                community_id=code.community_id,
                member_id=code.member_id,
                person_id=code.person_id,
                platform=code.issuer.platform,
                user_ref=code.issuer.user_ref,
                place_ref=code.issuer.place_ref,
                created_at=code.created_at,
                used_at=code.used_at,
                redeemer_platform=redeemer.platform if redeemer else None,
                redeemer_ref=redeemer.user_ref if redeemer else None,
                redeemer_place=redeemer.place_ref if redeemer else None,
                answered_at=code.answered_at,
            )
        )

    async def find(self, digest: str) -> LinkCode | None:
        row = await self.db.row(sa.select(_t).where(_t.c.digest == digest))
        return _code(row) if row is not None else None

    async def use(self, digest: str, at: datetime, by: Account | None = None) -> bool:
        spent = (
            sa.update(_t)
            .where(_t.c.digest == digest, _t.c.used_at.is_(None))
            .values(
                used_at=at,
                redeemer_platform=by.platform if by else None,
                redeemer_ref=by.user_ref if by else None,
                redeemer_place=by.place_ref if by else None,
            )
        )
        return await self.db.change(spent) == 1

    async def awaiting(self, issuer: Account, redeemer: Account) -> tuple[str, LinkCode] | None:
        row = await self.db.row(
            sa.select(_t)
            .where(
                _t.c.kind == CodeKind.PERSON.value,
                _t.c.platform == issuer.platform,
                _t.c.user_ref == issuer.user_ref,
                _t.c.redeemer_platform == redeemer.platform,
                _t.c.redeemer_ref == redeemer.user_ref,
                _t.c.answered_at.is_(None),
            )
            .order_by(_t.c.used_at.desc())
            .limit(1)
        )
        return (row.digest, _code(row)) if row is not None else None

    async def answer(self, digest: str, at: datetime) -> bool:
        return await self.db.change(_ANSWER, {"b_digest": digest, "b_at": at}) == 1

    async def forget_before(self, moment: datetime) -> int:
        return await self.db.change(_FORGET, {"b_before": moment})

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(
            sa.select(_t.c.kind, _t.c.created_at)
            .where(_t.c.member_id == member_id)
            .order_by(_t.c.created_at)
        )
        return [
            {"what": Phrase(f"link_code_kind_{row.kind}"), "when": row.created_at} for row in rows
        ]

    async def erase_member(self, member_id: int) -> int:
        """Their codes, and those their accounts sent (a code names who sent it)."""
        theirs = sa.select(members.c.person_id).where(members.c.id == member_id)
        their_accounts = sa.select(accounts.c.platform, accounts.c.user_ref).where(
            accounts.c.person_id.in_(theirs)
        )
        return await self.db.change(
            sa.delete(_t).where(
                sa.or_(
                    _t.c.member_id == member_id,
                    _t.c.person_id.in_(theirs),
                    sa.tuple_(_t.c.redeemer_platform, _t.c.redeemer_ref).in_(their_accounts),
                )
            )
        )

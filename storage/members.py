"""Members: one person's membership in one community, table and repository in SQLAlchemy Core.

A person is one member row however many accounts they linked: any of their accounts finds it,
and its `platform`/`user_ref` are the account Hearth reaches them through. `find` is on every
event's path, so it reads through the store's ContextCache (under the reaching account); writes
tell the unit of work which entries they touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.base import Executable

from bot.domain import Member
from bot.roles import Role
from bot.services.proposals.records import voice_of
from storage.accounts import accounts, person_of_account
from storage.references import repoint, repoint_voices
from storage.sql import Flag, SqlSession, Timestamp, community_table
from storage.sqlite_cache import CachedRepo, ContextCache, copy_member

members = community_table(
    "members",
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("user_ref", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("language", sa.Text),
    sa.Column("granted_role", sa.Integer),  # a Role's number
    sa.Column("joined_at", Timestamp, nullable=False),
    sa.Column("left_at", Timestamp),
    sa.Column("unreachable_since", Timestamp),
    # 0017: checked at commit, so /forgetme may erase the person before the member's own row.
    sa.Column(
        "person_id",
        sa.Integer,
        sa.ForeignKey("people.id", deferrable=True, initially="DEFERRED"),
    ),
    sa.UniqueConstraint("community_id", "platform", "user_ref"),
    sa.Column("reported_language", sa.Text),  # 0018
    sa.Column("timezone", sa.Text),  # 0018
    # 0021: the person pinned where they are reached (/link me here); else it follows them.
    sa.Column("reach_chosen", Flag, nullable=False, server_default=sa.false()),
)
sa.Index("members_by_platform_user", members.c.platform, members.c.user_ref)  # 0006
sa.Index("members_by_person", members.c.person_id)  # 0017
# 0021: one person is one member of a community, however many accounts they have.
sa.Index("members_one_per_person", members.c.community_id, members.c.person_id, unique=True)


# The statements a command may run, built once (see SqlSession on `params`); the rare ones
# (an operator's or /forgetme's) are built where they are used.
_IN_COMMUNITY = members.c.community_id == sa.bindparam("b_community")
_PRESENT = members.c.left_at.is_(None)
# Any account of a member's person finds them (the unique (community_id, person_id) index).
_OF_ACCOUNT = members.c.person_id == person_of_account(
    sa.bindparam("b_platform"), sa.bindparam("b_user")
)
_FIND = sa.select(members).where(_IN_COMMUNITY, _OF_ACCOUNT)
_GET = sa.select(members).where(members.c.id == sa.bindparam("b_id"))
_ADD = sa.insert(members)
_SAVE = sa.update(members).where(members.c.id == sa.bindparam("b_id"))
_ACTIVE = sa.select(members).where(_IN_COMMUNITY, _PRESENT).order_by(members.c.id)
_GRANTED = (
    sa.select(members)
    .where(_IN_COMMUNITY, members.c.granted_role.is_not(None))
    .order_by(members.c.display_name)
)
_BY_NAME = (
    sa.select(members)
    .where(
        _IN_COMMUNITY,
        _PRESENT,
        sa.or_(
            sa.func.lower(members.c.display_name) == sa.func.lower(sa.bindparam("b_name")),
            members.c.user_ref == sa.bindparam("b_name"),
        ),
    )
    .order_by(members.c.id)
)
_MEMBERSHIPS = sa.select(members).where(_OF_ACCOUNT, _PRESENT).order_by(members.c.id)
# Members granted a role, each with their person's account on one platform in place of the one
# they are reached through: a platform's menus are set per account of its own.
_GRANTED_ON = (
    sa.select(
        *(
            accounts.c[column.name] if column.name in ("platform", "user_ref") else column
            for column in members.c
        )
    )
    .join(accounts, accounts.c.person_id == members.c.person_id)
    .where(
        accounts.c.platform == sa.bindparam("b_platform"),
        members.c.granted_role.is_not(None),
        _PRESENT,
    )
    .order_by(members.c.id, accounts.c.user_ref)
)
_REACH = sa.update(members).where(members.c.id == sa.bindparam("b_id"))


def remember_member(cache: ContextCache, member: Member, platform: str, user_ref: str) -> None:
    """Keep a member found through an account for the next find: only when it is the account
    they are reached through, the key a save drops; a find through their other account reads
    the row (one indexed lookup)."""
    if (member.platform, member.user_ref) == (platform, user_ref):
        cache.members.put((member.community_id, platform, user_ref), copy_member(member))


def member_of_row(row: Sequence[Any]) -> Member:
    # In the table's column order: unpacking costs a twentieth of a Row's attributes.
    (id_, community_id, platform, user_ref, name, language, role, joined_at, left_at, unreachable,
     person_id, reported, timezone, reach_chosen) = row  # fmt: skip
    return Member(
        id=id_,
        community_id=community_id,
        platform=platform,
        user_ref=user_ref,
        display_name=name,
        joined_at=joined_at,
        language=language,
        granted_role=Role(role) if role is not None else None,
        left_at=left_at,
        unreachable_since=unreachable,
        person_id=person_id,
        reported_language=reported,
        timezone=timezone,
        reach_chosen=reach_chosen,
    )


async def fold(db: SqlSession, keep_id: int, drop_id: int) -> None:
    """Two member rows of one person in one community become keep's: everything that named
    drop's (rows by foreign key, proposal voices) names keep's, where both hold the same key
    keep's stays, and keep's row takes the higher role, the earlier join and whatever it lacks."""
    rows = {
        row.id: row
        for row in await db.rows(sa.select(members).where(members.c.id.in_((keep_id, drop_id))))
    }
    keep, drop = rows[keep_id], rows[drop_id]
    await repoint(db, "members", keep_id, drop_id, loser="drop")
    await repoint_voices(db, voice_of(keep_id), voice_of(drop_id), loser="drop")
    from storage.proposals import SqlProposals  # here: proposals' tables import members'

    await SqlProposals(db).recount(voice_of(keep_id))
    await db.change(sa.delete(members).where(members.c.id == drop_id))
    roles = [role for role in (keep.granted_role, drop.granted_role) if role is not None]
    await db.change(
        sa.update(members)
        .where(members.c.id == keep_id)
        .values(
            granted_role=max(roles, default=None),
            joined_at=min(keep.joined_at, drop.joined_at),
            # Still here if either account is; else gone since the later leaving.
            left_at=None
            if keep.left_at is None or drop.left_at is None
            else max(keep.left_at, drop.left_at),
            language=keep.language or drop.language,
            reported_language=keep.reported_language or drop.reported_language,
            timezone=keep.timezone or drop.timezone,
        )
    )


class SqlMembers(CachedRepo):
    section = "mydata_section_membership"

    async def find(self, community_id: int, platform: str, user_ref: str) -> Member | None:
        key = (community_id, platform, user_ref)
        cached = self.cache.members.get(key)
        if cached is not None:
            return copy_member(cached)
        row = await self.db.row(
            _FIND, {"b_community": community_id, "b_platform": platform, "b_user": user_ref}
        )
        if row is None:
            return None
        member = member_of_row(row)
        remember_member(self.cache, member, platform, user_ref)
        return member

    async def add(
        self,
        *,
        community_id: int,
        platform: str,
        user_ref: str,
        display_name: str,
        language: str | None = None,
        reported_language: str | None = None,
        now: datetime,
    ) -> Member:
        self.unit.touched_cache()
        person = await self.unit.people.find_or_create_for_account(platform, user_ref, now)
        new_id = await self.db.insert(
            _ADD,
            {
                "community_id": community_id,
                "platform": platform,
                "user_ref": user_ref,
                "display_name": display_name,
                "language": language,
                "joined_at": now,
                "person_id": person.id,
                "reported_language": reported_language,
            },
        )
        member = Member(new_id, community_id, platform, user_ref, display_name, now, language)
        member.person_id = person.id
        member.reported_language = reported_language
        return member

    async def get(self, member_id: int) -> Member:
        row = await self.db.row(_GET, {"b_id": member_id})
        if row is None:
            raise LookupError(f"member {member_id}")
        return member_of_row(row)

    async def save(self, member: Member) -> None:
        self.unit.touched_cache(member=member)
        role = member.granted_role
        await self.db.change(
            _SAVE,
            {
                "b_id": member.id,
                "display_name": member.display_name,
                "language": member.language,
                "reported_language": member.reported_language,
                "timezone": member.timezone,
                "granted_role": int(role) if role is not None else None,
                "left_at": member.left_at,
                "unreachable_since": member.unreachable_since,
            },
        )

    async def active(self, community_id: int) -> list[Member]:
        return await self._members(_ACTIVE, {"b_community": community_id})

    async def granted(self, community_id: int) -> list[Member]:
        return await self._members(_GRANTED, {"b_community": community_id})

    async def granted_on(self, platform: str) -> list[Member]:
        return await self._members(_GRANTED_ON, {"b_platform": platform})

    async def find_by_name(self, community_id: int, name: str) -> list[Member]:
        return await self._members(_BY_NAME, {"b_community": community_id, "b_name": name})

    async def memberships(self, platform: str, user_ref: str) -> list[Member]:
        return await self._members(_MEMBERSHIPS, {"b_platform": platform, "b_user": user_ref})

    async def reach_through(
        self, member: Member, platform: str, user_ref: str, *, chosen: bool
    ) -> None:
        self.unit.touched_cache(member=member)  # drops the entry under the old account
        await self.db.change(
            _REACH,
            {"b_id": member.id, "platform": platform, "user_ref": user_ref, "reach_chosen": chosen},
        )
        member.platform, member.user_ref, member.reach_chosen = platform, user_ref, chosen

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        row = await self.db.row(
            sa.select(
                members.c.display_name,
                members.c.platform,
                members.c.language,
                members.c.reported_language,
                members.c.timezone,
                members.c.joined_at,
                members.c.granted_role,
            ).where(members.c.id == member_id)
        )
        if row is None:
            return []
        role = Role(row.granted_role) if row.granted_role is not None else None
        return [
            {
                "name": row.display_name,
                "platform": row.platform,
                "language": row.language or "",
                "reported_language": row.reported_language or "",
                "timezone": row.timezone or "",
                "joined": row.joined_at,
                "granted_role": role.label if role else "",
            }
        ]

    async def erase_member(self, member_id: int) -> int:
        self.unit.touched_cache(everything=True)
        return await self.db.change(sa.delete(members).where(members.c.id == member_id))

    async def _members(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> list[Member]:
        return [member_of_row(row) for row in await self.db.rows(statement, params)]

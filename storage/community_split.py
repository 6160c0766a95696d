"""One place leaves its community (`CommunityRepository.split`): it gets a community of its own
again, which remembers the one it split off from.

Nothing of the history moves or is copied: the old community keeps every proposal, round and
audit entry (so one /forgetme there covers them), and the new one reads what was made together
through `history_of`, `history_until` and the old community's highest numbers at the split,
after which it numbers its own. Its members are the old one's members whose person has an
account on the leaving platform, each through that account; in the old community a member no
remaining place can reach has left, and one reached through the leaving platform is reached
through another of their accounts from now on (not a choice they made).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.accounts import accounts
from storage.audit import audit_log
from storage.communities import communities, community_links
from storage.members import members
from storage.proposals import proposals
from storage.reflections import reflection_rounds
from storage.sql import SqlSession

PLACE_NAMES = "place_names"  # as in bot/services/linking/places.py: the old one's, not copied

# What a member row carries into the new community, besides its community and account.
_COPIED = (
    "display_name",
    "language",
    "reported_language",
    "timezone",
    "granted_role",
    "joined_at",
    "person_id",
)


async def split_community(
    db: SqlSession, old_id: int, platform: str, community_ref: str, *, name: str, now: datetime
) -> int:
    old = await db.row(sa.select(communities).where(communities.c.id == old_id))
    if old is None:
        raise LookupError(f"community {old_id}")
    new_id = await db.insert(
        sa.insert(communities).values(
            name=name,
            timezone=old.timezone,
            language=old.language,
            created_at=now,
            settings={k: v for k, v in old.settings.items() if k != PLACE_NAMES},
            history_of=old_id,
            history_until=now,
            history_proposals=await _highest(db, proposals, old_id),
            history_rounds=await _highest(db, reflection_rounds, old_id),
            history_audit=await db.scalar(
                sa.select(sa.func.coalesce(sa.func.max(audit_log.c.id), 0)).where(
                    audit_log.c.community_id == old_id
                )
            ),
        )
    )
    await db.change(
        sa.update(community_links)
        .where(
            community_links.c.platform == platform,
            community_links.c.community_ref == community_ref,
            community_links.c.community_id == old_id,
        )
        .values(community_id=new_id)
    )
    remaining = {
        row.platform
        for row in await db.rows(
            sa.select(community_links.c.platform).where(community_links.c.community_id == old_id)
        )
    }
    for member in await db.rows(
        sa.select(members)
        .where(members.c.community_id == old_id, members.c.left_at.is_(None))
        .order_by(members.c.id)
    ):
        await _split_member(db, member, new_id, platform, remaining, now)
    return new_id


async def _highest(db: SqlSession, table: sa.Table, community_id: int) -> int:
    found = await db.scalar(
        sa.select(sa.func.coalesce(sa.func.max(table.c.number), 0)).where(
            table.c.community_id == community_id
        )
    )
    return int(found or 0)


async def _split_member(
    db: SqlSession, member: Any, new_id: int, leaving: str, remaining: set[str], now: datetime
) -> None:
    """The member's row in the new community (when the leaving platform reaches them), and
    how the old one reaches them now (or that they left it)."""
    owned = [(member.platform, member.user_ref)]
    if member.person_id is not None:
        owned = [
            (row.platform, row.user_ref)
            for row in await db.rows(
                sa.select(accounts.c.platform, accounts.c.user_ref)
                .where(accounts.c.person_id == member.person_id)
                .order_by(accounts.c.platform, accounts.c.user_ref)
            )
        ] or owned
    delivery = (member.platform, member.user_ref)
    there = _preferred([a for a in owned if a[0] == leaving], delivery)
    if there is not None:
        await db.insert(
            sa.insert(members).values(
                community_id=new_id,
                platform=there[0],
                user_ref=there[1],
                reach_chosen=False,
                **{column: member._mapping[column] for column in _COPIED},
            )
        )
    stays = _preferred([a for a in owned if a[0] in remaining], delivery)
    kept = members.c.id == member.id
    if stays is None:
        await db.change(sa.update(members).where(kept).values(left_at=now))
    elif delivery[0] == leaving:
        await db.change(
            sa.update(members)
            .where(kept)
            .values(platform=stays[0], user_ref=stays[1], reach_chosen=False)
        )


def _preferred(
    candidates: list[tuple[str, str]], delivery: tuple[str, str]
) -> tuple[str, str] | None:
    """The account they are reached through when it is one of these, else the first."""
    if delivery in candidates:
        return delivery
    return candidates[0] if candidates else None

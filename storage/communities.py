"""Communities and their platform links: tables and the repository, in SQLAlchemy Core.

Every event reads its community and link first, so reads go through the store's ContextCache
(storage/sqlite_cache.py) and every write tells the unit of work which entries it touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import Community, CommunityLink, Renumbered
from storage.accounts import person_of_account
from storage.members import member_of_row, members, remember_member
from storage.sql import JsonText, Timestamp, community_column, schema_table
from storage.sqlite_cache import CachedRepo, copy_community, copy_link

communities = schema_table(
    "communities",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("settings", JsonText, nullable=False, server_default="{}"),
    sa.Column("paused_since", Timestamp),  # 0014
    # 0024: the community this one split off from (/unlink), when, and its highest numbers then.
    sa.Column("history_of", sa.Integer, sa.ForeignKey("communities.id", ondelete="SET NULL")),
    sa.Column("history_until", Timestamp),
    sa.Column("history_proposals", sa.Integer, nullable=False, server_default="0"),
    sa.Column("history_rounds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("history_audit", sa.Integer, nullable=False, server_default="0"),
)
sa.Index(
    "communities_paused",
    communities.c.id,
    sqlite_where=communities.c.paused_since.is_not(None),
    postgresql_where=communities.c.paused_since.is_not(None),
)

community_links = schema_table(
    "community_links",
    sa.Column("platform", sa.Text, nullable=False, primary_key=True),
    sa.Column("community_ref", sa.Text, nullable=False, primary_key=True),
    community_column(),
    sa.Column("main_channel", sa.Text),
    sa.Column("channels", JsonText, nullable=False, server_default="{}"),
    sa.Column("away_since", Timestamp),  # 0021
)
sa.Index("community_links_by_community", community_links.c.community_id)


def paused_community_ids() -> sa.Select[int]:
    """Communities whose schedules, jobs and waiting messages are held (Hearth was removed):
    for `community_id.not_in(paused_community_ids())`."""
    return sa.select(communities.c.id).where(communities.c.paused_since.is_not(None))


def paused_places() -> sa.Select[str, str]:
    """The (platform, community_ref) of every place Hearth is away from, and of every place of
    a paused community, for the outbox."""
    return (
        sa.select(community_links.c.platform, community_links.c.community_ref)
        .join(communities, communities.c.id == community_links.c.community_id)
        .where(
            sa.or_(
                communities.c.paused_since.is_not(None),
                community_links.c.away_since.is_not(None),
            )
        )
    )


def next_number(table: sa.Table, community_id: Any, floor: sa.Column[int]) -> sa.Select[Any]:
    """The number a new record of `table` (proposals, reflection rounds) takes in a community:
    after its own highest and after `floor`, the highest of the community it split off from
    (communities.history_*), so a number made together never names two things."""
    numbers = sa.union_all(
        sa.select(table.c.number.label("n")).where(table.c.community_id == community_id),
        sa.select(floor.label("n")).where(communities.c.id == community_id),
    ).subquery()
    return sa.select(sa.func.coalesce(sa.func.max(numbers.c.n), 0) + 1)


# The statements a command may run, built once (see SqlSession on `params`); the rare ones
# (a moved or merged place) are built where they are used.
_LINK = sa.select(community_links).where(
    community_links.c.platform == sa.bindparam("b_platform"),
    community_links.c.community_ref == sa.bindparam("b_ref"),
)
_LINKS = (
    sa.select(community_links)
    .where(community_links.c.community_id == sa.bindparam("b_id"))
    .order_by(community_links.c.platform, community_links.c.community_ref)
)
_COMMUNITY = sa.select(communities).where(communities.c.id == sa.bindparam("b_id"))
# What every event reads first, in one statement: the community a link names, with all its
# links (`_LINKS`' order). On PostgreSQL each statement is a round trip; this one is two fewer.
_BY_LINK = (
    sa.select(communities, community_links)
    .join(community_links, community_links.c.community_id == communities.c.id)
    .where(
        communities.c.id
        == _LINK.with_only_columns(community_links.c.community_id).correlate(None).scalar_subquery()
    )
    .order_by(community_links.c.platform, community_links.c.community_ref)
)
# The same, with the member of one account there (if any) on every row: what a command reads
# first is its community and its asker, and on PostgreSQL that is one round trip instead of two.
_BY_LINK_WITH_MEMBER = (
    sa.select(communities, community_links, members)
    .join(community_links, community_links.c.community_id == communities.c.id)
    .outerjoin(
        members,
        sa.and_(
            members.c.community_id == communities.c.id,
            members.c.person_id
            == person_of_account(sa.bindparam("b_platform"), sa.bindparam("b_user")),
        ),
    )
    .where(
        communities.c.id
        == _LINK.with_only_columns(community_links.c.community_id).correlate(None).scalar_subquery()
    )
    .order_by(community_links.c.platform, community_links.c.community_ref)
)
_COMMUNITY_COLUMNS = len(communities.columns)
_LINK_COLUMNS = len(community_links.columns)
_ADD = sa.insert(communities)
_ADD_LINK = sa.insert(community_links)
_SAVE_LINK = sa.update(community_links).where(
    community_links.c.platform == sa.bindparam("b_platform"),
    community_links.c.community_ref == sa.bindparam("b_ref"),
)
_SAVE = sa.update(communities).where(communities.c.id == sa.bindparam("b_id"))


# Rows are unpacked in the tables' column order: on the hot path, a Row's attributes cost
# twenty times what unpacking does.


def _community(row: Sequence[Any]) -> Community:
    (id_, name, timezone, language, created_at, settings, paused_since, history_of,
     history_until, history_proposals, history_rounds, history_audit) = row  # fmt: skip
    return Community(
        id_,
        name,
        timezone,
        language,
        created_at,
        settings,
        paused_since,
        history_of,
        history_until,
        history_proposals,
        history_rounds,
        history_audit,
    )


def _link(row: Sequence[Any]) -> CommunityLink:
    platform, community_ref, community_id, main_channel, channels, away_since = row
    return CommunityLink(community_id, platform, community_ref, main_channel, channels, away_since)


def _sorted(value: Any) -> Any:
    """Keys in order at every depth (json's sort_keys), as settings and channels were saved."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


class SqlCommunities(CachedRepo):
    async def find_link(
        self, platform: str, community_ref: str, *, with_member: str | None = None
    ) -> CommunityLink | None:
        cached = self.cache.links.get((platform, community_ref))
        if cached is not None:
            return copy_link(cached)
        params = {"b_platform": platform, "b_ref": community_ref}
        if with_member is None:
            rows = await self.db.rows(_BY_LINK, params)
        else:
            rows = await self.db.rows(_BY_LINK_WITH_MEMBER, {**params, "b_user": with_member})
        if not rows:
            return None
        # The community and its links come along: the event's next reads find them cached.
        links_end = _COMMUNITY_COLUMNS + _LINK_COLUMNS
        community = _community(tuple(rows[0])[:_COMMUNITY_COLUMNS])
        found = [_link(tuple(row)[_COMMUNITY_COLUMNS:links_end]) for row in rows]
        cache = self.cache
        cache.communities.put(community.id, copy_community(community))
        cache.community_links.put(community.id, [copy_link(link) for link in found])
        for each in found:
            cache.links.put((each.platform, each.community_ref), copy_link(each))
        if with_member is not None:
            member_row = tuple(rows[0])[links_end:]
            if member_row[0] is not None:
                remember_member(cache, member_of_row(member_row), platform, with_member)
        return next(
            each
            for each in found
            if each.platform == platform and each.community_ref == community_ref
        )

    async def add(self, *, name: str, timezone: str, language: str, now: datetime) -> Community:
        new_id = await self.db.insert(
            _ADD, {"name": name, "timezone": timezone, "language": language, "created_at": now}
        )
        return Community(new_id, name, timezone, language, now, {})

    async def add_link(self, link: CommunityLink) -> None:
        self.unit.touched_cache(community_id=link.community_id)
        await self.db.change(
            _ADD_LINK,
            {
                "platform": link.platform,
                "community_ref": link.community_ref,
                "community_id": link.community_id,
                "main_channel": link.main_channel,
                "channels": link.channels,
                "away_since": link.away_since,
            },
        )

    async def get(self, community_id: int) -> Community:
        cached = self.cache.communities.get(community_id)
        if cached is not None:
            return copy_community(cached)
        row = await self.db.row(_COMMUNITY, {"b_id": community_id})
        if row is None:
            raise LookupError(f"community {community_id}")
        community = _community(row)
        self.cache.communities.put(community_id, copy_community(community))
        return community

    async def save(self, community: Community) -> None:
        self.unit.touched_cache(community_id=community.id)
        await self.db.change(
            _SAVE,
            {
                "b_id": community.id,
                "name": community.name,
                "timezone": community.timezone,
                "language": community.language,
                "settings": _sorted(community.settings),
                "paused_since": community.paused_since,
            },
        )

    async def links(self, community_id: int) -> list[CommunityLink]:
        cached = self.cache.community_links.get(community_id)
        if cached is not None:
            return [copy_link(link) for link in cached]
        rows = await self.db.rows(_LINKS, {"b_id": community_id})
        found = [_link(row) for row in rows]
        self.cache.community_links.put(community_id, [copy_link(link) for link in found])
        return found

    async def save_link(self, link: CommunityLink) -> None:
        self.unit.touched_cache(community_id=link.community_id)
        await self.db.change(
            _SAVE_LINK,
            {
                "b_platform": link.platform,
                "b_ref": link.community_ref,
                "main_channel": link.main_channel,
                "channels": _sorted(link.channels),
                "away_since": link.away_since,
            },
        )

    async def links_on(self, platform: str) -> list[CommunityLink]:
        rows = await self.db.rows(
            sa.select(community_links)
            .where(community_links.c.platform == platform)
            .order_by(community_links.c.community_ref)
        )
        return [_link(row) for row in rows]

    async def move_link(self, platform: str, old_ref: str, new_ref: str) -> None:
        link = await self.find_link(platform, old_ref)
        if link is None:
            return
        self.unit.touched_cache(community_id=link.community_id)
        if link.main_channel == old_ref:
            link.main_channel = new_ref
        channels = {role: new_ref if ref == old_ref else ref for role, ref in link.channels.items()}
        await self.db.change(
            sa.update(community_links)
            .where(
                community_links.c.platform == platform,
                community_links.c.community_ref == old_ref,
            )
            .values(
                community_ref=new_ref, main_channel=link.main_channel, channels=_sorted(channels)
            )
        )

    async def absorb(self, keep_id: int, drop_id: int) -> None:
        self.unit.touched_cache(everything=True)
        # Members already in the kept community stay out; the cascade removes their old rows.
        # (Their person there already, through another account, counts as already there.)
        already = sa.select(members.c.platform, members.c.user_ref).where(
            members.c.community_id == keep_id
        )
        people_there = sa.select(members.c.person_id).where(
            members.c.community_id == keep_id, members.c.person_id.is_not(None)
        )
        await self.db.change(
            sa.update(members)
            .where(
                members.c.community_id == drop_id,
                sa.tuple_(members.c.platform, members.c.user_ref).not_in(already),
                sa.or_(members.c.person_id.is_(None), members.c.person_id.not_in(people_there)),
            )
            .values(community_id=keep_id)
        )
        await self.db.change(sa.delete(communities).where(communities.c.id == drop_id))

    async def merge(self, home_id: int, joining_id: int) -> list[Renumbered]:
        # Imported here: the merge reads tables whose modules import this one.
        from storage.community_merge import merge_communities

        self.unit.touched_cache(everything=True)
        return await merge_communities(self.db, home_id, joining_id)

    async def split(
        self, community_id: int, platform: str, community_ref: str, *, name: str, now: datetime
    ) -> Community:
        # Imported here: the split reads tables whose modules import this one.
        from storage.community_split import split_community

        self.unit.touched_cache(everything=True)
        new_id = await split_community(
            self.db, community_id, platform, community_ref, name=name, now=now
        )
        return await self.get(new_id)

"""A small read cache for what every event reads first: its community, links and member.

Every event needs them and they rarely change, so reading them from SQLite each time cost four
thread hops per command. Writes through the repositories drop the affected entries; a unit of
work that wrote and then rolled back drops everything, because it may have cached what it wrote.
Entries are handed out as copies, so callers can change what they got without touching the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.domain import Community, CommunityLink, Member
from storage.sql import SqlRepo, SqlSession

if TYPE_CHECKING:
    from storage.unit_of_work import SqlUnitOfWork

K = TypeVar("K")
V = TypeVar("V")
MAX_MEMBERS = 20_000
MAX_COMMUNITIES = 5_000


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def drop(self, key: K) -> None:
        self.items.pop(key, None)

    def clear(self) -> None:
        self.items.clear()


# Every event copies its community and link out of the cache, so the copies are written out
# by hand: dataclasses.replace and copy.deepcopy cost three times as much.


def copy_link(link: CommunityLink) -> CommunityLink:
    return CommunityLink(
        link.community_id,
        link.platform,
        link.community_ref,
        link.main_channel,
        dict(link.channels),
        link.away_since,
    )


def copy_community(community: Community) -> Community:
    return Community(
        community.id,
        community.name,
        community.timezone,
        community.language,
        community.created_at,
        _copy_json(community.settings),
        community.paused_since,
        community.history_of,
        community.history_until,
        community.history_proposals,
        community.history_rounds,
        community.history_audit,
    )


def copy_member(member: Member) -> Member:
    return Member(
        member.id,
        member.community_id,
        member.platform,
        member.user_ref,
        member.display_name,
        member.joined_at,
        member.language,
        member.granted_role,
        member.left_at,
        member.unreachable_since,
        member.person_id,
        member.reported_language,
        member.timezone,
        member.reach_chosen,
    )


def _copy_json(value: Any) -> Any:
    """A deep copy of what json.loads gives (settings are only ever read from JSON)."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


class ContextCache:
    def __init__(self) -> None:
        self.links: _Lru[tuple[str, str], CommunityLink] = _Lru(MAX_COMMUNITIES)
        self.communities: _Lru[int, Community] = _Lru(MAX_COMMUNITIES)
        self.community_links: _Lru[int, list[CommunityLink]] = _Lru(MAX_COMMUNITIES)
        self.members: _Lru[tuple[int, str, str], Member] = _Lru(MAX_MEMBERS)

    def forget_community(self, community_id: int) -> None:
        self.communities.drop(community_id)
        self.community_links.drop(community_id)
        self.links.clear()  # links are few and change rarely: start them afresh

    def forget_member(self, member: Member) -> None:
        self.members.drop((member.community_id, member.platform, member.user_ref))

    def clear(self) -> None:
        for part in (self.links, self.communities, self.community_links, self.members):
            part.clear()


class CachedRepo(SqlRepo):
    """A repository that reads through the store's cache and tells its unit of work what it
    wrote, so the unit can drop those entries now and everything if it rolls back."""

    def __init__(self, db: SqlSession, cache: ContextCache, unit: SqlUnitOfWork) -> None:
        super().__init__(db)
        self.cache = cache
        self.unit = unit

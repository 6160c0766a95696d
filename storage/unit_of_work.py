"""The unit of work every engine shares: the repositories of one transaction, built once here.

An engine's store says how a unit gets its connection (SQLite: a turn on the one connection;
PostgreSQL: a pooled connection of its own) by subclassing `_start` and `_finish`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from bot.domain import Member
from bot.ports import PersonalData
from storage.audit import SqlAudit
from storage.communities import SqlCommunities
from storage.conversations import SqlConversations
from storage.linking import SqlLinkCodes
from storage.members import SqlMembers
from storage.needs import SqlAidRequests, SqlCheckins, SqlOffers, SqlRequestSnapshots
from storage.outbox import SqlOutbox
from storage.people import SqlPeople
from storage.platform_state import SqlPlatformState
from storage.processed_events import SqlProcessedEvents
from storage.proposals import SqlProposals
from storage.reach import SqlReach
from storage.reflections import SqlReflectionPrompts, SqlReflections
from storage.scheduling import SqlJobs, SqlSchedules
from storage.sql import SqlSession
from storage.sqlite_cache import ContextCache
from storage.web import SqlWebLogins, SqlWebSessions
from storage.welcome import SqlBuddies, SqlWelcome


class SqlUnitOfWork:
    def __init__(self, session: SqlSession, cache: ContextCache) -> None:
        db = self._session = session
        self._cache = cache
        self._touched_cache = False
        self.communities = SqlCommunities(db, cache, self)
        self.members = SqlMembers(db, cache, self)
        self.people = SqlPeople(db, cache, self)
        self.audit = SqlAudit(db)
        self.platform_state = SqlPlatformState(db)
        self.reflection_prompts = SqlReflectionPrompts(db)
        self.reflections = SqlReflections(db)
        self.proposals = SqlProposals(db)
        self.welcome = SqlWelcome(db)
        self.buddies = SqlBuddies(db)
        self.schedules = SqlSchedules(db)
        self.jobs = SqlJobs(db)
        self.conversations = SqlConversations(db)
        self.events = SqlProcessedEvents(db)
        self.outbox = SqlOutbox(db)
        self.reach = SqlReach(db)
        self.checkins = SqlCheckins(db)
        self.offers = SqlOffers(db)
        self.aid_requests = SqlAidRequests(db)
        self.request_snapshots = SqlRequestSnapshots(db)
        self.web_logins = SqlWebLogins(db)
        self.web_sessions = SqlWebSessions(db)
        self.link_codes = SqlLinkCodes(db)
        self._committed = False

    def personal_data(self) -> Sequence[PersonalData]:
        # Order matters for erasure: rows that point at the member go before the member.
        return [
            self.outbox,
            self.reach,
            self.welcome,
            self.buddies,
            self.reflections,
            self.reflection_prompts,
            self.checkins,
            self.aid_requests,
            self.offers,
            self.conversations,
            self.link_codes,
            self.jobs,
            self.proposals,
            self.audit,
            self.people,  # before members: it asks what memberships the person has left
            self.members,
        ]

    def touched_cache(
        self,
        *,
        community_id: int | None = None,
        member: Member | None = None,
        everything: bool = False,
    ) -> None:
        """A write to what the context cache holds: drop it now, and all of it on rollback."""
        self._touched_cache = True
        cache = self._cache
        if everything:
            cache.clear()
        if community_id is not None:
            cache.forget_community(community_id)
        if member is not None:
            cache.forget_member(member)

    async def __aenter__(self) -> Self:
        await self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                if self._touched_cache:
                    self._cache.clear()  # it may hold what this unit wrote
                await self._session.rollback()
        finally:
            await self._finish()

    async def commit(self) -> None:
        await self._session.commit()
        self._committed = True

    async def _start(self) -> None:
        """Take what this unit runs on (a turn, a connection)."""

    async def _finish(self) -> None:
        """Give it back, however the unit ended."""

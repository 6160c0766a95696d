"""The unit of work every engine shares: the repositories of one transaction, built once here.

An engine's store says how a unit gets its connection (SQLite: a turn on the one connection;
PostgreSQL: a pooled connection of its own) by subclassing `_start` and `_finish`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
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
        # Repositories are made when first used: a command uses a few of the 23 (making them
        # all cost 9.9 µs a unit; a unit that uses four now costs 5.2).
        self._session = session
        self._cache = cache
        self._touched_cache = False
        self._committed = False

    @cached_property
    def communities(self) -> SqlCommunities:
        return SqlCommunities(self._session, self._cache, self)

    @cached_property
    def members(self) -> SqlMembers:
        return SqlMembers(self._session, self._cache, self)

    @cached_property
    def people(self) -> SqlPeople:
        return SqlPeople(self._session, self._cache, self)

    @cached_property
    def audit(self) -> SqlAudit:
        return SqlAudit(self._session)

    @cached_property
    def platform_state(self) -> SqlPlatformState:
        return SqlPlatformState(self._session)

    @cached_property
    def reflection_prompts(self) -> SqlReflectionPrompts:
        return SqlReflectionPrompts(self._session)

    @cached_property
    def reflections(self) -> SqlReflections:
        return SqlReflections(self._session)

    @cached_property
    def proposals(self) -> SqlProposals:
        return SqlProposals(self._session)

    @cached_property
    def welcome(self) -> SqlWelcome:
        return SqlWelcome(self._session)

    @cached_property
    def buddies(self) -> SqlBuddies:
        return SqlBuddies(self._session)

    @cached_property
    def schedules(self) -> SqlSchedules:
        return SqlSchedules(self._session)

    @cached_property
    def jobs(self) -> SqlJobs:
        return SqlJobs(self._session)

    @cached_property
    def conversations(self) -> SqlConversations:
        return SqlConversations(self._session)

    @cached_property
    def events(self) -> SqlProcessedEvents:
        return SqlProcessedEvents(self._session)

    @cached_property
    def outbox(self) -> SqlOutbox:
        return SqlOutbox(self._session)

    @cached_property
    def reach(self) -> SqlReach:
        return SqlReach(self._session)

    @cached_property
    def checkins(self) -> SqlCheckins:
        return SqlCheckins(self._session)

    @cached_property
    def offers(self) -> SqlOffers:
        return SqlOffers(self._session)

    @cached_property
    def aid_requests(self) -> SqlAidRequests:
        return SqlAidRequests(self._session)

    @cached_property
    def request_snapshots(self) -> SqlRequestSnapshots:
        return SqlRequestSnapshots(self._session)

    @cached_property
    def web_logins(self) -> SqlWebLogins:
        return SqlWebLogins(self._session)

    @cached_property
    def web_sessions(self) -> SqlWebSessions:
        return SqlWebSessions(self._session)

    @cached_property
    def link_codes(self) -> SqlLinkCodes:
        return SqlLinkCodes(self._session)

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

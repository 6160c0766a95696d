"""The ports the services depend on; storage/ provides an in-memory and an SQLite implementation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from bot.domain import AuditEntry, Community, CommunityLink, Conversation, Job, Member, Schedule

if TYPE_CHECKING:
    from bot.ports_needs import AidRequestRepository, CheckinRepository, OfferRepository


class PersonalData(Protocol):
    """A repository that holds something about a person implements this for /mydata, /forgetme."""

    section: str

    async def export_member(self, member_id: int) -> list[dict[str, Any]]: ...

    async def erase_member(self, member_id: int) -> int: ...


class CommunityRepository(Protocol):
    async def find_link(self, platform: str, community_ref: str) -> CommunityLink | None: ...

    async def add(self, *, name: str, timezone: str, language: str, now: datetime) -> Community: ...

    async def add_link(self, link: CommunityLink) -> None: ...

    async def get(self, community_id: int) -> Community: ...

    async def save(self, community: Community) -> None: ...

    async def links(self, community_id: int) -> list[CommunityLink]: ...

    async def save_link(self, link: CommunityLink) -> None: ...


class MemberRepository(PersonalData, Protocol):
    async def find(self, community_id: int, platform: str, user_ref: str) -> Member | None: ...

    async def add(
        self,
        *,
        community_id: int,
        platform: str,
        user_ref: str,
        display_name: str,
        language: str | None,
        now: datetime,
    ) -> Member: ...

    async def get(self, member_id: int) -> Member: ...

    async def save(self, member: Member) -> None: ...

    async def active(self, community_id: int) -> list[Member]: ...

    async def granted(self, community_id: int) -> list[Member]: ...

    async def find_by_name(self, community_id: int, name: str) -> list[Member]: ...


class AuditRepository(PersonalData, Protocol):
    async def add(
        self,
        *,
        community_id: int,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        action: str,
        subject: str = "",
        reason: str = "",
        subject_id: int | None = None,
    ) -> AuditEntry: ...

    async def latest(self, community_id: int, limit: int) -> list[AuditEntry]: ...


class ScheduleRepository(Protocol):
    async def put(self, schedule: Schedule) -> None: ...

    async def get(self, community_id: int, kind: str) -> Schedule | None: ...

    async def remove(self, community_id: int, kind: str) -> bool: ...

    async def for_community(self, community_id: int) -> list[Schedule]: ...

    async def due(self, now: datetime, limit: int) -> list[Schedule]: ...

    async def earliest(self) -> datetime | None: ...


class JobRepository(PersonalData, Protocol):
    async def add(
        self,
        *,
        community_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        member_id: int | None = None,
    ) -> Job: ...

    async def due(self, now: datetime, limit: int) -> list[Job]: ...

    async def remove(self, job_id: int) -> bool: ...

    async def earliest(self) -> datetime | None: ...

    async def pending(self, community_id: int, kind: str | None = None) -> list[Job]: ...


class ConversationRepository(PersonalData, Protocol):
    async def get(self, member_id: int) -> Conversation | None: ...

    async def put(self, conversation: Conversation) -> None: ...

    async def clear(self, member_id: int) -> None: ...


class ProcessedEventRepository(Protocol):
    async def claim(self, platform: str, event_ref: str, now: datetime) -> bool:
        """Record an incoming update; False when it was seen before (a re-delivery)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: the writes of a command commit together, before its reply is sent."""

    @property
    def communities(self) -> CommunityRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def events(self) -> ProcessedEventRepository: ...

    @property
    def checkins(self) -> CheckinRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def aid_requests(self) -> AidRequestRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    def personal_data(self) -> Sequence[PersonalData]:
        """Every repository that holds personal data, for /mydata and /forgetme."""
        ...


class Store(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...

    async def close(self) -> None: ...

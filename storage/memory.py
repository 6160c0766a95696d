"""An in-memory store with the same contract as SQLite: fast fakes for tests of the core.

A unit of work snapshots the state on entry and puts it back unless committed, so a refused or
failed command leaves nothing behind, exactly as a rolled-back SQLite transaction would.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from bot import stored_phrases
from bot.domain import AuditEntry, Community, CommunityLink, Conversation, Job, Member, Schedule
from bot.ports import PersonalData
from bot.proposal_lifecycle import Proposal
from storage.audit_export import audit_row
from storage.memory_needs import (
    MemoryAidRequests,
    MemoryCheckins,
    MemoryOffers,
    MemoryRequestSnapshots,
    NeedsMemoryState,
)
from storage.memory_outbox import MemoryOutbox, OutboxState
from storage.memory_people import MemoryPeople, PeopleState
from storage.memory_platform_state import MemoryPlatformState
from storage.memory_proposals import MemoryProposals
from storage.memory_reach import MemoryReach
from storage.memory_reflections import MemoryReflectionPrompts, MemoryReflections, ReflectionTables
from storage.memory_welcome import MemoryBuddies, MemoryWelcome, WelcomeState


@dataclass
class MemoryState:
    next_id: dict[str, int] = field(default_factory=dict)
    communities: dict[int, Community] = field(default_factory=dict)
    links: dict[tuple[str, str], CommunityLink] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    identity: PeopleState = field(default_factory=PeopleState)
    audit: dict[int, AuditEntry] = field(default_factory=dict)
    schedules: dict[tuple[int, str], Schedule] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    processed: set[tuple[str, str]] = field(default_factory=set)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    reflections: ReflectionTables = field(default_factory=ReflectionTables)
    welcome: WelcomeState = field(default_factory=WelcomeState)
    platform_state: dict[tuple[str, str], str] = field(default_factory=dict)
    reach_notices: dict[tuple[int, str, str], datetime] = field(default_factory=dict)
    private_chats: dict[int, datetime] = field(default_factory=dict)  # member -> written at
    needs: NeedsMemoryState = field(default_factory=NeedsMemoryState)
    outbox: OutboxState = field(default_factory=OutboxState)

    def new_id(self, table: str) -> int:
        self.next_id[table] = self.next_id.get(table, 0) + 1
        return self.next_id[table]

    def paused(self, community_id: int) -> bool:
        found = self.communities.get(community_id)
        return found is not None and found.paused_since is not None

    def paused_place(self, platform: str, community_ref: str) -> bool:
        link = self.links.get((platform, community_ref))
        return link is not None and self.paused(link.community_id)


class _Repo:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def s(self) -> MemoryState:
        return self._store.state


class MemoryCommunities(_Repo):
    async def find_link(self, platform: str, community_ref: str) -> CommunityLink | None:
        found = self.s.links.get((platform, community_ref))
        return copy.deepcopy(found)

    async def add(self, *, name: str, timezone: str, language: str, now: datetime) -> Community:
        community = Community(self.s.new_id("communities"), name, timezone, language, now, {})
        self.s.communities[community.id] = community
        return copy.deepcopy(community)

    async def add_link(self, link: CommunityLink) -> None:
        key = (link.platform, link.community_ref)
        if key in self.s.links:
            raise ValueError("link exists")
        self.s.links[key] = copy.deepcopy(link)

    async def get(self, community_id: int) -> Community:
        return copy.deepcopy(self.s.communities[community_id])

    async def save(self, community: Community) -> None:
        self.s.communities[community.id] = copy.deepcopy(community)

    async def links(self, community_id: int) -> list[CommunityLink]:
        found = [link for link in self.s.links.values() if link.community_id == community_id]
        found.sort(key=lambda link: (link.platform, link.community_ref))
        return copy.deepcopy(found)

    async def save_link(self, link: CommunityLink) -> None:
        self.s.links[(link.platform, link.community_ref)] = copy.deepcopy(link)

    async def links_on(self, platform: str) -> list[CommunityLink]:
        found = [link for key, link in sorted(self.s.links.items()) if key[0] == platform]
        return copy.deepcopy(found)

    async def move_link(self, platform: str, old_ref: str, new_ref: str) -> None:
        link = self.s.links.pop((platform, old_ref), None)
        if link is None:
            return
        link.community_ref = new_ref
        if link.main_channel == old_ref:
            link.main_channel = new_ref
        link.channels = {
            role: new_ref if ref == old_ref else ref for role, ref in link.channels.items()
        }
        self.s.links[(platform, new_ref)] = link

    async def absorb(self, keep_id: int, drop_id: int) -> None:
        kept = {
            (m.platform, m.user_ref) for m in self.s.members.values() if m.community_id == keep_id
        }
        for member in self.s.members.values():
            if member.community_id == drop_id and (member.platform, member.user_ref) not in kept:
                member.community_id = keep_id
        dropped = {m.id for m in self.s.members.values() if m.community_id == drop_id}
        self.s.members = {i: m for i, m in self.s.members.items() if i not in dropped}
        self.s.conversations = {i: c for i, c in self.s.conversations.items() if i not in dropped}
        self.s.private_chats = {i: t for i, t in self.s.private_chats.items() if i not in dropped}
        self.s.reach_notices = {k: t for k, t in self.s.reach_notices.items() if k[0] != drop_id}
        self.s.links = {k: v for k, v in self.s.links.items() if v.community_id != drop_id}
        self.s.schedules = {k: v for k, v in self.s.schedules.items() if k[0] != drop_id}
        self.s.jobs = {k: v for k, v in self.s.jobs.items() if v.community_id != drop_id}
        self.s.audit = {k: v for k, v in self.s.audit.items() if v.community_id != drop_id}
        self.s.communities.pop(drop_id, None)


class MemoryMembers(_Repo):
    section = "mydata_section_membership"

    async def find(self, community_id: int, platform: str, user_ref: str) -> Member | None:
        for member in self.s.members.values():
            if (member.community_id, member.platform, member.user_ref) == (
                community_id,
                platform,
                user_ref,
            ):
                return copy.deepcopy(member)
        return None

    async def add(
        self,
        *,
        community_id: int,
        platform: str,
        user_ref: str,
        display_name: str,
        language: str | None,
        now: datetime,
    ) -> Member:
        if await self.find(community_id, platform, user_ref):
            raise ValueError("member exists")
        person = await MemoryPeople(self._store).find_or_create_for_account(platform, user_ref, now)
        member = Member(
            self.s.new_id("members"), community_id, platform, user_ref, display_name, now, language
        )
        member.person_id = person.id
        self.s.members[member.id] = member
        return copy.deepcopy(member)

    async def get(self, member_id: int) -> Member:
        return copy.deepcopy(self.s.members[member_id])

    async def save(self, member: Member) -> None:
        self.s.members[member.id] = copy.deepcopy(member)

    async def active(self, community_id: int) -> list[Member]:
        found = [m for m in self.s.members.values() if m.community_id == community_id and m.active]
        return copy.deepcopy(sorted(found, key=lambda m: m.id))

    async def granted(self, community_id: int) -> list[Member]:
        found = [
            m
            for m in self.s.members.values()
            if m.community_id == community_id and m.granted_role is not None
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.display_name))

    async def granted_on(self, platform: str) -> list[Member]:
        found = [
            m
            for m in self.s.members.values()
            if m.platform == platform and m.granted_role is not None and m.active
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.id))

    async def find_by_name(self, community_id: int, name: str) -> list[Member]:
        found = [
            m
            for m in self.s.members.values()
            if m.community_id == community_id
            and m.active
            and (m.display_name.lower() == name.lower() or m.user_ref == name)
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.id))

    async def memberships(self, platform: str, user_ref: str) -> list[Member]:
        found = [
            m
            for m in self.s.members.values()
            if m.platform == platform and m.user_ref == user_ref and m.active
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.id))

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        member = self.s.members.get(member_id)
        if member is None:
            return []
        return [
            {
                "name": member.display_name,
                "platform": member.platform,
                "language": member.language or "",
                "joined": member.joined_at,
                "granted_role": member.granted_role.label if member.granted_role else "",
            }
        ]

    async def erase_member(self, member_id: int) -> int:
        self.s.private_chats.pop(member_id, None)  # SQLite's cascade does the same
        return 1 if self.s.members.pop(member_id, None) else 0


class MemoryAudit(_Repo):
    section = "mydata_section_audit"

    async def add(
        self,
        *,
        community_id: int,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        key: str,
        params: Mapping[str, Any],
        subject: str = "",
        subject_id: int | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            self.s.new_id("audit"),
            community_id,
            at,
            actor_id,
            actor_name,
            key,
            stored_phrases.load(stored_phrases.dump(params)),  # what SQLite would read back
            subject,
            subject_id,
        )
        self.s.audit[entry.id] = entry
        return entry

    async def latest(self, community_id: int, limit: int) -> list[AuditEntry]:
        found = [e for e in self.s.audit.values() if e.community_id == community_id]
        return sorted(found, key=lambda e: e.id, reverse=True)[:limit]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [
            audit_row(e)
            for e in sorted(self.s.audit.values(), key=lambda e: e.id)
            if member_id in (e.actor_id, e.subject_id)
        ]

    async def erase_member(self, member_id: int) -> int:
        count = 0
        for entry in list(self.s.audit.values()):
            if entry.actor_id == member_id:
                entry = replace(entry, actor_id=None, actor_name="")
                count += 1
            if entry.subject_id == member_id:
                entry = replace(entry, subject_id=None, subject="")
                count += 1
            self.s.audit[entry.id] = entry
        return count


class MemorySchedules(_Repo):
    async def put(self, schedule: Schedule) -> None:
        self.s.schedules[(schedule.community_id, schedule.kind)] = copy.deepcopy(schedule)

    async def get(self, community_id: int, kind: str) -> Schedule | None:
        return copy.deepcopy(self.s.schedules.get((community_id, kind)))

    async def remove(self, community_id: int, kind: str) -> bool:
        return self.s.schedules.pop((community_id, kind), None) is not None

    async def for_community(self, community_id: int) -> list[Schedule]:
        found = [s for s in self.s.schedules.values() if s.community_id == community_id]
        return copy.deepcopy(sorted(found, key=lambda s: s.kind))

    def _running(self) -> list[Schedule]:
        return [s for s in self.s.schedules.values() if not self.s.paused(s.community_id)]

    async def due(self, now: datetime, limit: int) -> list[Schedule]:
        found = [s for s in self._running() if s.next_run <= now]
        found.sort(key=lambda s: (s.next_run, s.community_id, s.kind))
        return copy.deepcopy(found[:limit])

    async def earliest(self) -> datetime | None:
        return min((s.next_run for s in self._running()), default=None)


class MemoryJobs(_Repo):
    section = "mydata_section_jobs"

    async def add(
        self,
        *,
        community_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        member_id: int | None = None,
    ) -> Job:
        job = Job(self.s.new_id("jobs"), community_id, kind, due_at, dict(payload or {}), member_id)
        self.s.jobs[job.id] = job
        return copy.deepcopy(job)

    def _running(self) -> list[Job]:
        return [j for j in self.s.jobs.values() if not self.s.paused(j.community_id)]

    async def due(self, now: datetime, limit: int) -> list[Job]:
        found = sorted(
            (j for j in self._running() if j.due_at <= now), key=lambda j: (j.due_at, j.id)
        )
        return copy.deepcopy(found[:limit])

    async def remove(self, job_id: int) -> bool:
        return self.s.jobs.pop(job_id, None) is not None

    async def earliest(self) -> datetime | None:
        return min((j.due_at for j in self._running()), default=None)

    async def pending(self, community_id: int, kind: str | None = None) -> list[Job]:
        found = [
            j
            for j in self.s.jobs.values()
            if j.community_id == community_id and (kind is None or j.kind == kind)
        ]
        return copy.deepcopy(sorted(found, key=lambda j: (j.due_at, j.id)))

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [
            {"what": j.kind, "due": j.due_at}
            for j in sorted(self.s.jobs.values(), key=lambda j: j.id)
            if j.member_id == member_id
        ]

    async def erase_member(self, member_id: int) -> int:
        doomed = [j.id for j in self.s.jobs.values() if j.member_id == member_id]
        for job_id in doomed:
            del self.s.jobs[job_id]
        return len(doomed)


class MemoryConversations(_Repo):
    section = "mydata_section_conversations"

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        self.written: set[int] = set()

    async def get(self, member_id: int) -> Conversation | None:
        return copy.deepcopy(self.s.conversations.get(member_id))

    async def put(self, conversation: Conversation) -> None:
        self.written.add(conversation.member_id)
        self.s.conversations[conversation.member_id] = copy.deepcopy(conversation)

    async def clear(self, member_id: int) -> None:
        self.written.add(member_id)
        self.s.conversations.pop(member_id, None)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        found = self.s.conversations.get(member_id)
        return [{"flow": found.flow}] if found else []

    async def erase_member(self, member_id: int) -> int:
        return 1 if self.s.conversations.pop(member_id, None) else 0


class MemoryProcessedEvents(_Repo):
    async def claim(self, platform: str, event_ref: str, now: datetime) -> bool:
        key = (platform, event_ref)
        if key in self.s.processed:
            return False
        self.s.processed.add(key)
        return True


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.communities = MemoryCommunities(store)
        self.members = MemoryMembers(store)
        self.people = MemoryPeople(store)
        self.audit = MemoryAudit(store)
        self.schedules = MemorySchedules(store)
        self.jobs = MemoryJobs(store)
        self.conversations = MemoryConversations(store)
        self.events = MemoryProcessedEvents(store)
        self.outbox = MemoryOutbox(store)
        self.proposals = MemoryProposals(store)
        self.reflection_prompts = MemoryReflectionPrompts(store)
        self.reflections = MemoryReflections(store)
        self.welcome = MemoryWelcome(store)
        self.buddies = MemoryBuddies(store)
        self.platform_state = MemoryPlatformState(store)
        self.reach = MemoryReach(store)
        self.checkins, self.offers = MemoryCheckins(store), MemoryOffers(store)
        self.aid_requests = MemoryAidRequests(store)
        self.request_snapshots = MemoryRequestSnapshots(store)
        self._snapshot: MemoryState | None = None
        self._committed = False

    def personal_data(self) -> Sequence[PersonalData]:
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
            self.jobs,
            self.proposals,
            self.audit,
            self.people,  # before members: it asks what memberships the person has left
            self.members,
        ]

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._snapshot = copy.deepcopy(self._store.state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed and self._snapshot is not None:
                self._store.state = self._snapshot
        finally:
            self._store.lock.release()

    async def commit(self) -> None:
        self._committed = True


class MemoryStore:
    def __init__(self) -> None:
        self.state = MemoryState()
        self.lock = asyncio.Lock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    async def close(self) -> None:
        return None

"""In-memory welcome and buddy repositories, with the same contract as the SQLite ones.

Their state lives inside the store's MemoryState, so a rolled-back unit of work undoes it too.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.welcome_records import (
    BuddyRequest,
    Contribution,
    Intro,
    Onboarding,
    Pairing,
    PairingStatus,
    Volunteer,
)
from storage import welcome_export as export

if TYPE_CHECKING:
    from storage.memory import MemoryStore


@dataclass
class _Join:
    id: int
    community_id: int
    member_id: int
    joined_at: datetime
    welcomed_at: datetime | None = None


@dataclass
class WelcomeState:
    next_id: dict[str, int] = field(default_factory=dict)
    joins: dict[int, _Join] = field(default_factory=dict)
    onboardings: dict[int, Onboarding] = field(default_factory=dict)
    contributions: dict[int, Contribution] = field(default_factory=dict)
    intros: dict[int, Intro] = field(default_factory=dict)
    volunteers: dict[int, Volunteer] = field(default_factory=dict)
    pairings: dict[int, Pairing] = field(default_factory=dict)
    requests: dict[int, BuddyRequest] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        self.next_id[table] = self.next_id.get(table, 0) + 1
        return self.next_id[table]


class _Repo:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def w(self) -> WelcomeState:
        return self._store.state.welcome


class MemoryWelcome(_Repo):
    section = export.WELCOME_SECTION

    async def add_join(self, *, community_id: int, member_id: int, at: datetime) -> None:
        join = _Join(self.w.new_id("joins"), community_id, member_id, at)
        self.w.joins[join.id] = join

    async def unwelcomed(self, community_id: int) -> list[int]:
        found = sorted(
            (j for j in self.w.joins.values() if j.community_id == community_id),
            key=lambda j: j.id,
        )
        ids: list[int] = []
        for join in found:
            if join.welcomed_at is None and join.member_id not in ids:
                ids.append(join.member_id)
        return ids

    async def mark_welcomed(
        self, community_id: int, member_ids: Sequence[int], at: datetime
    ) -> None:
        for join in self.w.joins.values():
            if (
                join.community_id == community_id
                and join.member_id in member_ids
                and join.welcomed_at is None
            ):
                join.welcomed_at = at

    async def count_joins(self, community_id: int, since: datetime) -> int:
        return sum(
            1
            for j in self.w.joins.values()
            if j.community_id == community_id and j.joined_at >= since
        )

    async def get_onboarding(self, member_id: int) -> Onboarding | None:
        return copy.deepcopy(self.w.onboardings.get(member_id))

    async def save_onboarding(self, onboarding: Onboarding) -> None:
        self.w.onboardings[onboarding.member_id] = copy.deepcopy(onboarding)

    async def count_completed(self, community_id: int, since: datetime) -> int:
        return sum(
            1
            for o in self.w.onboardings.values()
            if o.community_id == community_id
            and o.completed_at is not None
            and o.completed_at >= since
        )

    async def add_contribution(
        self, *, community_id: int, member_id: int, text: str, source: str, at: datetime
    ) -> Contribution:
        contribution = Contribution(
            self.w.new_id("contributions"), community_id, member_id, text, source, at
        )
        self.w.contributions[contribution.id] = contribution
        return contribution

    async def contributions(
        self, community_id: int, member_id: int | None = None
    ) -> list[Contribution]:
        return sorted(
            (
                c
                for c in self.w.contributions.values()
                if c.community_id == community_id and member_id in (None, c.member_id)
            ),
            key=lambda c: c.id,
        )

    async def remove_contribution(self, contribution_id: int) -> bool:
        return self.w.contributions.pop(contribution_id, None) is not None

    async def get_intro(self, member_id: int) -> Intro | None:
        return copy.deepcopy(self.w.intros.get(member_id))

    async def save_intro(self, intro: Intro) -> None:
        self.w.intros[intro.member_id] = copy.deepcopy(intro)

    async def remove_intro(self, member_id: int) -> bool:
        return self.w.intros.pop(member_id, None) is not None

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = [
            export.join_row(j.joined_at, j.welcomed_at)
            for j in sorted(self.w.joins.values(), key=lambda j: j.id)
            if j.member_id == member_id
        ]
        onboarding = self.w.onboardings.get(member_id)
        if onboarding is not None:
            rows.append(export.onboarding_row(onboarding))
        rows.extend(
            export.contribution_row(c)
            for c in sorted(self.w.contributions.values(), key=lambda c: c.id)
            if c.member_id == member_id
        )
        intro = self.w.intros.get(member_id)
        if intro is not None:
            rows.append(export.intro_row(intro))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = 0
        for table in (self.w.joins, self.w.contributions):
            doomed = [key for key, row in table.items() if row.member_id == member_id]
            for key in doomed:
                del table[key]
            count += len(doomed)
        count += 1 if self.w.onboardings.pop(member_id, None) else 0
        count += 1 if self.w.intros.pop(member_id, None) else 0
        return count


class MemoryBuddies(_Repo):
    section = export.BUDDY_SECTION

    async def get_volunteer(self, member_id: int) -> Volunteer | None:
        return copy.deepcopy(self.w.volunteers.get(member_id))

    async def save_volunteer(self, volunteer: Volunteer) -> None:
        self.w.volunteers[volunteer.member_id] = copy.deepcopy(volunteer)

    async def volunteers(self, community_id: int) -> list[Volunteer]:
        found = [v for v in self.w.volunteers.values() if v.community_id == community_id]
        return copy.deepcopy(
            sorted((v for v in found if v.active), key=lambda v: (v.since, v.member_id))
        )

    async def add_pairing(
        self, *, community_id: int, newcomer_id: int, buddy_id: int, at: datetime
    ) -> Pairing:
        pairing = Pairing(self.w.new_id("pairings"), community_id, newcomer_id, buddy_id, at)
        self.w.pairings[pairing.id] = pairing
        return copy.deepcopy(pairing)

    async def get_pairing(self, pairing_id: int) -> Pairing | None:
        return copy.deepcopy(self.w.pairings.get(pairing_id))

    async def save_pairing(self, pairing: Pairing) -> None:
        self.w.pairings[pairing.id] = copy.deepcopy(pairing)

    def _pairings(self, keep: Any) -> list[Pairing]:
        return copy.deepcopy(sorted(filter(keep, self.w.pairings.values()), key=lambda p: p.id))

    async def pairings_of(self, member_id: int) -> list[Pairing]:
        return self._pairings(lambda p: member_id in (p.newcomer_id, p.buddy_id))

    async def open_pairings(self, community_id: int) -> list[Pairing]:
        return self._pairings(
            lambda p: p.community_id == community_id and p.status is PairingStatus.OPEN
        )

    async def pairings_since(self, community_id: int, since: datetime) -> list[Pairing]:
        return self._pairings(lambda p: p.community_id == community_id and p.created_at >= since)

    async def get_request(self, member_id: int) -> BuddyRequest | None:
        return self.w.requests.get(member_id)

    async def add_request(self, request: BuddyRequest) -> None:
        self.w.requests[request.member_id] = request

    async def remove_request(self, member_id: int) -> bool:
        return self.w.requests.pop(member_id, None) is not None

    async def waiting(self, community_id: int) -> list[BuddyRequest]:
        paired = {p.newcomer_id for p in self.w.pairings.values() if p.status is PairingStatus.OPEN}
        return sorted(
            (
                r
                for r in self.w.requests.values()
                if r.community_id == community_id and r.member_id not in paired
            ),
            key=lambda r: (r.requested_at, r.member_id),
        )

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        volunteer = self.w.volunteers.get(member_id)
        if volunteer is not None:
            rows.append(export.volunteer_row(volunteer))
        request = self.w.requests.get(member_id)
        if request is not None:
            rows.append(export.request_row(request))
        rows.extend(export.pairing_row(p, member_id) for p in await self.pairings_of(member_id))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = 1 if self.w.volunteers.pop(member_id, None) else 0
        count += 1 if self.w.requests.pop(member_id, None) else 0
        doomed = [p.id for p in await self.pairings_of(member_id)]
        for pairing_id in doomed:
            del self.w.pairings[pairing_id]
        return count + len(doomed)

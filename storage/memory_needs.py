"""In-memory check-in and mutual-aid repositories: the same contract as storage/sqlite_needs.py.

Their state lives inside MemoryState, so a unit of work's snapshot and rollback cover it too.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain_needs import (
    AidRequest,
    CheckinAnswer,
    CheckinRound,
    Invitation,
    Need,
    Offer,
    Outcome,
    Pause,
    RequestSnapshot,
    RequestState,
)
from storage.needs_export import (
    export_answer,
    export_invitation,
    export_offer,
    export_pause,
    export_request,
)

if TYPE_CHECKING:
    from storage.memory import MemoryState, MemoryStore


@dataclass
class NeedsMemoryState:
    rounds: dict[int, CheckinRound] = field(default_factory=dict)
    invitations: dict[tuple[int, int], Invitation] = field(default_factory=dict)
    answers: dict[tuple[int, int], CheckinAnswer] = field(default_factory=dict)
    pauses: dict[int, Pause] = field(default_factory=dict)
    offers: dict[int, Offer] = field(default_factory=dict)
    requests: dict[int, AidRequest] = field(default_factory=dict)
    attempts: dict[tuple[int, int], tuple[Outcome, datetime]] = field(default_factory=dict)
    snapshots: dict[tuple[int, date], RequestSnapshot] = field(default_factory=dict)


class _NeedsRepo:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def state(self) -> MemoryState:
        return self._store.state

    @property
    def n(self) -> NeedsMemoryState:
        return self._store.state.needs


class MemoryCheckins(_NeedsRepo):
    section = "mydata_section_checkins"

    async def add_round(
        self,
        *,
        community_id: int,
        opened_at: datetime,
        closes_at: datetime,
        started_by: str,
        needs: Sequence[Need],
        owner_id: int | None = None,
    ) -> CheckinRound:
        found = CheckinRound(
            self.state.new_id("checkin_rounds"),
            community_id,
            opened_at,
            closes_at,
            started_by,
            list(needs),
            owner_id,
        )
        self.n.rounds[found.id] = found
        return copy.deepcopy(found)

    async def get_round(self, round_id: int) -> CheckinRound | None:
        return copy.deepcopy(self.n.rounds.get(round_id))

    async def save_round(self, checkin_round: CheckinRound) -> None:
        self.n.rounds[checkin_round.id] = copy.deepcopy(checkin_round)

    async def open_rounds(self, community_id: int) -> list[CheckinRound]:
        found = [
            r
            for r in self.n.rounds.values()
            if r.community_id == community_id and r.is_open and not r.is_personal
        ]
        return copy.deepcopy(sorted(found, key=lambda r: r.id))

    async def open_personal(self, community_id: int, member_id: int) -> CheckinRound | None:
        for found in self.n.rounds.values():
            mine = found.community_id == community_id and found.owner_id == member_id
            if mine and found.is_open:
                return copy.deepcopy(found)
        return None

    async def closed_rounds(self, community_id: int, opened_since: datetime) -> list[CheckinRound]:
        found = [
            r
            for r in self.n.rounds.values()
            if r.community_id == community_id
            and not r.is_open
            and not r.is_personal
            and r.opened_at >= opened_since
        ]
        return copy.deepcopy(sorted(found, key=lambda r: (r.opened_at, r.id), reverse=True))

    async def invite(self, round_id: int, member_id: int, at: datetime) -> Invitation:
        key = (round_id, member_id)
        if key not in self.n.invitations:
            self.n.invitations[key] = Invitation(round_id, member_id, at)
        return copy.deepcopy(self.n.invitations[key])

    async def invitation(self, round_id: int, member_id: int) -> Invitation | None:
        return copy.deepcopy(self.n.invitations.get((round_id, member_id)))

    async def invitations(self, round_id: int) -> list[Invitation]:
        found = [i for i in self.n.invitations.values() if i.round_id == round_id]
        return copy.deepcopy(sorted(found, key=lambda i: i.member_id))

    async def save_invitation(self, invitation: Invitation) -> None:
        self.n.invitations[(invitation.round_id, invitation.member_id)] = copy.deepcopy(invitation)

    async def answer(self, round_id: int, member_id: int) -> CheckinAnswer | None:
        return copy.deepcopy(self.n.answers.get((round_id, member_id)))

    async def answers(self, round_id: int) -> list[CheckinAnswer]:
        found = [a for a in self.n.answers.values() if a.round_id == round_id]
        return copy.deepcopy(sorted(found, key=lambda a: a.member_id))

    async def save_answer(self, answer: CheckinAnswer) -> None:
        self.n.answers[(answer.round_id, answer.member_id)] = copy.deepcopy(answer)

    async def pause(self, member_id: int) -> Pause | None:
        return self.n.pauses.get(member_id)

    async def set_pause(self, pause: Pause) -> None:
        self.n.pauses[pause.member_id] = pause

    async def clear_pause(self, member_id: int) -> bool:
        return self.n.pauses.pop(member_id, None) is not None

    async def purge_closed_by(self, community_id: int, cutoff: datetime) -> int:
        doomed = {
            r.id
            for r in self.n.rounds.values()
            if r.community_id == community_id and r.closed_at is not None and r.closed_at <= cutoff
        }
        return self._delete_round_rows(doomed, drop_personal_rounds=True)

    async def earliest_retained(self, community_id: int) -> datetime | None:
        holding = {key[0] for key in self.n.invitations} | {key[0] for key in self.n.answers}
        times = [
            r.closed_at
            for r in self.n.rounds.values()
            if r.community_id == community_id
            and r.closed_at is not None
            and (r.id in holding or r.is_personal)
        ]
        return min(times, default=None)

    def _delete_round_rows(self, round_ids: set[int], *, drop_personal_rounds: bool) -> int:
        count = 0
        for table in (self.n.invitations, self.n.answers):
            for key in [k for k in table if k[0] in round_ids]:
                del table[key]
                count += 1
        if drop_personal_rounds:
            for round_id in round_ids:
                if self.n.rounds[round_id].is_personal:
                    del self.n.rounds[round_id]
                    count += 1
        return count

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pause = self.n.pauses.get(member_id)
        if pause is not None:
            rows.append(export_pause(pause))
        for key in sorted(k for k in self.n.invitations if k[1] == member_id):
            invitation = self.n.invitations[key]
            if key not in self.n.answers:
                rows.append(export_invitation(self.n.rounds[key[0]], invitation))
        for key in sorted(k for k in self.n.answers if k[1] == member_id):
            rows.append(export_answer(self.n.rounds[key[0]], self.n.answers[key]))
        return rows

    async def erase_member(self, member_id: int) -> int:
        count = 0
        own = {r.id for r in self.n.rounds.values() if r.owner_id == member_id}
        count += self._delete_round_rows(own, drop_personal_rounds=True)
        for table in (self.n.invitations, self.n.answers):
            for key in [k for k in table if k[1] == member_id]:
                del table[key]
                count += 1
        if self.n.pauses.pop(member_id, None) is not None:
            count += 1
        return count


class MemoryOffers(_NeedsRepo):
    section = "mydata_section_offers"

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        what: str,
        now: datetime,
        public: bool = False,
    ) -> Offer:
        offer = Offer(
            self.state.new_id("aid_offers"), community_id, member_id, category, what, now, public
        )
        self.n.offers[offer.id] = offer
        return copy.deepcopy(offer)

    async def get(self, offer_id: int) -> Offer | None:
        return copy.deepcopy(self.n.offers.get(offer_id))

    async def save(self, offer: Offer) -> None:
        self.n.offers[offer.id] = copy.deepcopy(offer)

    async def remove(self, offer_id: int) -> bool:
        if self.n.offers.pop(offer_id, None) is None:
            return False
        # As the SQLite foreign keys do: attempts go, requests stop pointing at it.
        for key in [k for k in self.n.attempts if k[1] == offer_id]:
            del self.n.attempts[key]
        for request in self.n.requests.values():
            if request.current_offer_id == offer_id:
                request.current_offer_id = None
        return True

    async def of_member(self, member_id: int) -> list[Offer]:
        found = [o for o in self.n.offers.values() if o.member_id == member_id]
        return copy.deepcopy(sorted(found, key=lambda o: o.id))

    async def in_category(self, community_id: int, category: str) -> list[Offer]:
        found = [
            o
            for o in self.n.offers.values()
            if o.community_id == community_id and o.category == category
        ]
        return copy.deepcopy(sorted(found, key=lambda o: o.id))

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_offer(o) for o in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        doomed = [o.id for o in self.n.offers.values() if o.member_id == member_id]
        for offer_id in doomed:
            await self.remove(offer_id)
        return len(doomed)


class MemoryAidRequests(_NeedsRepo):
    section = "mydata_section_aid_requests"

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        details: str,
        now: datetime,
        expires_at: datetime,
    ) -> AidRequest:
        request = AidRequest(
            self.state.new_id("aid_requests"),
            community_id,
            member_id,
            category,
            details,
            now,
            expires_at,
        )
        self.n.requests[request.id] = request
        return copy.deepcopy(request)

    async def get(self, request_id: int) -> AidRequest | None:
        return copy.deepcopy(self.n.requests.get(request_id))

    async def save(self, request: AidRequest) -> None:
        self.n.requests[request.id] = copy.deepcopy(request)

    async def remove(self, request_id: int) -> bool:
        if self.n.requests.pop(request_id, None) is None:
            return False
        for key in [k for k in self.n.attempts if k[0] == request_id]:
            del self.n.attempts[key]
        return True

    async def of_member(self, member_id: int) -> list[AidRequest]:
        found = [r for r in self.n.requests.values() if r.member_id == member_id]
        return copy.deepcopy(sorted(found, key=lambda r: r.id))

    async def open_in(self, community_id: int) -> list[AidRequest]:
        found = [r for r in self.n.requests.values() if r.community_id == community_id]
        return copy.deepcopy(sorted(found, key=lambda r: r.id))

    async def asking(self, offer_id: int) -> list[AidRequest]:
        found = [
            r
            for r in self.n.requests.values()
            if r.current_offer_id == offer_id and r.state is RequestState.ASKING_OFFERER
        ]
        return copy.deepcopy(sorted(found, key=lambda r: r.id))

    async def attempts(self, request_id: int) -> dict[int, Outcome]:
        return {k[1]: v[0] for k, v in self.n.attempts.items() if k[0] == request_id}

    async def record_attempt(
        self, request_id: int, offer_id: int, outcome: Outcome, at: datetime
    ) -> None:
        self.n.attempts[(request_id, offer_id)] = (outcome, at)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [export_request(r) for r in await self.of_member(member_id)]

    async def erase_member(self, member_id: int) -> int:
        doomed = [r.id for r in self.n.requests.values() if r.member_id == member_id]
        for request_id in doomed:
            await self.remove(request_id)
        return len(doomed)


class MemoryRequestSnapshots(_NeedsRepo):
    async def add(self, snapshot: RequestSnapshot) -> bool:
        key = (snapshot.community_id, snapshot.day)
        if key in self.n.snapshots:
            return False
        self.n.snapshots[key] = snapshot
        return True

    async def latest(self, community_id: int) -> RequestSnapshot | None:
        days = [day for found, day in self.n.snapshots if found == community_id]
        return self.n.snapshots[(community_id, max(days))] if days else None

    async def purge_before(self, community_id: int, day: date) -> int:
        doomed = [k for k in self.n.snapshots if k[0] == community_id and k[1] < day]
        for key in doomed:
            del self.n.snapshots[key]
        return len(doomed)

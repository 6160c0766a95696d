"""Ports of the needs check-ins and mutual aid; the UnitOfWork in bot.ports exposes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.ports import PersonalData
from bot.services.needs.records import (
    AidRequest,
    CheckinAnswer,
    CheckinRound,
    Invitation,
    Need,
    Offer,
    Outcome,
    Pause,
    RequestSnapshot,
)


class CheckinRepository(PersonalData, Protocol):
    """Rounds, invitations, answers and pauses of the needs check-ins."""

    async def add_round(
        self,
        *,
        community_id: int,
        opened_at: datetime,
        closes_at: datetime,
        started_by: str,
        needs: Sequence[Need],
        owner_id: int | None = None,
    ) -> CheckinRound: ...

    async def get_round(self, round_id: int) -> CheckinRound | None: ...

    async def save_round(self, checkin_round: CheckinRound) -> None:
        """Store what changes after opening: closing, the frozen counts, the channel note."""
        ...

    async def open_rounds(self, community_id: int) -> list[CheckinRound]:
        """The community's open rounds (not members' own check-ins), oldest first."""
        ...

    async def open_personal(self, community_id: int, member_id: int) -> CheckinRound | None: ...

    async def closed_rounds(self, community_id: int, opened_since: datetime) -> list[CheckinRound]:
        """Closed community rounds opened since then, newest first."""
        ...

    async def invite(self, round_id: int, member_id: int, at: datetime) -> Invitation:
        """Invite a member (or return the existing invitation)."""
        ...

    async def invitation(self, round_id: int, member_id: int) -> Invitation | None: ...

    async def invitations(self, round_id: int) -> list[Invitation]: ...

    async def save_invitation(self, invitation: Invitation) -> None: ...

    async def answer(self, round_id: int, member_id: int) -> CheckinAnswer | None: ...

    async def answers(self, round_id: int) -> list[CheckinAnswer]: ...

    async def save_answer(self, answer: CheckinAnswer) -> None:
        """Insert or replace a member's answers in a round."""
        ...

    async def pause(self, member_id: int) -> Pause | None: ...

    async def set_pause(self, pause: Pause) -> None: ...

    async def clear_pause(self, member_id: int) -> bool: ...

    async def purge_closed_by(self, community_id: int, cutoff: datetime) -> int:
        """Delete per-member rows of rounds closed at or before `cutoff`; aggregates stay."""
        ...

    async def earliest_retained(self, community_id: int) -> datetime | None:
        """When the oldest closed round that still holds per-member rows closed."""
        ...


class OfferRepository(PersonalData, Protocol):
    """Members' offers of help. Other features (e.g. the welcome) record offers through `add`."""

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        what: str,
        now: datetime,
        public: bool = False,
    ) -> Offer: ...

    async def get(self, offer_id: int) -> Offer | None: ...

    async def save(self, offer: Offer) -> None: ...

    async def remove(self, offer_id: int) -> bool: ...

    async def of_member(self, member_id: int) -> list[Offer]: ...

    async def in_category(self, community_id: int, category: str) -> list[Offer]: ...

    async def public_in(self, community_id: int) -> list[Offer]:
        """The offers their members chose to share publicly, in the order they were made;
        private ones are never read."""
        ...


class AidRequestRepository(PersonalData, Protocol):
    """Open requests for a hand and which offers were already put to each."""

    async def add(
        self,
        *,
        community_id: int,
        member_id: int,
        category: str,
        details: str,
        now: datetime,
        expires_at: datetime,
    ) -> AidRequest: ...

    async def get(self, request_id: int) -> AidRequest | None: ...

    async def save(self, request: AidRequest) -> None: ...

    async def remove(self, request_id: int) -> bool: ...

    async def of_member(self, member_id: int) -> list[AidRequest]: ...

    async def open_in(self, community_id: int) -> list[AidRequest]: ...

    async def asking(self, offer_id: int) -> list[AidRequest]:
        """Requests currently waiting on this offer's member to answer."""
        ...

    async def attempts(self, request_id: int) -> dict[int, Outcome]: ...

    async def record_attempt(
        self, request_id: int, offer_id: int, outcome: Outcome, at: datetime
    ) -> None: ...


class RequestSnapshotRepository(Protocol):
    """The daily counts of open requests (aggregates only: nothing here names anyone)."""

    async def add(self, snapshot: RequestSnapshot) -> bool:
        """Keep the day's snapshot unless that day has one already: a day's figures never move."""
        ...

    async def latest(self, community_id: int) -> RequestSnapshot | None: ...

    async def purge_before(self, community_id: int, day: date) -> int:
        """Forget snapshots older than `day`; only the latest is ever shown."""
        ...

"""The welcome's repository ports; storage/welcome.py is their SQL implementation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.ports import PersonalData
from bot.services.welcome.records import (
    BuddyRequest,
    Contribution,
    Intro,
    Newcomer,
    Onboarding,
    Pairing,
    Volunteer,
)


class WelcomeRepository(PersonalData, Protocol):
    """Joins and their public welcome, onboarding answers, contributions and intros."""

    async def add_join(self, *, community_id: int, member_id: int, at: datetime) -> None: ...

    async def unwelcomed(self, community_id: int) -> list[int]:
        """Members whose join has not been welcomed publicly yet, in join order."""
        ...

    async def mark_welcomed(
        self, community_id: int, member_ids: Sequence[int], at: datetime
    ) -> None: ...

    async def count_joins(self, community_id: int, since: datetime) -> int: ...

    async def mark_followup_answered(self, member_id: int, at: datetime) -> None:
        """Record that the member answered a follow-up of their latest join (first time only)."""
        ...

    async def newcomers(self, community_id: int, since: datetime) -> list[Newcomer]:
        """Each member who joined since then, once, with how far their welcome went."""
        ...

    async def get_onboarding(self, member_id: int) -> Onboarding | None: ...

    async def save_onboarding(self, onboarding: Onboarding) -> None: ...

    async def count_completed(self, community_id: int, since: datetime) -> int: ...

    async def add_contribution(
        self, *, community_id: int, member_id: int, text: str, source: str, at: datetime
    ) -> Contribution: ...

    async def contributions(
        self, community_id: int, member_id: int | None = None
    ) -> list[Contribution]: ...

    async def remove_contribution(self, contribution_id: int) -> bool:
        """Forget one contribution (it became an offer); False when it was not there."""
        ...

    async def get_intro(self, member_id: int) -> Intro | None: ...

    async def save_intro(self, intro: Intro) -> None: ...

    async def remove_intro(self, member_id: int) -> bool: ...


class BuddyRepository(PersonalData, Protocol):
    """Buddy volunteers, newcomers who asked for a buddy, and the pairings between them."""

    async def get_volunteer(self, member_id: int) -> Volunteer | None: ...

    async def save_volunteer(self, volunteer: Volunteer) -> None: ...

    async def volunteers(self, community_id: int) -> list[Volunteer]:
        """Active volunteers, longest-standing first."""
        ...

    async def add_pairing(
        self, *, community_id: int, newcomer_id: int, buddy_id: int, at: datetime
    ) -> Pairing: ...

    async def get_pairing(self, pairing_id: int) -> Pairing | None: ...

    async def save_pairing(self, pairing: Pairing) -> None: ...

    async def pairings_of(self, member_id: int) -> list[Pairing]:
        """Every pairing the member was in, on either side, oldest first."""
        ...

    async def open_pairings(self, community_id: int) -> list[Pairing]: ...

    async def pairings_since(self, community_id: int, since: datetime) -> list[Pairing]: ...

    async def get_request(self, member_id: int) -> BuddyRequest | None: ...

    async def add_request(self, request: BuddyRequest) -> None: ...

    async def remove_request(self, member_id: int) -> bool: ...

    async def waiting(self, community_id: int) -> list[BuddyRequest]:
        """Requests with no open pairing, longest waiting first."""
        ...

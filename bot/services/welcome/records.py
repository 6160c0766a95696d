"""Records of the welcome: joins waiting for their public welcome, each newcomer's onboarding,
what people said they could bring, intros, and buddy volunteers, requests and pairings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Step(Enum):
    """Where a newcomer is in the onboarding conversation."""

    BRINGS = "brings"  # what brings you here
    CONTRIBUTES = "contributes"  # what could you bring
    BUDDY = "buddy"  # would you like a buddy
    DONE = "done"


@dataclass
class Onboarding:
    member_id: int
    community_id: int
    started_at: datetime
    step: Step = Step.BRINGS
    brings: str | None = None  # their words, or None when skipped or not answered yet
    unsure: bool = False  # answered "I don't know yet" to what they could bring
    wants_buddy: bool | None = None
    channel: str | None = None  # None: asked privately; else the channel of the fallback
    fallback_offered: bool = False  # the in-channel offer was made once already
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Contribution:
    """Something a member said they could bring; the offers feature can build on these."""

    id: int
    community_id: int
    member_id: int
    text: str
    source: str  # "onboarding" so far
    created_at: datetime


@dataclass
class Intro:
    """A member's self-introduction, posted in the welcome channel only once they confirm."""

    member_id: int
    community_id: int
    text: str
    created_at: datetime
    posted_at: datetime | None = None


@dataclass
class Volunteer:
    member_id: int
    community_id: int
    since: datetime
    active: bool = True
    open_limit: int = 2  # how many newcomers at once
    paused_at: datetime | None = None  # /pause buddy: no new newcomers while paused
    paused_until: datetime | None = None  # None while paused: until they say /pause off

    def paused(self, now: datetime) -> bool:
        """Whether a pause holds now (one with an end date runs out by itself)."""
        if self.paused_at is None:
            return False
        return self.paused_until is None or now < self.paused_until


class PairingStatus(Enum):
    OPEN = "open"  # the buddy is showing the newcomer around
    PASSED = "passed"  # the buddy passed; the newcomer moved on to someone else
    CLOSED = "closed"  # the buddy period ended
    ENDED = "ended"  # one of them left the community


@dataclass
class Pairing:
    id: int
    community_id: int
    newcomer_id: int
    buddy_id: int
    created_at: datetime
    status: PairingStatus = PairingStatus.OPEN
    greeted_at: datetime | None = None  # the buddy said they have said hello
    ended_at: datetime | None = None


@dataclass(frozen=True)
class BuddyRequest:
    """A newcomer who asked for a buddy: waiting whenever they have no open pairing, until a
    buddy period is completed (so a buddy who passes, leaves or is forgotten never strands them).
    """

    member_id: int
    community_id: int
    requested_at: datetime


@dataclass(frozen=True)
class Newcomer:
    """Someone who joined in a period and how far their welcome went, for the welcome funnel:
    onboarding completed, paired with a buddy since, and answered a follow-up."""

    member_id: int
    onboarded: bool
    paired: bool
    answered_followup: bool

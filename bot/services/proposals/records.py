"""The records of a proposal's life: its states, parts, events and a community's rules.

Plain data shared by the lifecycle (lifecycle.py), storage and the chat surface.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TITLE_LIMIT = 120
DETAILS_LIMIT = 2000
NOTE_LIMIT = 1000  # builds, concerns, reasons and notes
# Reminders thin out and stop: after a proposal is eligible for them (its minimum time is over,
# or its consent round opened) or after the latest engagement, whichever is later, at most one
# at each of these times; then it rests quietly until someone engages again.
REMINDERS_AFTER = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
MAX_REMINDERS = len(REMINDERS_AFTER)
# The kinds of a proposal's timed steps; their payload names the proposal by its "number".
JOB_PREFIX = "proposal_"


class State(StrEnum):
    INCUBATING = "incubating"
    CONSENT = "consent"
    ADOPTED = "adopted"
    PARKED = "parked"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


UNDECIDED = frozenset({State.INCUBATING, State.CONSENT, State.PARKED})
# Leaving incubation for one of these is a step towards a decision, so it needs time and voices.
PAST_INCUBATION = frozenset({State.CONSENT, State.ADOPTED, State.PARKED})


class Kind(StrEnum):
    BUILD = "build"
    CONCERN = "concern"


class Stance(StrEnum):
    CONSENT = "consent"
    STAND_ASIDE = "standaside"
    OBJECT = "object"


class Action(StrEnum):
    """What an event records; the service maps these to texts, audit entries and announcements."""

    PROPOSED = "proposed"
    BUILT = "built"
    CONCERNED = "concerned"
    SUPPORTED = "supported"
    REVISED = "revised"
    CONSENT_STARTED = "consent_started"
    CONSENTED = "consented"
    STOOD_ASIDE = "stood_aside"
    OBJECTED = "objected"
    REMINDED = "reminded"
    RERAISED = "reraised"
    EXTENDED = "extended"
    RESTED = "rested"  # reminders ran out with nobody engaging; it waits quietly
    RETURNED = "returned"  # a round closed with standing objections
    REOPENED = "reopened"  # a revision during the consent round
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"
    PARKED = "parked"
    REVISITED = "revisited"
    HIDDEN = "hidden"
    MERGED = "merged"
    MERGED_IN = "merged_in"
    RENUMBERED = "renumbered"  # it came with its place when two places were linked


STANCE_ACTION = {
    Stance.CONSENT: Action.CONSENTED,
    Stance.STAND_ASIDE: Action.STOOD_ASIDE,
    Stance.OBJECT: Action.OBJECTED,
}


@dataclass(frozen=True)
class Rules:
    """A community's durations and thresholds (set with /setup proposals)."""

    incubation: timedelta = timedelta(days=3)
    perspectives: int = 2
    reincubation: timedelta = timedelta(days=1)
    consent_round: timedelta = timedelta(days=3)
    revisit: timedelta = timedelta(days=30)

    @property
    def reminder_lead(self) -> timedelta:
        """How long before a round closes the reminder goes out: a day, or half a short round."""
        return min(timedelta(days=1), self.consent_round / 2)


@dataclass(frozen=True)
class Actor:
    """Who does something. `voice` tells people apart; it stays distinct after /forgetme."""

    voice: str
    member_id: int | None
    name: str
    moderator: bool = False


def voice_of(member_id: int) -> str:
    return f"m{member_id}"


def forgotten_voice() -> str:
    """A fresh identity for someone who asked to be forgotten: still one person, no one known."""
    return "x" + secrets.token_hex(8)


@dataclass
class Version:
    number: int
    details: str
    at: datetime
    id: int | None = None


@dataclass
class Contribution:
    """A build ("yes, and…") or a concern, attached to the version it answered."""

    kind: Kind
    version: int
    voice: str
    member_id: int | None
    name: str
    text: str
    at: datetime
    from_objection: bool = False
    merged_from: int | None = None  # the number of the duplicate it came from
    id: int | None = None


@dataclass
class Support:
    voice: str
    member_id: int | None
    name: str
    at: datetime
    id: int | None = None


@dataclass
class Position:
    """One statement in a consent round; a person's latest one in the round is what counts."""

    round: int
    voice: str
    member_id: int | None
    name: str
    stance: Stance
    reason: str
    at: datetime
    id: int | None = None


@dataclass
class Event:
    at: datetime
    action: Action
    actor_id: int | None
    actor_name: str
    automatic: bool = False
    detail: str = ""
    state: State | None = None  # the state entered, when the event is a transition
    audit: bool = False  # a state change or a moderator action: goes to the public audit log
    id: int | None = None


_FROM_REFLECTION = "reflection:"


def from_reflection(number: int) -> str:
    """How a proposal (and its opening event) records the shared reflection it grew out of."""
    return f"{_FROM_REFLECTION}{number}"


def reflection_number(origin: str) -> int | None:
    """The reflection an origin (a proposal's, or its opening event's detail) names, if any."""
    if not origin.startswith(_FROM_REFLECTION):
        return None
    number = origin.removeprefix(_FROM_REFLECTION)
    return int(number) if number.isdecimal() and number.isascii() else None


def stays(events: Iterable[Event]) -> list[tuple[State, timedelta]]:
    """How long each finished stay in a state lasted, from a proposal's transitions."""
    found: list[tuple[State, timedelta]] = []
    current: tuple[State, datetime] | None = None
    for event in events:
        if event.state is None:
            continue
        if current is not None:
            found.append((current[0], event.at - current[1]))
        current = (event.state, event.at)
    return found

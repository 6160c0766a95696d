"""Records of the needs check-ins and mutual aid: rounds, answers, offers and requests.

Per-member rows (invitations, answers, pauses, offers, requests) are personal data: they are
exported by /mydata, erased by /forgetme and, for answers, deleted after the retention period.
A round's aggregates (counts only) are frozen when it closes and are all that remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


class Answer(Enum):
    OKAY = "okay"
    STRAINED = "strained"
    UNMET = "unmet"
    SKIP = "skip"


@dataclass(frozen=True)
class Need:
    """One need asked about in a check-in; default needs take their label from the catalog."""

    key: str
    label: str | None = None  # None: a default need, labelled by the catalog text `need_<key>`


@dataclass
class Tally:
    strained: int = 0
    unmet: int = 0


@dataclass
class CheckinRound:
    """A check-in round of a community, or one member's own check-in when `owner_id` is set."""

    id: int
    community_id: int
    opened_at: datetime
    closes_at: datetime
    started_by: str  # "schedule", "moderator" or "member"
    needs: list[Need]
    owner_id: int | None = None
    closed_at: datetime | None = None
    unreachable_told: bool = False
    # Frozen at close: counts only, kept after the per-member answers are gone.
    invited: int = 0
    respondents: int = 0
    unreachable: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)
    threshold: int = 0  # the privacy threshold when it closed

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None


@dataclass
class Invitation:
    round_id: int
    member_id: int
    invited_at: datetime
    reminded_at: datetime | None = None
    unreachable_at: datetime | None = None


@dataclass
class CheckinAnswer:
    """One member's answers in one round; answering again replaces them need by need."""

    round_id: int
    member_id: int
    answered_at: datetime
    answers: dict[str, Answer] = field(default_factory=dict)
    hands: list[str] = field(default_factory=list)  # needs they asked a hand with
    offered: list[str] = field(default_factory=list)  # categories they offered help in
    note: str = ""
    completed: bool = False

    @property
    def responded(self) -> bool:
        return bool(self.answers)

    def is_hard(self, asked: int) -> bool:
        """A hard time: two or more needs unmet, three or more strained or unmet, or every need
        asked about unmet. Such a check-in is answered with care, not asked for offers."""
        unmet = sum(a is Answer.UNMET for a in self.answers.values())
        strained = sum(a is Answer.STRAINED for a in self.answers.values())
        return unmet >= 2 or unmet + strained >= 3 or (unmet > 0 and unmet >= asked)


@dataclass(frozen=True)
class Pause:
    member_id: int
    until: datetime | None  # None: until they say /pause off


@dataclass
class Offer:
    id: int
    community_id: int
    member_id: int
    category: str
    what: str
    created_at: datetime
    public: bool = False
    last_matched_at: datetime | None = None  # when it was last put to someone's request


class RequestState(Enum):
    ASKING_OFFERER = "asking_offerer"
    ASKING_REQUESTER = "asking_requester"
    INTRODUCED = "introduced"
    UNMATCHED = "unmatched"  # nobody (left) to ask; waits for a new offer


class Outcome(Enum):
    ASKED = "asked"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    ACCEPTED = "accepted"
    NOT_THIS_ONE = "not_this_one"  # the requester preferred someone else
    INTRODUCED = "introduced"


@dataclass
class AidRequest:
    """An open request for a hand; it is deleted when it closes (met, withdrawn or expired)."""

    id: int
    community_id: int
    member_id: int
    category: str
    details: str
    opened_at: datetime
    expires_at: datetime
    state: RequestState = RequestState.UNMATCHED
    current_offer_id: int | None = None
    asked_at: datetime | None = None


@dataclass(frozen=True)
class RequestCount:
    """Open requests in one category at a snapshot: waiting for a helper, or with one."""

    category: str
    waiting: int
    helped: int


@dataclass(frozen=True)
class RequestSnapshot:
    """Open requests counted once on a community's day; /report needs shows only these, never a
    live count, so nobody can watch one request come and go."""

    community_id: int
    day: date  # in the community's timezone
    taken_at: datetime
    threshold: int  # in force when taken; the figures are shown under it (or hidden)
    members: int  # who could have asked: the never-shown rest is members minus the two counts
    counts: tuple[RequestCount, ...]

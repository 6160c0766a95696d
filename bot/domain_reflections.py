"""Records of the reflection feature: community prompts, rounds and the answers to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CommunityPrompt:
    """A prompt a community added to its own deck: by a moderator, or suggested by a member."""

    id: int
    community_id: int
    text: str
    theme: str | None
    author_id: int | None  # None once the author used /forgetme: the prompt stays, unnamed
    suggested: bool  # True when a member suggested it, False when a moderator added it
    created_at: datetime

    @property
    def key(self) -> str:
        """How rotation and moderators refer to it; deck ids always contain a hyphen."""
        return f"c{self.id}"


@dataclass(frozen=True)
class ReflectionRound:
    """One posted prompt and the answers gathered until its digest closes it."""

    id: int
    community_id: int
    number: int  # counts rounds within the community, shown as "Reflection #3"
    prompt_key: str  # a deck id like "needs-01" or a community key like "c4"
    prompt_text: str  # as posted, so history survives later changes to the deck
    theme: str | None
    cycle: int  # rotation pass: no prompt repeats within one cycle
    posted_at: datetime
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Reflection:
    """A member's answer to a round; private answers are only ever shown to their author."""

    id: int
    community_id: int
    round_id: int
    member_id: int
    text: str
    shared: bool
    written_at: datetime

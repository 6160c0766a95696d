"""What the web keeps: one-time sign-in links and the sessions they open, each by the digest
of its secret (the link's, the cookie's), so the table alone opens nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LoginGrant:
    """A sign-in link given to one member of one community; it opens that community only."""

    community_id: int
    member_id: int
    created_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class WebSession:
    """A signed-in moderator's session: it ends at `ends_at`, or earlier when they sign out."""

    community_id: int
    member_id: int
    created_at: datetime
    ends_at: datetime
    ended_at: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.ends_at

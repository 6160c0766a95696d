"""What the web keeps: one-time sign-in links, by the digest of their secret part."""

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

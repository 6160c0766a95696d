"""Domain records shared by the services and the storage ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.replies import Reply
from bot.roles import Role

CHANNEL_ROLES = ("welcome", "proposals", "reflections", "announcements")


@dataclass
class Community:
    id: int
    name: str
    timezone: str
    language: str
    created_at: datetime
    settings: dict[str, Any] = field(default_factory=dict)
    # Since Hearth was removed from its place: no schedule or job runs, nothing waiting is sent.
    paused_since: datetime | None = None


@dataclass
class CommunityLink:
    """One platform presence of a community: a Discord server, a Telegram group, the console."""

    community_id: int
    platform: str
    community_ref: str
    main_channel: str | None
    channels: dict[str, str] = field(default_factory=dict)  # channel role -> channel ref

    def channel_for(self, role: str) -> str | None:
        return self.channels.get(role) or self.main_channel


@dataclass
class Member:
    id: int
    community_id: int
    platform: str
    user_ref: str
    display_name: str
    joined_at: datetime
    language: str | None = None
    granted_role: Role | None = None
    left_at: datetime | None = None
    unreachable_since: datetime | None = None

    @property
    def active(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    community_id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    subject: str
    reason: str
    subject_id: int | None = None


@dataclass
class Schedule:
    """A recurring job of a community: weekly on a local weekday and time."""

    community_id: int
    kind: str
    weekday: int  # 0 = Monday
    hour: int
    minute: int
    next_run: datetime


@dataclass(frozen=True)
class Job:
    """A one-off job waiting in the database until it falls due."""

    id: int
    community_id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    member_id: int | None = None


@dataclass(frozen=True)
class Conversation:
    """A flow waiting for a person's next plain message (an answer to a question)."""

    member_id: int
    flow: str
    state: dict[str, Any]


@dataclass(frozen=True)
class OutboxMessage:
    """A reply waiting in the database for its platform to take it."""

    id: int
    reply: Reply
    attempts: int = 0

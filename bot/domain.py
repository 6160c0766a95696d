"""Domain records shared by the services and the storage ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.catalog import Phrase
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
    # Split off another community (/unlink): which (None once it is gone) and when, and the
    # highest proposal and reflection round numbers it had then: numbers up to those were made
    # together and stay readable here, so this community numbers its own after them. Its audit
    # entries up to `history_audit` (an entry's id: many may share one moment) were shared.
    history_of: int | None = None
    history_until: datetime | None = None
    history_proposals: int = 0
    history_rounds: int = 0
    history_audit: int = 0


@dataclass
class CommunityLink:
    """One platform presence of a community: a Discord server, a Telegram group, the console."""

    community_id: int
    platform: str
    community_ref: str
    main_channel: str | None
    channels: dict[str, str] = field(default_factory=dict)  # channel role -> channel ref
    # Since when Hearth is no longer in this place (removed from the group or server): what
    # waits for the place is held until it is added again. A community is paused once every
    # one of its places is away.
    away_since: datetime | None = None

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
    # The person this membership belongs to (bot/identity.py); every stored member has one.
    person_id: int | None = None
    # The language their platform last reported (Telegram's language_code, Discord's locale),
    # when the catalog has it; their own choice (`language`, /language) comes first.
    reported_language: str | None = None
    timezone: str | None = None  # their own (/timezone); the community's when None
    # `platform`/`user_ref` are the account Hearth reaches them through (one of their person's);
    # True when they chose it (/link me here), so writing from another account does not move it.
    reach_chosen: bool = False

    @property
    def active(self) -> bool:
        return self.left_at is None

    @property
    def speaks(self) -> str | None:
        """The language to use with them: their choice, else their platform's; None leaves it
        to the community's default."""
        return self.language or self.reported_language


@dataclass(frozen=True)
class Renumbered:
    """A record of a community that joined another, numbered after the home community's own:
    #`was` there is #`now` from the merge on (the record's row id is `record_id`)."""

    kind: str  # "proposal" | "reflection_round"
    record_id: int
    was: int
    now: int


@dataclass(frozen=True)
class AuditEntry:
    """What happened, as a catalog key (`audit_…`) and its parameters, put into words when read,
    in the reader's language. A member as subject is kept apart (name and id) so /forgetme can
    unname them. Entries written before keys existed have no key and keep their sentence."""

    id: int
    community_id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    subject_id: int | None = None
    legacy_action: str = ""  # the English sentence of an entry written before keys existed
    legacy_reason: str = ""

    @property
    def phrase(self) -> Phrase | None:
        """What happened, after the actor's name; None for an entry written before keys."""
        if not self.key:
            return None
        subject = self.subject or Phrase("former_member")
        return Phrase(self.key, **{**self.params, "subject": subject})


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

"""Small frozen events that adapters produce; no platform object ever crosses this line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Person:
    """Who acted, as the platform describes them (facts only; the core decides the role)."""

    user_ref: str
    display_name: str
    is_platform_admin: bool = False
    is_platform_owner: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where an event happened: a platform, a community on it, and a channel or a private chat."""

    platform: str
    community_ref: str
    person: Person
    channel_ref: str | None = None  # None means the person's private chat with the bot
    thread_ref: str | None = None
    community_name: str = ""

    @property
    def is_private(self) -> bool:
        return self.channel_ref is None


@dataclass(frozen=True)
class CommandInvoked:
    origin: Origin
    name: str
    text: str = ""  # the raw argument text from text surfaces
    options: tuple[tuple[str, Any], ...] | None = None  # typed options from structured surfaces
    event_ref: str | None = None  # platform id of the update, for idempotency
    # Its words were seen by Hearth alone although it came from a channel (a Discord slash
    # command's options); a group's typed command text is read by everyone there.
    confidential: bool = False


@dataclass(frozen=True)
class MessagePosted:
    origin: Origin
    text: str
    event_ref: str | None = None
    # Seen by Hearth alone although it came from a channel (e.g. typed in a Discord modal), so
    # a flow may take it as a private answer.
    confidential: bool = False


@dataclass(frozen=True)
class MemberJoined:
    origin: Origin
    event_ref: str | None = None


@dataclass(frozen=True)
class MemberLeft:
    origin: Origin
    event_ref: str | None = None


@dataclass(frozen=True)
class ChoicePressed:
    origin: Origin
    key: str
    event_ref: str | None = None


@dataclass(frozen=True)
class Unreachable:
    """An adapter could not deliver a private message: the platform refused it."""

    platform: str
    community_ref: str
    user_ref: str
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # The person is answered right where they just acted (their own command, say): the public
    # notice for people who are not there is not needed for them.
    present: bool = False


@dataclass(frozen=True)
class PlaceMoved:
    """A community's place got a new id on its platform (a Telegram group upgraded to a
    supergroup): the community, its members and what waits to be sent follow it."""

    platform: str
    old_ref: str
    new_ref: str


@dataclass(frozen=True)
class HearthRemoved:
    """Hearth was removed from a community's place (a group, a server): it pauses there."""

    platform: str
    community_ref: str


@dataclass(frozen=True)
class HearthAdded:
    """Hearth is in a community's place again: a paused community resumes."""

    platform: str
    community_ref: str


Presence = PlaceMoved | HearthRemoved | HearthAdded
Event = CommandInvoked | MessagePosted | MemberJoined | MemberLeft | ChoicePressed

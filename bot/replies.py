"""What the core returns: text in a small Markdown subset, choices, a visibility and a target."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Visibility(Enum):
    PUBLIC = "public"  # seen by the channel
    PRIVATE = "private"  # a direct message to one person
    EPHEMERAL = "ephemeral"  # only the asking person sees it, where they asked


@dataclass(frozen=True)
class Choice:
    label: str
    key: str  # short, opaque to adapters; at most 64 bytes so it fits Telegram callback data


@dataclass(frozen=True)
class Target:
    """Where a reply goes: a channel of a community on a platform, or one person's private chat."""

    platform: str
    community_ref: str
    channel_ref: str | None = None
    user_ref: str | None = None
    thread_ref: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    target: Target
    visibility: Visibility = Visibility.PUBLIC
    choices: tuple[Choice, ...] = ()
    # Private deliveries carry what the flow was, so an adapter can offer it again when refused.
    resume: str | None = None
    # A note to the asker that their private replies are on the way ("I've sent you ...
    # privately"): an adapter leaves it out when the platform refuses those replies.
    confirms_private: bool = False


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """A reply as plain data, so the outbox can keep it in the database."""
    return {
        "text": reply.text,
        "target": asdict(reply.target),
        "visibility": reply.visibility.value,
        "choices": [[c.label, c.key] for c in reply.choices],
        "resume": reply.resume,
        "confirms_private": reply.confirms_private,
    }


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data["text"],
        target=Target(**data["target"]),
        visibility=Visibility(data["visibility"]),
        choices=tuple(Choice(label, key) for label, key in data["choices"]),
        resume=data.get("resume"),
        confirms_private=bool(data.get("confirms_private", False)),
    )

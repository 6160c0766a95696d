"""What the core returns: text in a small Markdown subset, choices, a visibility and a target."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any


class Visibility(Enum):
    PUBLIC = "public"  # seen by the channel
    PRIVATE = "private"  # a direct message to one person
    EPHEMERAL = "ephemeral"  # only the asking person sees it, where they asked


class SourceMessage(Enum):
    """What became of the message that carried someone's private words in a public place."""

    REMOVED = "removed"  # the adapter deleted it
    VISIBLE = "visible"  # the platform would not let it: others can still read it


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
class Attachment:
    """A file sent with a reply (an export, a chart); `alt` says what it holds for people who
    cannot see it, and surfaces without files (the console) say where they put it."""

    name: str  # a plain file name, shown to the person: "proposals.zip"
    media_type: str  # "application/zip", "image/png", "application/json"
    data: bytes
    alt: str = ""

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


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
    # Sent only if the asker's message ended up so: a batch holding such replies asks the
    # adapter to delete that message, which only the adapter can try (see `settle_removal`).
    only_if: SourceMessage | None = None
    # Holds what is the person's alone (their private words, or a promise that only they see
    # it): never to be shown where others read, even when the platform has no ephemeral reply.
    confidential: bool = False
    # For the asker, in a channel: a flow now waits for their typed answer (bot/waiting.py),
    # so a platform that needs a way to type it there (Discord's answer button) offers one.
    awaits_answer: bool = False
    files: tuple[Attachment, ...] = ()


def asks_removal(replies: Sequence[Reply]) -> bool:
    """Whether the core asks for the asker's message to be deleted (it held private words)."""
    return any(r.only_if is not None for r in replies)


def settle_removal(replies: Sequence[Reply], removed: bool) -> list[Reply]:
    """The replies to send once the adapter knows whether it deleted the asker's message;
    every adapter calls this once, with removed=False where it cannot delete."""
    fate = SourceMessage.REMOVED if removed else SourceMessage.VISIBLE
    return [r for r in replies if r.only_if is None or r.only_if is fate]


def moved_reply(reply: Reply, old_ref: str, new_ref: str) -> Reply:
    """The same reply for a place that got a new id (its channel too, when it was the place)."""
    target = reply.target
    channel = new_ref if target.channel_ref == old_ref else target.channel_ref
    return replace(reply, target=replace(target, community_ref=new_ref, channel_ref=channel))


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """A reply as plain data, so the outbox can keep it in the database."""
    return {
        "text": reply.text,
        "target": asdict(reply.target),
        "visibility": reply.visibility.value,
        "choices": [[c.label, c.key] for c in reply.choices],
        "resume": reply.resume,
        "confirms_private": reply.confirms_private,
        "only_if": reply.only_if.value if reply.only_if else None,
        "confidential": reply.confidential,
        "files": [
            [f.name, f.media_type, base64.b64encode(f.data).decode("ascii"), f.alt]
            for f in reply.files
        ],
    }


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data["text"],
        target=Target(**data["target"]),
        visibility=Visibility(data["visibility"]),
        choices=tuple(Choice(label, key) for label, key in data["choices"]),
        resume=data.get("resume"),
        confirms_private=bool(data.get("confirms_private", False)),
        only_if=SourceMessage(data["only_if"]) if data.get("only_if") else None,
        confidential=bool(data.get("confidential", False)),
        files=tuple(
            Attachment(name, media_type, base64.b64decode(encoded), alt)
            for name, media_type, encoded, alt in data.get("files", ())
        ),
    )

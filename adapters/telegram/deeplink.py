"""Deep links that open the private chat with the bot and pick a flow up where it stopped.

A bot cannot message someone who never started it; `https://t.me/<bot>?start=<payload>` opens
the chat, and Telegram sends `/start <payload>` when the person presses Start. The payload
(at most 64 of A-Z a-z 0-9 _ -) names the group and, when there is one, the flow to resume:
`m1001234567890-checkin` is group -1001234567890 and the flow "checkin".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FLOW = re.compile(r"^[A-Za-z0-9_]{1,40}$")
_GROUP = re.compile(r"^([mp])(\d{1,20})$")


@dataclass(frozen=True)
class StartPayload:
    community_ref: str
    resume: str | None = None


def encode(community_ref: str, resume: str | None) -> str | None:
    """The payload for a group (and flow), or None when the group id cannot be carried."""
    try:
        number = int(community_ref)
    except ValueError:
        return None
    payload = f"{'m' if number < 0 else 'p'}{abs(number)}"
    if resume and _FLOW.match(resume):
        payload += f"-{resume}"
    return payload if _PAYLOAD.match(payload) else None


def decode(payload: str) -> StartPayload | None:
    """The group and flow of a payload; None for anything this bot did not make."""
    if not _PAYLOAD.match(payload):
        return None
    group, _, resume = payload.partition("-")
    found = _GROUP.match(group)
    if found is None or (resume and not _FLOW.match(resume)):
        return None
    sign = "-" if found.group(1) == "m" else ""
    return StartPayload(f"{sign}{found.group(2)}", resume or None)


def link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"

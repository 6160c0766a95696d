"""Reach: what Hearth does when a platform refuses a private message, and which community a
person's private chat is about. One rule for every platform, kept in the database so that a
restart neither repeats a public notice nor forgets whom a private chat was about.

- A refused private message may bring one public notice in the community's place, naming
  nobody, that says how to become reachable (each platform renders its own way in: a deep
  link, a channel button). At most one per community, platform and flow every NOTICE_EVERY:
  six hours, so that a fan-out refused by many people (a check-in, a welcome wave) makes one
  notice, while a later one the same day (the next round, people who joined since) may make
  another. When the person is right there, answered where they acted, no notice is needed.
- A private chat is about the community Hearth last wrote to the person about, else their only
  community; never one they are not a member of (any more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import Member
from bot.ports import UnitOfWork
from bot.replies import Reply

NOTICE_EVERY = timedelta(hours=6)


@dataclass(frozen=True)
class Reach:
    """What the core decided about a refused private message."""

    replies: list[Reply] = field(default_factory=list)  # what the flow does instead
    notice: bool = False  # post the public notice now, with the platform's way to be reached
    language: str = "en"  # the community's, for the notice
    channel_ref: str | None = None  # the community's main channel there (None: the platform's)


async def notice_due(
    uow: UnitOfWork, community_id: int, platform: str, flow: str, now: datetime
) -> bool:
    """Whether the public notice goes out now; if so, it is noted in the same transaction."""
    last = await uow.reach.last_notice(community_id, platform, flow)
    if last is not None and now - last < NOTICE_EVERY:
        return False
    await uow.reach.note_notice(community_id, platform, flow, now)
    return True


async def private_chat_about(memberships: list[Member], uow: UnitOfWork) -> Member | None:
    """The membership a private chat is about: the one last written to, else the only one."""
    if not memberships:
        return None
    last = await uow.reach.last_written([m.id for m in memberships])
    if last is not None:
        return next(m for m in memberships if m.id == last)
    return memberships[0] if len(memberships) == 1 else None

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

from bot.clock import Clock
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


async def community_for_private(uow: UnitOfWork, platform: str, user_ref: str) -> str | None:
    """The community (its ref on this platform) a person's private chat is about: the one
    Hearth last wrote to them about, else their only one; None when that is unclear."""
    memberships = await uow.members.memberships(platform, user_ref)  # active ones only
    if not memberships:
        return None
    last = await uow.reach.last_written([m.id for m in memberships])
    if last is not None:
        member = next(m for m in memberships if m.id == last)
    elif len(memberships) == 1:
        member = memberships[0]
    else:
        return None
    for link in await uow.communities.links(member.community_id):
        if link.platform == platform:
            return link.community_ref
    return None


async def chat_is_about(
    uow: UnitOfWork, platform: str, user_ref: str, community_ref: str, clock: Clock
) -> bool:
    """Note that the person's private chat is about this community from now on; False (nothing
    noted) when they are not an active member there."""
    link = await uow.communities.find_link(platform, community_ref)
    if link is None:
        return False
    member = await uow.members.find(link.community_id, platform, user_ref)
    if member is None or not member.active:
        return False
    await uow.reach.wrote_privately(member.id, clock.now())
    return True

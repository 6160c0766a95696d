"""Pausing check-ins: a member may stop them for a while, or until they say so (/pause)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import CommandContext, CommunityContext
from bot.domain import Member
from bot.errors import Refusal
from bot.scheduling import parse_duration
from bot.services.needs.records import Pause

MAX_PAUSE = timedelta(days=366)


async def active_pause(ctx: CommunityContext, member: Member) -> Pause | None:
    """The member's pause, unless it has run out."""
    pause = await ctx.uow.checkins.pause(member.id)
    if pause is None or (pause.until is not None and pause.until <= ctx.now):
        return None
    return pause


async def is_paused(ctx: CommunityContext, member: Member) -> bool:
    return await active_pause(ctx, member) is not None


def parse_until(
    ctx: CommandContext, text: str | None, too_long: str = "checkin_pause_too_long"
) -> datetime | None:
    """A local date (the pause ends as that day begins) or a span from now; None: open-ended.
    `too_long` is the refusal for more than a year, which says how to pause for longer."""
    if text is None:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        try:
            found = ctx.now + parse_duration(text)
        except ValueError:
            raise Refusal("checkin_pause_bad_until", value=text) from None
    else:
        found = day.replace(tzinfo=ctx.tz)
    if found <= ctx.now:
        raise Refusal("checkin_pause_past", value=text)
    if found - ctx.now > MAX_PAUSE:
        raise Refusal(too_long)
    return found

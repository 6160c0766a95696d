"""Pausing check-ins: a member may stop them for a while, or until they say so."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Member
from bot.domain_needs import Pause
from bot.errors import Refusal
from bot.feature import Feature
from bot.scheduling import parse_duration
from bot.services.needs_config import format_when as when

feature = Feature("checkin_pause")
MAX_PAUSE = timedelta(days=366)


async def active_pause(ctx: CommunityContext, member: Member) -> Pause | None:
    """The member's pause, unless it has run out."""
    pause = await ctx.uow.checkins.pause(member.id)
    if pause is None or (pause.until is not None and pause.until <= ctx.now):
        return None
    return pause


async def is_paused(ctx: CommunityContext, member: Member) -> bool:
    return await active_pause(ctx, member) is not None


@feature.command(
    "pause",
    "Pause your check-ins (e.g. /pause checkins 2026-04-01), or /pause off to resume.",
    Param("what", ParamType.CHOICE, "checkins, or off to resume", choices=("checkins", "off")),
    Param("until", ParamType.WORD, "A date like 2026-04-01 or a span like 2w; default: open-ended"),
)
async def pause(ctx: CommandContext, args: Args) -> None:
    what = args.text("what")
    current = await active_pause(ctx, ctx.member)
    if what is None:
        if current is None:
            ctx.say("checkin_pause_none")
        elif current.until is None:
            ctx.say("checkin_pause_open")
        else:
            ctx.say("checkin_pause_until", until=when(ctx, current.until))
        return
    if what == "off":
        if current is None:
            raise Refusal("checkin_pause_not_paused")
        await ctx.uow.checkins.clear_pause(ctx.member.id)
        ctx.say("checkin_pause_off")
        return
    until = _until(ctx, args.text("until"))
    await ctx.uow.checkins.set_pause(Pause(ctx.member.id, until))
    if until is None:
        ctx.say("checkin_paused")
    else:
        ctx.say("checkin_paused_until", until=when(ctx, until))


def _until(ctx: CommandContext, text: str | None) -> datetime | None:
    """A local date (the pause ends as that day begins) or a span from now."""
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
        raise Refusal("checkin_pause_too_long")
    return found

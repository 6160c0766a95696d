"""/pause: one command for the recurring things that reach a member privately.

Check-ins (`/pause checkins`) and being paired with newcomers as a buddy (`/pause buddy`) can
each be paused, open-ended or until a date or for a span; `/pause off` resumes both, and
`/pause` alone says what is paused. The state lives with each feature (check-in pauses with
the check-ins, a buddy's pause on their volunteering); this module only speaks for them.
"""

from __future__ import annotations

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.services.needs.config import format_when as when
from bot.services.needs.pause import active_pause, parse_until
from bot.services.needs.records import Pause
from bot.services.welcome import buddy_pause

feature = Feature("pause")
CHECKINS, BUDDY, OFF = "checkins", "buddy", "off"


@feature.command(
    "pause",
    Param(
        "what",
        ParamType.CHOICE,
        choices=(CHECKINS, BUDDY, OFF),
    ),
    Param("until", ParamType.WORD),
)
async def pause(ctx: CommandContext, args: Args) -> None:
    what = args.text("what")
    if what is None:
        await _status(ctx)
    elif what == OFF:
        await _resume(ctx)
    elif what == CHECKINS:
        until = parse_until(ctx, args.text("until"))
        await ctx.uow.checkins.set_pause(Pause(ctx.member.id, until))
        if until is None:
            ctx.say("checkin_paused")
        else:
            ctx.say("checkin_paused_until", until=when(ctx, until))
    else:
        until = parse_until(ctx, args.text("until"), "buddy_pause_too_long")
        current = await buddy_pause.pause(ctx, until)
        if until is None:
            ctx.say("buddy_paused", current=current)
        else:
            ctx.say("buddy_paused_until", until=when(ctx, until), current=current)


async def _status(ctx: CommandContext) -> None:
    checkins = await active_pause(ctx, ctx.member)
    if checkins is None:
        lines = [ctx.text("checkin_pause_none", ctx.language)]
    elif checkins.until is None:
        lines = [ctx.text("checkin_pause_open", ctx.language)]
    else:
        lines = [ctx.text("checkin_pause_until", ctx.language, until=when(ctx, checkins.until))]
    volunteer = await ctx.uow.buddies.get_volunteer(ctx.member.id)
    if volunteer is not None and volunteer.active:  # only volunteers are asked to buddy
        if volunteer.paused(ctx.now):
            lines.append(buddy_pause.pause_note(ctx, volunteer))
        else:
            lines.append(ctx.text("buddy_pause_none", ctx.language))
    ctx.answer("\n\n".join(lines))


async def _resume(ctx: CommandContext) -> None:
    lines = []
    if await active_pause(ctx, ctx.member) is not None:
        await ctx.uow.checkins.clear_pause(ctx.member.id)
        lines.append(ctx.text("checkin_pause_off", ctx.language))
    if await buddy_pause.resume(ctx, ctx.member):
        lines.append(ctx.text("buddy_pause_off", ctx.language))
    if not lines:
        volunteer = await ctx.uow.buddies.get_volunteer(ctx.member.id)
        volunteering = volunteer is not None and volunteer.active
        raise Refusal("pause_nothing_to_resume" if volunteering else "checkin_pause_not_paused")
    ctx.answer("\n\n".join(lines))

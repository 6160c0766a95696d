"""/buddy: volunteer to show newcomers around, stop, or see your pairings."""

from __future__ import annotations

from bot.catalog import Markup, Phrase
from bot.commands import Args
from bot.context import CommandContext
from bot.errors import Refusal
from bot.markup import escape
from bot.roles import Role
from bot.services.welcome.buddy_pause import pause_note
from bot.services.welcome.pairing import member_or_none, own_open_pairings, place_waiting
from bot.services.welcome.records import Volunteer

DEFAULT_LIMIT = 2
MAX_LIMIT = 5


async def buddy(ctx: CommandContext, args: Args) -> None:
    action = args.text("action") or "on"
    if action == "status":
        await _status(ctx)
        return
    if "limit" in args and action != "on":
        raise Refusal("buddy_limit_only_with_on")
    volunteer = await ctx.uow.buddies.get_volunteer(ctx.member.id)
    if action == "off":
        if volunteer is None or not volunteer.active:
            raise Refusal("buddy_already_off")
        volunteer.active = False
        await ctx.uow.buddies.save_volunteer(volunteer)
        current = [p for p in await own_open_pairings(ctx) if p.buddy_id == ctx.member.id]
        ctx.say("buddy_off", current=len(current))
        return
    limit = args.integer("limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise Refusal("buddy_bad_limit", limit=MAX_LIMIT)
    if volunteer is not None and volunteer.active:
        if limit is None or limit == volunteer.open_limit:
            paused = volunteer.paused(ctx.now)
            ctx.say(
                "buddy_already_on",
                count=volunteer.open_limit,
                paused=Markup(" " + pause_note(ctx, volunteer) if paused else ""),
            )
            return
        volunteer.open_limit = limit
    else:
        volunteer = Volunteer(
            ctx.member.id,
            ctx.community.id,
            ctx.now,
            active=True,
            open_limit=limit or (volunteer.open_limit if volunteer else DEFAULT_LIMIT),
        )
    await ctx.uow.buddies.save_volunteer(volunteer)
    ctx.say("buddy_on", count=volunteer.open_limit)
    await place_waiting(ctx)


async def _names(ctx: CommandContext, ids: list[int]) -> Markup:
    names = []
    for member_id in ids:
        member = await member_or_none(ctx.uow, member_id)
        names.append(
            f"**{escape(member.display_name)}**"
            if member
            else escape(ctx.text("former_member", ctx.language))
        )
    return Markup(", ".join(names))


async def _status(ctx: CommandContext) -> None:
    uow = ctx.uow
    volunteer = await uow.buddies.get_volunteer(ctx.member.id)
    mine = await own_open_pairings(ctx)
    lines = []
    if volunteer is not None and volunteer.active:
        lines.append(ctx.text("buddy_status_on", ctx.language, count=volunteer.open_limit))
        if volunteer.paused(ctx.now):
            lines.append(pause_note(ctx, volunteer))
    else:
        lines.append(ctx.text("buddy_status_off", ctx.language))
    showing = [p.newcomer_id for p in mine if p.buddy_id == ctx.member.id]
    if showing:
        lines.append(
            ctx.text("buddy_status_showing", ctx.language, names=await _names(ctx, showing))
        )
    own = [p.buddy_id for p in mine if p.newcomer_id == ctx.member.id]
    if own:
        lines.append(ctx.text("buddy_status_own", ctx.language, names=await _names(ctx, own)))
    elif await uow.buddies.get_request(ctx.member.id) is not None:
        lines.append(ctx.text("buddy_status_waiting", ctx.language))
    if ctx.role >= Role.MODERATOR:
        waiting = len(await uow.buddies.waiting(ctx.community.id))
        volunteers = len(await uow.buddies.volunteers(ctx.community.id))
        lines.append(
            ctx.text(
                "buddy_status_moderator",
                ctx.language,
                waiting=Phrase("n_newcomers", count=waiting),
                volunteers=Phrase("n_volunteers", count=volunteers),
            )
        )
    ctx.answer("\n".join(lines))

"""/pause buddy: a volunteer stops being asked for a while; their open pairings carry on."""

from __future__ import annotations

from datetime import datetime

from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.errors import Refusal
from bot.services.needs.config import format_when
from bot.services.welcome.pairing import own_open_pairings, place_waiting
from bot.services.welcome.records import Volunteer
from bot.wording import private_reader

PAUSE_END = "buddy_pause_end"


async def pause(ctx: CommandContext, until: datetime | None) -> int:
    """Pause being asked to buddy newcomers (open-ended when `until` is None); the pairings
    the volunteer already has carry on. Returns how many those are."""
    volunteer = await ctx.uow.buddies.get_volunteer(ctx.member.id)
    if volunteer is None or not volunteer.active:
        raise Refusal("buddy_pause_not_volunteer")
    volunteer.paused_at, volunteer.paused_until = ctx.now, until
    await ctx.uow.buddies.save_volunteer(volunteer)
    await _drop_pause_end(ctx, ctx.member.id)
    if until is not None:
        await ctx.uow.jobs.add(
            community_id=ctx.community.id, kind=PAUSE_END, due_at=until, member_id=ctx.member.id
        )
    return sum(1 for p in await own_open_pairings(ctx) if p.buddy_id == ctx.member.id)


async def current_pause(ctx: CommunityContext, member: Member) -> Volunteer | None:
    """The member's volunteering, when it is active and paused right now."""
    volunteer = await ctx.uow.buddies.get_volunteer(member.id)
    if volunteer is None or not volunteer.active or not volunteer.paused(ctx.now):
        return None
    return volunteer


async def resume(ctx: CommunityContext, member: Member) -> bool:
    """Lift a buddy pause (False when there was none) and pair whoever is waiting."""
    volunteer = await current_pause(ctx, member)
    if volunteer is None:
        return False
    volunteer.paused_at = volunteer.paused_until = None
    await ctx.uow.buddies.save_volunteer(volunteer)
    await _drop_pause_end(ctx, member.id)
    await place_waiting(ctx)
    return True


async def _drop_pause_end(ctx: CommunityContext, member_id: int) -> None:
    for job in await ctx.uow.jobs.pending(ctx.community.id, PAUSE_END):
        if job.member_id == member_id:
            await ctx.uow.jobs.remove(job.id)


async def pause_ended(ctx: CommunityContext, job: Job) -> None:
    """A buddy's pause ran out: forget it, and pair newcomers who waited meanwhile."""
    volunteer = await ctx.uow.buddies.get_volunteer(job.member_id) if job.member_id else None
    if volunteer is None or volunteer.paused(ctx.now):
        return
    if volunteer.paused_at is not None:
        volunteer.paused_at = volunteer.paused_until = None
        await ctx.uow.buddies.save_volunteer(volunteer)
    await place_waiting(ctx)


def pause_note(ctx: CommandContext, volunteer: Volunteer) -> str:
    """'Paused until …' for /buddy and /pause, in the asker's words."""
    if volunteer.paused_until is None:
        return ctx.text("buddy_paused_open_note", ctx.language)
    return ctx.text(
        "buddy_paused_until_note",
        ctx.language,
        until=format_when(ctx, volunteer.paused_until, ctx.language, private_reader(ctx)),
    )

"""Pairing newcomers with buddies: the least-busy available volunteer they have never been
paired with; a buddy who cannot continue passes the newcomer on, nobody waits in silence.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.context import CommandContext, CommunityContext
from bot.domain import Member
from bot.ports import UnitOfWork
from bot.replies import Choice
from bot.services.welcome.records import BuddyRequest, Pairing, PairingStatus, Volunteer

HELLO_WITHIN = timedelta(days=1)
BUDDY_PERIOD = timedelta(days=14)
NUDGE = "buddy_nudge"
CLOSE = "buddy_close"
RESUME = "buddy"  # what an undeliverable introduction to a buddy reports back


async def member_or_none(uow: UnitOfWork, member_id: int | None) -> Member | None:
    """The member, or None when they asked to be forgotten meanwhile."""
    if member_id is None:
        return None
    try:
        return await uow.members.get(member_id)
    except LookupError:
        return None


def is_available(member: Member, volunteer: Volunteer, now: datetime) -> bool:
    """Whether a volunteer can take a newcomer now: still here, volunteering, not pausing."""
    return member.active and volunteer.active and not volunteer.paused(now)


async def find_buddy(ctx: CommunityContext, newcomer: Member) -> Member | None:
    """Least currently paired first, never the same pair twice, within each one's limit."""
    uow = ctx.uow
    open_counts = Counter(p.buddy_id for p in await uow.buddies.open_pairings(ctx.community.id))
    partners = {
        p.buddy_id if p.newcomer_id == newcomer.id else p.newcomer_id
        for p in await uow.buddies.pairings_of(newcomer.id)
    }
    best: tuple[tuple[int, int], Member] | None = None
    for order, volunteer in enumerate(await uow.buddies.volunteers(ctx.community.id)):
        busy = open_counts[volunteer.member_id]
        if volunteer.member_id == newcomer.id or volunteer.member_id in partners:
            continue
        if busy >= volunteer.open_limit:
            continue
        member = await member_or_none(uow, volunteer.member_id)
        if member is None or not is_available(member, volunteer, ctx.now):
            continue
        rank = (busy, order)
        if best is None or rank < best[0]:
            best = (rank, member)
    return best[1] if best else None


def buddy_choices(ctx: CommunityContext, buddy: Member, pairing: Pairing) -> tuple[Choice, ...]:
    return (
        Choice(ctx.text("buddy_button_hello", buddy.speaks), f"bud:hello:{pairing.id}"),
        Choice(ctx.text("buddy_button_pass", buddy.speaks), f"bud:pass:{pairing.id}"),
    )


async def pair(ctx: CommunityContext, newcomer: Member, buddy: Member) -> Pairing:
    """Record the pairing and introduce the newcomer to the buddy; the caller tells the
    newcomer, where they can be reached."""
    pairing = await ctx.uow.buddies.add_pairing(
        community_id=ctx.community.id, newcomer_id=newcomer.id, buddy_id=buddy.id, at=ctx.now
    )
    ctx.tell(
        buddy,
        "buddy_intro_to_buddy",
        newcomer=newcomer.display_name,
        community=ctx.community.name,
        choices=buddy_choices(ctx, buddy, pairing),
        resume=RESUME,
    )
    payload = {"pairing": pairing.id}
    await ctx.uow.jobs.add(
        community_id=ctx.community.id,
        kind=NUDGE,
        due_at=ctx.now + HELLO_WITHIN,
        payload=payload,
        member_id=buddy.id,
    )
    await ctx.uow.jobs.add(
        community_id=ctx.community.id,
        kind=CLOSE,
        due_at=ctx.now + BUDDY_PERIOD,
        payload=payload,
        member_id=newcomer.id,
    )
    return pairing


async def open_pairing_of(uow: UnitOfWork, newcomer_id: int) -> Pairing | None:
    for pairing in await uow.buddies.pairings_of(newcomer_id):
        if pairing.newcomer_id == newcomer_id and pairing.status is PairingStatus.OPEN:
            return pairing
    return None


async def request_buddy(ctx: CommunityContext, newcomer: Member) -> Member | None:
    """A newcomer asks for a buddy: returns the buddy they are paired with, or None when
    nobody is free (they stay on the waiting list that moderators see)."""
    uow = ctx.uow
    if await uow.buddies.get_request(newcomer.id) is None:
        await uow.buddies.add_request(BuddyRequest(newcomer.id, ctx.community.id, ctx.now))
    current = await open_pairing_of(uow, newcomer.id)
    if current is not None:
        return await member_or_none(uow, current.buddy_id)
    buddy = await find_buddy(ctx, newcomer)
    if buddy is not None:
        await pair(ctx, newcomer, buddy)
    return buddy


async def place_waiting(ctx: CommunityContext) -> None:
    """Pair waiting newcomers, longest waiting first, now that someone may be free."""
    uow = ctx.uow
    for request in await uow.buddies.waiting(ctx.community.id):
        newcomer = await member_or_none(uow, request.member_id)
        if newcomer is None or not newcomer.active:
            await uow.buddies.remove_request(request.member_id)
            continue
        buddy = await find_buddy(ctx, newcomer)
        if buddy is not None:
            await pair(ctx, newcomer, buddy)
            ctx.tell(newcomer, "buddy_found_later", buddy=buddy.display_name)


async def _drop_jobs(ctx: CommunityContext, pairing: Pairing) -> None:
    for kind in (NUDGE, CLOSE):
        for job in await ctx.uow.jobs.pending(ctx.community.id, kind):
            if job.payload.get("pairing") == pairing.id:
                await ctx.uow.jobs.remove(job.id)


async def end_pairing(ctx: CommunityContext, pairing: Pairing, status: PairingStatus) -> None:
    pairing.status = status
    pairing.ended_at = ctx.now
    await ctx.uow.buddies.save_pairing(pairing)
    await _drop_jobs(ctx, pairing)


async def move_on(ctx: CommunityContext, pairing: Pairing, status: PairingStatus) -> None:
    """The buddy cannot continue (passed, left, unreachable): the newcomer goes to the next
    volunteer, or is told honestly that they wait for one."""
    await end_pairing(ctx, pairing, status)
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    if newcomer is None or not newcomer.active:
        return
    buddy = await find_buddy(ctx, newcomer)
    if buddy is not None:
        await pair(ctx, newcomer, buddy)
        ctx.tell(newcomer, "buddy_moved_on", buddy=buddy.display_name)
    else:
        ctx.tell(newcomer, "buddy_moved_on_waiting")


async def own_open_pairings(ctx: CommandContext) -> list[Pairing]:
    return [
        p
        for p in await ctx.uow.buddies.pairings_of(ctx.member.id)
        if p.status is PairingStatus.OPEN
    ]

"""The buddy period: the buddy's buttons, a reminder a day on, the close after two weeks, and
what happens when one of the pair leaves or cannot be reached.
"""

from __future__ import annotations

from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.services.welcome.pairing import (
    buddy_choices,
    end_pairing,
    member_or_none,
    move_on,
    place_waiting,
)
from bot.services.welcome.records import Pairing, PairingStatus


async def pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 2 or parts[0] not in ("hello", "pass") or whole_number(parts[1]) is None:
        raise Refusal("choice_stale")
    pairing = await ctx.uow.buddies.get_pairing(int(parts[1]))
    if pairing is None or pairing.status is not PairingStatus.OPEN:
        raise Refusal("choice_stale")
    if pairing.buddy_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    name = newcomer.display_name if newcomer else ctx.text("former_member", ctx.language)
    if parts[0] == "hello":
        if pairing.greeted_at is None:
            pairing.greeted_at = ctx.now
            await ctx.uow.buddies.save_pairing(pairing)
        ctx.say("buddy_thanks_hello", newcomer=name)
        return
    await move_on(ctx, pairing, PairingStatus.PASSED)
    ctx.say("buddy_passed", newcomer=name)


async def _open_pairing(ctx: CommunityContext, job: Job) -> Pairing | None:
    pairing_id = job.payload.get("pairing")
    if not isinstance(pairing_id, int):
        return None
    pairing = await ctx.uow.buddies.get_pairing(pairing_id)
    return pairing if pairing and pairing.status is PairingStatus.OPEN else None


async def nudge(ctx: CommunityContext, job: Job) -> None:
    """One gentle reminder, a day on, to a buddy who has not said they said hello."""
    pairing = await _open_pairing(ctx, job)
    if pairing is None or pairing.greeted_at is not None:
        return
    buddy = await member_or_none(ctx.uow, pairing.buddy_id)
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    if buddy is None or newcomer is None or not buddy.active:
        return
    ctx.tell(
        buddy,
        "buddy_nudge",
        newcomer=newcomer.display_name,
        choices=buddy_choices(ctx, buddy, pairing),
    )


async def close(ctx: CommunityContext, job: Job) -> None:
    """The buddy period is over: thank both, and free the buddy for someone waiting."""
    pairing = await _open_pairing(ctx, job)
    if pairing is None:
        return
    await end_pairing(ctx, pairing, PairingStatus.CLOSED)
    await ctx.uow.buddies.remove_request(pairing.newcomer_id)
    buddy = await member_or_none(ctx.uow, pairing.buddy_id)
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    if buddy and newcomer and buddy.active:
        ctx.tell(buddy, "buddy_period_over_buddy", newcomer=newcomer.display_name)
    if buddy and newcomer and newcomer.active:
        ctx.tell(newcomer, "buddy_period_over_newcomer", buddy=buddy.display_name)
    await place_waiting(ctx)


# -- people leaving or unreachable ----------------------------------------------------------


async def buddy_left(ctx: CommunityContext, member: Member) -> None:
    uow = ctx.uow
    volunteer = await uow.buddies.get_volunteer(member.id)
    if volunteer is not None and volunteer.active:
        volunteer.active = False
        await uow.buddies.save_volunteer(volunteer)
    await uow.buddies.remove_request(member.id)
    for pairing in await uow.buddies.pairings_of(member.id):
        if pairing.status is not PairingStatus.OPEN:
            continue
        if pairing.buddy_id == member.id:
            await move_on(ctx, pairing, PairingStatus.ENDED)
            continue
        await end_pairing(ctx, pairing, PairingStatus.ENDED)
        buddy = await member_or_none(uow, pairing.buddy_id)
        if buddy is not None and buddy.active:
            ctx.tell(buddy, "buddy_newcomer_left", newcomer=member.display_name)
    await place_waiting(ctx)


async def buddy_unreachable(ctx: CommunityContext, member: Member) -> None:
    """An introduction could not reach the buddy: pass the newcomer on, stop asking them."""
    volunteer = await ctx.uow.buddies.get_volunteer(member.id)
    if volunteer is not None and volunteer.active:
        volunteer.active = False
        await ctx.uow.buddies.save_volunteer(volunteer)
    for pairing in reversed(await ctx.uow.buddies.pairings_of(member.id)):
        if (
            pairing.buddy_id == member.id
            and pairing.status is PairingStatus.OPEN
            and pairing.greeted_at is None
        ):
            await move_on(ctx, pairing, PairingStatus.PASSED)

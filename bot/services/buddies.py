"""Buddies: members volunteer to show newcomers around; a newcomer who asks is paired with the
least-busy available volunteer they have never been paired with, both are introduced privately,
and a buddy who cannot do it passes the newcomer on. Nobody is left waiting in silence.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.catalog import Markup, Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.numbers import whole_number
from bot.ports import UnitOfWork
from bot.replies import Choice
from bot.roles import Role
from bot.services.needs.config import format_when
from bot.welcome_records import BuddyRequest, Pairing, PairingStatus, Volunteer

feature = Feature("buddies")
DEFAULT_LIMIT = 2
MAX_LIMIT = 5
HELLO_WITHIN = timedelta(days=1)
BUDDY_PERIOD = timedelta(days=14)
NUDGE = "buddy_nudge"
CLOSE = "buddy_close"
PAUSE_END = "buddy_pause_end"
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


def _buddy_choices(ctx: CommunityContext, buddy: Member, pairing: Pairing) -> tuple[Choice, ...]:
    return (
        Choice(ctx.text("buddy_button_hello", buddy.language), f"bud:hello:{pairing.id}"),
        Choice(ctx.text("buddy_button_pass", buddy.language), f"bud:pass:{pairing.id}"),
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
        choices=_buddy_choices(ctx, buddy, pairing),
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


async def _end(ctx: CommunityContext, pairing: Pairing, status: PairingStatus) -> None:
    pairing.status = status
    pairing.ended_at = ctx.now
    await ctx.uow.buddies.save_pairing(pairing)
    await _drop_jobs(ctx, pairing)


async def move_on(ctx: CommunityContext, pairing: Pairing, status: PairingStatus) -> None:
    """The buddy cannot continue (passed, left, unreachable): the newcomer goes to the next
    volunteer, or is told honestly that they wait for one."""
    await _end(ctx, pairing, status)
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    if newcomer is None or not newcomer.active:
        return
    buddy = await find_buddy(ctx, newcomer)
    if buddy is not None:
        await pair(ctx, newcomer, buddy)
        ctx.tell(newcomer, "buddy_moved_on", buddy=buddy.display_name)
    else:
        ctx.tell(newcomer, "buddy_moved_on_waiting")


# -- pausing (/pause buddy) -----------------------------------------------------------------


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
    return sum(1 for p in await _open_pairings(ctx) if p.buddy_id == ctx.member.id)


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


@feature.job(PAUSE_END)
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
        "buddy_paused_until_note", ctx.language, until=format_when(ctx, volunteer.paused_until)
    )


# -- /buddy ---------------------------------------------------------------------------------


@feature.command(
    "buddy",
    "Volunteer to show newcomers around, stop, or see your buddy pairings.",
    Param(
        "action",
        ParamType.CHOICE,
        "on (the default), off or status",
        choices=("on", "off", "status"),
    ),
    Param("limit", ParamType.INTEGER, f"With on: newcomers at once (1-{MAX_LIMIT}, default 2)"),
)
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
        current = [p for p in await _open_pairings(ctx) if p.buddy_id == ctx.member.id]
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


async def _open_pairings(ctx: CommandContext) -> list[Pairing]:
    return [
        p
        for p in await ctx.uow.buddies.pairings_of(ctx.member.id)
        if p.status is PairingStatus.OPEN
    ]


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
    mine = await _open_pairings(ctx)
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


# -- the buddy's buttons, reminders and the end of the buddy period ------------------------


@feature.choice("bud")
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


@feature.job(NUDGE)
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
        choices=_buddy_choices(ctx, buddy, pairing),
    )


@feature.job(CLOSE)
async def close(ctx: CommunityContext, job: Job) -> None:
    """The buddy period is over: thank both, and free the buddy for someone waiting."""
    pairing = await _open_pairing(ctx, job)
    if pairing is None:
        return
    await _end(ctx, pairing, PairingStatus.CLOSED)
    await ctx.uow.buddies.remove_request(pairing.newcomer_id)
    buddy = await member_or_none(ctx.uow, pairing.buddy_id)
    newcomer = await member_or_none(ctx.uow, pairing.newcomer_id)
    if buddy and newcomer and buddy.active:
        ctx.tell(buddy, "buddy_period_over_buddy", newcomer=newcomer.display_name)
    if buddy and newcomer and newcomer.active:
        ctx.tell(newcomer, "buddy_period_over_newcomer", buddy=buddy.display_name)
    await place_waiting(ctx)


# -- people leaving or unreachable ----------------------------------------------------------


async def _left(ctx: CommunityContext, member: Member) -> None:
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
        await _end(ctx, pairing, PairingStatus.ENDED)
        buddy = await member_or_none(uow, pairing.buddy_id)
        if buddy is not None and buddy.active:
            ctx.tell(buddy, "buddy_newcomer_left", newcomer=member.display_name)
    await place_waiting(ctx)


async def _buddy_unreachable(ctx: CommunityContext, member: Member) -> None:
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


feature.on_leave.append(_left)
feature.on_unreachable[RESUME] = _buddy_unreachable

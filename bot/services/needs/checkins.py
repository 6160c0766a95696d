"""Needs check-ins: a regular, private question to each member about the basics.

A round opens on schedule or on a moderator's word with a short public note; every member who
has not paused check-ins gets the questions privately, one at a time, answered with a button or
by typing its number. One gentle reminder goes to those who have not answered; when the window
ends the round closes and only aggregates, with small groups suppressed, are posted. Per-member
answers are deleted after the retention period. A member may also check in on their own at any
time; such a check-in stays theirs and never enters any totals.
"""

from __future__ import annotations

from bot.catalog import Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Conversation, Job, Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.roles import Role
from bot.services.needs import config
from bot.services.needs.config import format_when as when
from bot.services.needs.pause import is_paused
from bot.services.needs.privacy import published
from bot.services.needs.questions import FLOW, RESUME, ask, in_round, start, state_for
from bot.services.needs.records import Answer, CheckinRound, Tally
from bot.services.needs.report import render_round
from bot.wording import duration

feature = Feature("checkins")


# -- opening a round -------------------------------------------------------------------------


async def open_round(ctx: CommunityContext, started_by: str) -> CheckinRound | None:
    """Open a round for everyone, unless one is still open (then None)."""
    if await ctx.uow.checkins.open_rounds(ctx.community.id):
        return None
    community = ctx.community
    length = config.window(community)
    checkin_round = await ctx.uow.checkins.add_round(
        community_id=community.id,
        opened_at=ctx.now,
        closes_at=ctx.now + length,
        started_by=started_by,
        needs=config.active_needs(community),
    )
    closes = when(ctx, checkin_round.closes_at)
    ctx.announce(
        "announcements",
        "checkin_round_opened",
        window=duration(length, ctx.community.language),
        closes=closes,
    )
    for member in await ctx.uow.members.active(community.id):
        if await is_paused(ctx, member):
            continue
        if await ctx.uow.checkins.pause(member.id) is not None:
            await ctx.uow.checkins.clear_pause(member.id)  # it has run out: nothing to keep
        await ctx.uow.checkins.invite(checkin_round.id, member.id, ctx.now)
        own_closes = when(ctx, checkin_round.closes_at, member.speaks, member)
        await start(ctx, member, checkin_round, "checkin_intro_round", closes=own_closes)
    delay = config.reminder_delay(community)
    payload = {"round": checkin_round.id}
    if delay < length:
        await ctx.uow.jobs.add(
            community_id=community.id,
            kind="checkin_remind",
            due_at=ctx.now + delay,
            payload=payload,
        )
    await ctx.uow.jobs.add(
        community_id=community.id,
        kind="checkin_close",
        due_at=checkin_round.closes_at,
        payload=payload,
    )
    return checkin_round


@feature.schedule("checkin")
async def scheduled(ctx: CommunityContext) -> None:
    if await open_round(ctx, "schedule") is None:
        await ctx.audit("audit_checkin_skipped", reason=Phrase("audit_checkin_skipped_reason"))
    else:
        await ctx.audit("audit_checkin_opened")


@feature.command(
    "checkin",
    Param("now", ParamType.CHOICE, choices=("now",)),
)
async def checkin(ctx: CommandContext, args: Args) -> None:
    if args.text("now"):
        await _round_now(ctx)
        return
    rounds = await ctx.uow.checkins.open_rounds(ctx.community.id)
    if rounds:
        checkin_round = rounds[0]
        invitation = await ctx.uow.checkins.invite(checkin_round.id, ctx.member.id, ctx.now)
        if invitation.unreachable_at is not None:
            # They came for it (e.g. through Telegram's deep link): reachable until a private
            # message is refused again, which the unreachable hook then marks once more.
            invitation.unreachable_at = None
            await ctx.uow.checkins.save_invitation(invitation)
        earlier = await ctx.uow.checkins.answer(checkin_round.id, ctx.member.id)
        intro = "checkin_intro_again" if earlier and earlier.responded else "checkin_intro_self"
    else:
        found = await ctx.uow.checkins.open_personal(ctx.community.id, ctx.member.id)
        checkin_round = found or await _personal_round(ctx)
        intro = "checkin_intro_personal"
    closes = when(ctx, checkin_round.closes_at, ctx.member.speaks, ctx.member)
    await start(ctx, ctx.member, checkin_round, intro, closes=closes)
    if not ctx.origin.is_private:
        ctx.confirm_private("checkin_sent_privately")


async def _round_now(ctx: CommandContext) -> None:
    if ctx.role < Role.MODERATOR:
        raise Refusal("checkin_now_moderators")
    checkin_round = await open_round(ctx, "moderator")
    if checkin_round is None:
        current = (await ctx.uow.checkins.open_rounds(ctx.community.id))[0]
        raise Refusal("checkin_already_open", closes=when(ctx, current.closes_at))
    await ctx.audit_action("audit_checkin_started")
    ctx.say("checkin_round_started", closes=when(ctx, checkin_round.closes_at))


async def _personal_round(ctx: CommandContext) -> CheckinRound:
    """A member's own check-in: private to them, never part of any totals."""
    checkin_round = await ctx.uow.checkins.add_round(
        community_id=ctx.community.id,
        opened_at=ctx.now,
        closes_at=ctx.now + config.window(ctx.community),
        started_by="member",
        needs=config.active_needs(ctx.community),
        owner_id=ctx.member.id,
    )
    await ctx.uow.checkins.invite(checkin_round.id, ctx.member.id, ctx.now)
    await ctx.uow.jobs.add(
        community_id=ctx.community.id,
        kind="checkin_close",
        due_at=checkin_round.closes_at,
        payload={"round": checkin_round.id},
        member_id=ctx.member.id,
    )
    return checkin_round


# -- reminder, closing, unreachable members --------------------------------------------------


@feature.job("checkin_remind")
async def remind(ctx: CommunityContext, job: Job) -> None:
    """One gentle private reminder to those who have not answered; never a second one."""
    checkin_round = await ctx.uow.checkins.get_round(int(job.payload["round"]))
    if checkin_round is None or not checkin_round.is_open:
        return
    for invitation in await ctx.uow.checkins.invitations(checkin_round.id):
        if invitation.reminded_at:
            continue
        member = await ctx.uow.members.get(invitation.member_id)
        if invitation.unreachable_at and member.unreachable_since is not None:
            continue  # still refused: a reminder would fail too (started the bot since? go)
        answer = await ctx.uow.checkins.answer(checkin_round.id, member.id)
        if not member.active or (answer and answer.responded) or await is_paused(ctx, member):
            continue
        conversation = await ctx.uow.conversations.get(member.id)
        state = state_for(checkin_round, "need", index=0)
        if conversation and in_round(conversation, checkin_round):
            state = conversation.state
        await ctx.uow.conversations.put(Conversation(member.id, FLOW, state))
        closes = when(ctx, checkin_round.closes_at, member.speaks, member)
        preface = ctx.text("checkin_reminder", member.speaks, closes=closes)
        await ask(ctx, member, checkin_round, state, preface)
        invitation.reminded_at = ctx.now
        invitation.unreachable_at = None  # a refused reminder marks it again
        await ctx.uow.checkins.save_invitation(invitation)


@feature.job("checkin_close")
async def close(ctx: CommunityContext, job: Job) -> None:
    checkin_round = await ctx.uow.checkins.get_round(int(job.payload["round"]))
    if checkin_round is not None and checkin_round.is_open:
        await close_round(ctx, checkin_round)


async def close_round(ctx: CommunityContext, checkin_round: CheckinRound) -> None:
    """Freeze the counts, post the summary, and end any check-in still under way."""
    answers = await ctx.uow.checkins.answers(checkin_round.id)
    invitations = await ctx.uow.checkins.invitations(checkin_round.id)
    checkin_round.closed_at = ctx.now
    for member_id in {i.member_id for i in invitations} | {a.member_id for a in answers}:
        conversation = await ctx.uow.conversations.get(member_id)
        if conversation and in_round(conversation, checkin_round):
            await ctx.uow.conversations.clear(member_id)
    if not checkin_round.is_personal:
        responded = [a for a in answers if a.responded]
        checkin_round.invited = len(invitations)
        checkin_round.respondents = len(responded)
        checkin_round.unreachable = sum(1 for i in invitations if i.unreachable_at)
        checkin_round.tallies = {
            need.key: Tally(
                strained=sum(1 for a in responded if a.answers.get(need.key) is Answer.STRAINED),
                unmet=sum(1 for a in responded if a.answers.get(need.key) is Answer.UNMET),
            )
            for need in checkin_round.needs
        }
        checkin_round.threshold = config.threshold(ctx.community)
    await ctx.uow.checkins.save_round(checkin_round)
    if not checkin_round.is_personal:
        language = ctx.community.language
        ctx.announce(
            "announcements",
            "checkin_summary",
            figures=render_round(ctx, checkin_round, published(checkin_round), language),
            threshold=checkin_round.threshold,
        )
        await ctx.audit("audit_checkin_closed")
    await plan_retention(ctx)


async def unreachable(ctx: CommunityContext, member: Member) -> None:
    """A private check-in was refused: count it, and tell the channel once how to fix it."""
    for checkin_round in await ctx.uow.checkins.open_rounds(ctx.community.id):
        invitation = await ctx.uow.checkins.invitation(checkin_round.id, member.id)
        if invitation is None:
            continue
        if invitation.unreachable_at is None:
            invitation.unreachable_at = ctx.now
            await ctx.uow.checkins.save_invitation(invitation)
        if not checkin_round.unreachable_told:
            ctx.announce("announcements", "checkin_unreachable_note")
            checkin_round.unreachable_told = True
            await ctx.uow.checkins.save_round(checkin_round)


feature.on_unreachable[RESUME] = unreachable
feature.resumes[RESUME] = "checkin"  # a deep link's `/start checkin` opens the check-in again


# -- retention -------------------------------------------------------------------------------


async def plan_retention(ctx: CommunityContext) -> None:
    """Queue the next deletion of per-member answers: when the oldest ones fall due."""
    for job in await ctx.uow.jobs.pending(ctx.community.id, "needs_retention"):
        await ctx.uow.jobs.remove(job.id)
    earliest = await ctx.uow.checkins.earliest_retained(ctx.community.id)
    if earliest is not None:
        due = max(earliest + config.retention(ctx.community), ctx.now)
        await ctx.uow.jobs.add(community_id=ctx.community.id, kind="needs_retention", due_at=due)


@feature.job("needs_retention")
async def purge(ctx: CommunityContext, job: Job) -> None:
    cutoff = ctx.now - config.retention(ctx.community)
    await ctx.uow.checkins.purge_closed_by(ctx.community.id, cutoff)
    await plan_retention(ctx)


feature.setup_keys.extend(config.setup_keys(plan_retention))

"""Needs check-ins: a regular, private question to each member about the basics.

A round opens on schedule or on a moderator's word with a short public note; every member who
has not paused check-ins gets the questions privately, one at a time, answered with a button or
by typing its number. One gentle reminder goes to those who have not answered; when the window
ends the round closes and only aggregates, with small groups suppressed, are posted. Per-member
answers are deleted after the retention period. A member may also check in on their own at any
time; such a check-in stays theirs and never enters any totals.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Conversation, Job, Member
from bot.domain_needs import Answer, CheckinAnswer, CheckinRound, Need, Pause, Tally
from bot.errors import Refusal
from bot.feature import Feature
from bot.replies import Choice
from bot.roles import Role
from bot.scheduling import parse_duration
from bot.services import mutual_aid, needs_config
from bot.services.needs_privacy import published
from bot.services.needs_report import render_round

feature = Feature("checkins")
FLOW = "checkin"
RESUME = "checkin"  # what a refused private check-in reports back (Hearth.handle_unreachable)
ANSWERS = {"o": Answer.OKAY, "s": Answer.STRAINED, "u": Answer.UNMET, "k": Answer.SKIP}
WORDS = {"okay": "o", "ok": "o", "fine": "o", "strained": "s", "unmet": "u", "skip": "k"}
MAX_NOTE = 1000
MAX_PAUSE = timedelta(days=366)


def when(ctx: CommunityContext, moment: datetime) -> str:
    local = ctx.local(moment)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


# -- opening a round -------------------------------------------------------------------------


async def active_pause(ctx: CommunityContext, member: Member) -> Pause | None:
    """The member's pause, unless it has run out."""
    pause = await ctx.uow.checkins.pause(member.id)
    if pause is None or (pause.until is not None and pause.until <= ctx.now):
        return None
    return pause


async def is_paused(ctx: CommunityContext, member: Member) -> bool:
    return await active_pause(ctx, member) is not None


async def open_round(ctx: CommunityContext, started_by: str) -> CheckinRound | None:
    """Open a round for everyone, unless one is still open (then None)."""
    if await ctx.uow.checkins.open_rounds(ctx.community.id):
        return None
    community = ctx.community
    length = needs_config.window(community)
    checkin_round = await ctx.uow.checkins.add_round(
        community_id=community.id,
        opened_at=ctx.now,
        closes_at=ctx.now + length,
        started_by=started_by,
        needs=needs_config.active_needs(community),
    )
    closes = when(ctx, checkin_round.closes_at)
    ctx.announce(
        "announcements",
        "checkin_round_opened",
        window=needs_config.format_duration(length),
        closes=closes,
    )
    for member in await ctx.uow.members.active(community.id):
        if await is_paused(ctx, member):
            continue
        if await ctx.uow.checkins.pause(member.id) is not None:
            await ctx.uow.checkins.clear_pause(member.id)  # it has run out: nothing to keep
        await ctx.uow.checkins.invite(checkin_round.id, member.id, ctx.now)
        await _start(ctx, member, checkin_round, "checkin_intro_round", closes=closes)
    delay = needs_config.reminder_delay(community)
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
        await ctx.audit("skipped a check-in round", reason="the previous round is still open")
    else:
        await ctx.audit("opened a check-in round")


@feature.command(
    "checkin",
    "Check in privately on how you're doing; moderators: /checkin now starts a round.",
    Param("now", ParamType.CHOICE, "Moderators: start a round for everyone now", choices=("now",)),
)
async def checkin(ctx: CommandContext, args: Args) -> None:
    if args.text("now"):
        await _round_now(ctx)
        return
    rounds = await ctx.uow.checkins.open_rounds(ctx.community.id)
    if rounds:
        checkin_round = rounds[0]
        await ctx.uow.checkins.invite(checkin_round.id, ctx.member.id, ctx.now)
        earlier = await ctx.uow.checkins.answer(checkin_round.id, ctx.member.id)
        intro = "checkin_intro_again" if earlier and earlier.responded else "checkin_intro_self"
    else:
        found = await ctx.uow.checkins.open_personal(ctx.community.id, ctx.member.id)
        checkin_round = found or await _personal_round(ctx)
        intro = "checkin_intro_personal"
    await _start(ctx, ctx.member, checkin_round, intro, closes=when(ctx, checkin_round.closes_at))
    if not ctx.origin.is_private:
        ctx.say("checkin_sent_privately")


async def _round_now(ctx: CommandContext) -> None:
    if ctx.role < Role.MODERATOR:
        raise Refusal("checkin_now_moderators")
    checkin_round = await open_round(ctx, "moderator")
    if checkin_round is None:
        current = (await ctx.uow.checkins.open_rounds(ctx.community.id))[0]
        raise Refusal("checkin_already_open", closes=when(ctx, current.closes_at))
    await ctx.audit_action("started a check-in round")
    ctx.say("checkin_round_started", closes=when(ctx, checkin_round.closes_at))


async def _personal_round(ctx: CommandContext) -> CheckinRound:
    """A member's own check-in: private to them, never part of any totals."""
    checkin_round = await ctx.uow.checkins.add_round(
        community_id=ctx.community.id,
        opened_at=ctx.now,
        closes_at=ctx.now + needs_config.window(ctx.community),
        started_by="member",
        needs=needs_config.active_needs(ctx.community),
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


# -- asking, one step at a time --------------------------------------------------------------


def _state(checkin_round: CheckinRound, step: str, **more: Any) -> dict[str, Any]:
    return {"round": checkin_round.id, "step": step, **more}


async def _start(
    ctx: CommunityContext, member: Member, checkin_round: CheckinRound, intro: str, **params: Any
) -> None:
    state = _state(checkin_round, "need", index=0)
    await ctx.uow.conversations.put(Conversation(member.id, FLOW, state))
    preface = ctx.text(intro, member.language, **params)
    await _ask(ctx, member, checkin_round, state, preface)


async def _ask(
    ctx: CommunityContext,
    member: Member,
    checkin_round: CheckinRound,
    state: dict[str, Any],
    preface: str = "",
) -> None:
    """Send the question for the member's current step, always privately."""
    language = member.language
    step = state["step"]
    if step == "need":
        need = checkin_round.needs[state["index"]]
        question = ctx.text(
            "checkin_question",
            language,
            need=needs_config.need_label(ctx, need, language),
            number=state["index"] + 1,
            total=len(checkin_round.needs),
        )
    elif step == "hand":
        answer = await ctx.uow.checkins.answer(checkin_round.id, member.id)
        asked = bool(answer and answer.hands)
        question = ctx.text("checkin_hand_more" if asked else "checkin_hand_question", language)
    elif step == "offer":
        question = ctx.text("checkin_offer_question", language)
    elif step == "offer_text":
        label = needs_config.category_label(ctx, state["category"], language)
        question = ctx.text("checkin_offer_what", language, category=label)
    else:
        question = ctx.text("checkin_note_question", language)
    ctx.tell(
        member,
        "checkin_with_preface" if preface else "checkin_step",
        preface=Markup(preface),
        question=Markup(question),
        choices=await _choices(ctx, member, checkin_round, state),
        resume=RESUME,
    )


async def _choices(
    ctx: CommunityContext, member: Member, checkin_round: CheckinRound, state: dict[str, Any]
) -> tuple[Choice, ...]:
    """The buttons of a step; typing a number picks the button with that number."""
    language = member.language
    prefix = f"ci:{checkin_round.id}"
    step = state["step"]

    def label(key: str) -> str:
        return ctx.text(key, language)

    if step == "need":
        index = state["index"]
        return tuple(
            Choice(label(f"checkin_{answer.value}"), f"{prefix}:n:{index}:{code}")
            for code, answer in ANSWERS.items()
        )
    needs = list(enumerate(checkin_round.needs))
    if step == "hand":
        answer = await ctx.uow.checkins.answer(checkin_round.id, member.id)
        asked = set(answer.hands) if answer else set()
        done = label("checkin_thats_all" if asked else "checkin_no_thanks")
        return (
            *(
                Choice(needs_config.need_label(ctx, need, language), f"{prefix}:h:{index}")
                for index, need in needs
                if need.key not in asked
            ),
            Choice(done, f"{prefix}:h:-"),
        )
    if step == "offer":
        return (
            *(
                Choice(needs_config.need_label(ctx, need, language), f"{prefix}:o:{index}")
                for index, need in needs
            ),
            Choice(needs_config.category_label(ctx, needs_config.OTHER, language), f"{prefix}:o:x"),
            Choice(label("checkin_not_now"), f"{prefix}:o:-"),
        )
    if step == "offer_text":
        return (Choice(label("checkin_never_mind"), f"{prefix}:t:-"),)
    return (Choice(label("checkin_skip_note"), f"{prefix}:e:-"),)


# -- answers ---------------------------------------------------------------------------------


async def _round_for(ctx: CommandContext, round_id: str) -> CheckinRound:
    found = await ctx.uow.checkins.get_round(int(round_id)) if round_id.isdigit() else None
    if found is None or not found.is_open:
        raise Refusal("checkin_closed")
    if found.owner_id not in (None, ctx.member.id):
        raise Refusal("choice_not_yours")
    if found.owner_id is None and not await ctx.uow.checkins.invitation(found.id, ctx.member.id):
        raise Refusal("choice_not_yours")
    return found


async def _current(ctx: CommandContext, checkin_round: CheckinRound) -> dict[str, Any] | None:
    conversation = await ctx.uow.conversations.get(ctx.member.id)
    if conversation and _in_round(conversation, checkin_round):
        return conversation.state
    return None


def _in_round(conversation: Conversation, checkin_round: CheckinRound) -> bool:
    return conversation.flow == FLOW and conversation.state.get("round") == checkin_round.id


async def _move(ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any]) -> None:
    await ctx.uow.conversations.put(Conversation(ctx.member.id, FLOW, state))


async def _answer_row(ctx: CommandContext, checkin_round: CheckinRound) -> CheckinAnswer:
    found = await ctx.uow.checkins.answer(checkin_round.id, ctx.member.id)
    return found or CheckinAnswer(checkin_round.id, ctx.member.id, ctx.now)


@feature.choice("ci")
async def pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) < 3:
        raise Refusal("choice_stale")
    checkin_round = await _round_for(ctx, parts[0])
    await _act(ctx, checkin_round, parts[1:])


async def _act(ctx: CommandContext, checkin_round: CheckinRound, parts: list[str]) -> None:
    state = await _current(ctx, checkin_round)
    match parts:
        case ["n", index, code] if index.isdigit() and code in ANSWERS:
            await _answer_need(ctx, checkin_round, state, int(index), code)
            return
        case [step, arg] if state is not None and _STEP_OF.get(step) == state["step"]:
            await _STEPS[step](ctx, checkin_round, state, arg)
            return
    raise Refusal("choice_stale")


async def _answer_need(
    ctx: CommandContext,
    checkin_round: CheckinRound,
    state: dict[str, Any] | None,
    index: int,
    code: str,
) -> None:
    if index >= len(checkin_round.needs):
        raise Refusal("choice_stale")
    need = checkin_round.needs[index]
    answer = await _answer_row(ctx, checkin_round)
    answer.answers[need.key] = ANSWERS[code]  # answering again replaces, need by need
    answer.answered_at = ctx.now
    await ctx.uow.checkins.save_answer(answer)
    invitation = await ctx.uow.checkins.invitation(checkin_round.id, ctx.member.id)
    if invitation is not None and invitation.unreachable_at is not None:
        invitation.unreachable_at = None  # they found their way here after all
        await ctx.uow.checkins.save_invitation(invitation)
    behind = state is not None and (state["step"] != "need" or state["index"] > index)
    if behind or (state is None and answer.completed):
        ctx.say(
            "checkin_changed",
            need=needs_config.need_label(ctx, need, ctx.language),
            answer=ctx.text(f"checkin_{ANSWERS[code].value}", ctx.language),
        )
        return
    following = index + 1
    if following < len(checkin_round.needs):
        new = _state(checkin_round, "need", index=following)
    else:
        new = _state(checkin_round, "hand")
    await _move(ctx, checkin_round, new)
    await _ask(ctx, ctx.member, checkin_round, new)


async def _hand(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    if arg == "-":
        await _go(ctx, checkin_round, _state(checkin_round, "offer"))
        return
    need = _need_at(checkin_round, arg)
    answer = await _answer_row(ctx, checkin_round)
    if need.key not in answer.hands:
        answer.hands.append(need.key)
        await ctx.uow.checkins.save_answer(answer)
    outcome = await mutual_aid.open_request(ctx, ctx.member, need.key)
    preface = ctx.text(
        f"checkin_hand_{outcome.value}",
        ctx.language,
        category=needs_config.need_label(ctx, need, ctx.language),
    )
    left = [n for n in checkin_round.needs if n.key not in answer.hands]
    following = _state(checkin_round, "hand" if left else "offer")
    await _go(ctx, checkin_round, following, preface)


async def _offer(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    if arg == "-":
        await _go(ctx, checkin_round, _state(checkin_round, "note"))
        return
    category = needs_config.OTHER if arg == "x" else _need_at(checkin_round, arg).key
    await _go(ctx, checkin_round, _state(checkin_round, "offer_text", category=category))


async def _offer_skipped(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    await _go(ctx, checkin_round, _state(checkin_round, "note"))


async def _note_skipped(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    await _finish(ctx, checkin_round, note=None)


_STEPS = {"h": _hand, "o": _offer, "t": _offer_skipped, "e": _note_skipped}
_STEP_OF = {"h": "hand", "o": "offer", "t": "offer_text", "e": "note"}


def _need_at(checkin_round: CheckinRound, arg: str) -> Need:
    if not arg.isdigit() or int(arg) >= len(checkin_round.needs):
        raise Refusal("choice_stale")
    return checkin_round.needs[int(arg)]


async def _go(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], preface: str = ""
) -> None:
    await _move(ctx, checkin_round, state)
    await _ask(ctx, ctx.member, checkin_round, state, preface)


async def _finish(ctx: CommandContext, checkin_round: CheckinRound, note: str | None) -> None:
    answer = await _answer_row(ctx, checkin_round)
    if note is not None:
        answer.note = note
    answer.completed = True
    await ctx.uow.checkins.save_answer(answer)
    await ctx.uow.conversations.clear(ctx.member.id)
    key = "checkin_done_personal" if checkin_round.is_personal else "checkin_done"
    ctx.tell(ctx.member, key)


@feature.flow(FLOW)
async def typed(ctx: CommandContext, message: str) -> None:
    """A plain private message while a check-in waits: a number, a word, an offer or a note."""
    if not ctx.origin.is_private:
        return  # what people say in the channels is never read as an answer
    conversation = await ctx.uow.conversations.get(ctx.member.id)
    if conversation is None:
        return
    state = conversation.state
    found = await ctx.uow.checkins.get_round(int(state.get("round", 0)))
    if found is None or not found.is_open:
        await ctx.uow.conversations.clear(ctx.member.id)
        ctx.say("checkin_closed")
        return
    text = message.strip()
    choices = await _choices(ctx, ctx.member, found, state)
    picked: str | None = None
    if text.isdigit() and 1 <= int(text) <= len(choices):
        picked = choices[int(text) - 1].key
    elif state["step"] == "need" and text.lower() in WORDS:
        picked = f"ci:{found.id}:n:{state['index']}:{WORDS[text.lower()]}"
    if picked is not None:
        await _act(ctx, found, picked.split(":")[2:])
    elif state["step"] == "offer_text" and text:
        await _typed_offer(ctx, found, state, text)
    elif state["step"] == "note" and text:
        if len(text) > MAX_NOTE:
            raise Refusal("checkin_note_too_long", limit=MAX_NOTE)
        await _finish(ctx, found, note=text)
    else:
        hint = ctx.text("checkin_type_number", ctx.language, count=len(choices))
        await _ask(ctx, ctx.member, found, state, hint)


async def _typed_offer(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], text: str
) -> None:
    if len(text) > mutual_aid.MAX_OFFER:
        raise Refusal("aid_offer_too_long", limit=mutual_aid.MAX_OFFER)
    category = str(state["category"])
    await mutual_aid.record_offer(ctx, ctx.member, category, text)
    answer = await _answer_row(ctx, checkin_round)
    if category not in answer.offered:
        answer.offered.append(category)
        await ctx.uow.checkins.save_answer(answer)
    preface = ctx.text(
        "checkin_offer_saved",
        ctx.language,
        category=needs_config.category_label(ctx, category, ctx.language),
    )
    await _go(ctx, checkin_round, _state(checkin_round, "note"), preface)


# -- reminder, closing, unreachable members --------------------------------------------------


@feature.job("checkin_remind")
async def remind(ctx: CommunityContext, job: Job) -> None:
    """One gentle private reminder to those who have not answered; never a second one."""
    checkin_round = await ctx.uow.checkins.get_round(int(job.payload["round"]))
    if checkin_round is None or not checkin_round.is_open:
        return
    closes = when(ctx, checkin_round.closes_at)
    for invitation in await ctx.uow.checkins.invitations(checkin_round.id):
        if invitation.reminded_at or invitation.unreachable_at:
            continue
        member = await ctx.uow.members.get(invitation.member_id)
        answer = await ctx.uow.checkins.answer(checkin_round.id, member.id)
        if not member.active or (answer and answer.responded) or await is_paused(ctx, member):
            continue
        conversation = await ctx.uow.conversations.get(member.id)
        state = _state(checkin_round, "need", index=0)
        if conversation and conversation.state.get("round") == checkin_round.id:
            state = conversation.state
        await ctx.uow.conversations.put(Conversation(member.id, FLOW, state))
        preface = ctx.text("checkin_reminder", member.language, closes=closes)
        await _ask(ctx, member, checkin_round, state, preface)
        invitation.reminded_at = ctx.now
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
        if conversation and _in_round(conversation, checkin_round):
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
        checkin_round.threshold = needs_config.threshold(ctx.community)
    await ctx.uow.checkins.save_round(checkin_round)
    if not checkin_round.is_personal:
        language = ctx.community.language
        ctx.announce(
            "announcements",
            "checkin_summary",
            figures=render_round(ctx, checkin_round, published(checkin_round), language),
            threshold=checkin_round.threshold,
        )
        await ctx.audit("closed a check-in round")
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


# -- retention -------------------------------------------------------------------------------


async def plan_retention(ctx: CommunityContext) -> None:
    """Queue the next deletion of per-member answers: when the oldest ones fall due."""
    for job in await ctx.uow.jobs.pending(ctx.community.id, "needs_retention"):
        await ctx.uow.jobs.remove(job.id)
    earliest = await ctx.uow.checkins.earliest_retained(ctx.community.id)
    if earliest is not None:
        due = max(earliest + needs_config.retention(ctx.community), ctx.now)
        await ctx.uow.jobs.add(community_id=ctx.community.id, kind="needs_retention", due_at=due)


@feature.job("needs_retention")
async def purge(ctx: CommunityContext, job: Job) -> None:
    cutoff = ctx.now - needs_config.retention(ctx.community)
    await ctx.uow.checkins.purge_closed_by(ctx.community.id, cutoff)
    await plan_retention(ctx)


feature.setup_keys.extend(needs_config.setup_keys(plan_retention))


# -- pausing ---------------------------------------------------------------------------------


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

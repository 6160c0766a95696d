"""The check-in conversation: one private question at a time, answered with a button or by
typing its number; then a hand, an offer and a note, all optional.

The conversation state (which round, which step) lives in the member's conversation, so it
survives restarts; buttons carry the round and step, so an old button is recognised as such.
"""

from __future__ import annotations

from typing import Any

from bot.catalog import Markup
from bot.context import CommandContext, CommunityContext
from bot.domain import Conversation, Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.numbers import whole_number
from bot.replies import Choice
from bot.services import care
from bot.services.needs import aid_matching, config
from bot.services.needs.records import Answer, CheckinAnswer, CheckinRound, Need

feature = Feature("checkin_questions")
FLOW = "checkin"
RESUME = "checkin"  # what a refused private check-in reports back (Hearth.handle_unreachable)
ANSWERS = {"o": Answer.OKAY, "s": Answer.STRAINED, "u": Answer.UNMET, "k": Answer.SKIP}
# Words people type for an answer, beside the buttons' own labels ("ok." and "OK" count too).
WORDS = {
    **dict.fromkeys(("okay", "ok", "okey", "k", "fine", "good", "alright", "all right"), "o"),
    **dict.fromkeys(("strained", "tight", "struggling"), "s"),
    **dict.fromkeys(("unmet", "not met"), "u"),
    **dict.fromkeys(("skip", "pass"), "k"),
}


def _plain_word(text: str) -> str:
    """'OK.', ' okay! ' -> 'ok', 'okay': case and closing punctuation don't change an answer."""
    return " ".join(text.lower().strip().rstrip(".!").split())


MAX_NOTE = 1000


def state_for(checkin_round: CheckinRound, step: str, **more: Any) -> dict[str, Any]:
    return {"round": checkin_round.id, "step": step, **more}


async def start(
    ctx: CommunityContext, member: Member, checkin_round: CheckinRound, intro: str, **params: Any
) -> None:
    state = state_for(checkin_round, "need", index=0)
    await ctx.uow.conversations.put(Conversation(member.id, FLOW, state))
    preface = ctx.text(intro, member.speaks, **params)
    await ask(ctx, member, checkin_round, state, preface, privately=True)


async def ask(
    ctx: CommunityContext,
    member: Member,
    checkin_round: CheckinRound,
    state: dict[str, Any],
    preface: str = "",
    *,
    privately: bool = False,
) -> None:
    """Send the question for the member's current step, to them alone.

    It goes by private message, unless the member is answering right now where they pressed a
    button: then the next question comes where they are, seen by them only (on Discord, that is
    how a member whose private messages are closed still gets through the check-in).
    """
    language = member.speaks
    step = state["step"]
    if step == "need":
        need = checkin_round.needs[state["index"]]
        question = ctx.text(
            "checkin_question",
            language,
            need=config.need_label(ctx, need, language),
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
        label = config.category_label(ctx, state["category"], language)
        question = ctx.text("checkin_offer_what", language, category=label)
    else:
        question = ctx.text("checkin_note_question", language)
    key = "checkin_with_preface" if preface else "checkin_step"
    choices = await _choices(ctx, member, checkin_round, state)
    body: dict[str, Any] = {"preface": Markup(preface), "question": Markup(question)}
    if not privately and isinstance(ctx, CommandContext) and ctx.member.id == member.id:
        # A check-in shown where they asked (a Discord channel, ephemerally) is theirs alone.
        ctx.say(key, choices=choices, confidential=True, **body)
    else:
        ctx.tell(member, key, choices=choices, resume=RESUME, **body)


async def _choices(
    ctx: CommunityContext, member: Member, checkin_round: CheckinRound, state: dict[str, Any]
) -> tuple[Choice, ...]:
    """The buttons of a step; typing a number picks the button with that number."""
    language = member.speaks
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
                Choice(config.need_label(ctx, need, language), f"{prefix}:h:{index}")
                for index, need in needs
                if need.key not in asked
            ),
            Choice(done, f"{prefix}:h:-"),
        )
    if step == "offer":
        return (
            *(
                Choice(config.need_label(ctx, need, language), f"{prefix}:o:{index}")
                for index, need in needs
            ),
            Choice(config.category_label(ctx, config.OTHER, language), f"{prefix}:o:x"),
            Choice(label("checkin_not_now"), f"{prefix}:o:-"),
        )
    if step == "offer_text":
        return (Choice(label("checkin_never_mind"), f"{prefix}:t:-"),)
    return (Choice(label("checkin_skip_note"), f"{prefix}:e:-"),)


# -- answers ---------------------------------------------------------------------------------


async def _round_for(ctx: CommandContext, round_id: str) -> CheckinRound:
    number = whole_number(round_id)
    found = await ctx.uow.checkins.get_round(number) if number is not None else None
    if found is None or not found.is_open:
        raise Refusal("checkin_closed")
    if found.owner_id not in (None, ctx.member.id):
        raise Refusal("choice_not_yours")
    if found.owner_id is None and not await ctx.uow.checkins.invitation(found.id, ctx.member.id):
        raise Refusal("choice_not_yours")
    return found


async def _current(ctx: CommandContext, checkin_round: CheckinRound) -> dict[str, Any] | None:
    conversation = await ctx.uow.conversations.get(ctx.member.id)
    if conversation and in_round(conversation, checkin_round):
        return conversation.state
    return None


def in_round(conversation: Conversation, checkin_round: CheckinRound) -> bool:
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
        case ["n", index, code] if whole_number(index) is not None and code in ANSWERS:
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
            need=config.need_label(ctx, need, ctx.language),
            answer=ctx.text(f"checkin_{ANSWERS[code].value}", ctx.language),
        )
        return
    following = index + 1
    preface = ""
    if following < len(checkin_round.needs):
        new = state_for(checkin_round, "need", index=following)
    else:
        new = state_for(checkin_round, "hand")
        if answer.is_hard(len(checkin_round.needs)):
            support = care.support_part(ctx, ctx.language)
            preface = ctx.text("checkin_hard_ack", ctx.language, support=support)
    await _move(ctx, checkin_round, new)
    await ask(ctx, ctx.member, checkin_round, new, preface)


async def _hand(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    if arg == "-":
        await _go(ctx, checkin_round, await _after_hands(ctx, checkin_round))
        return
    need = _need_at(checkin_round, arg)
    answer = await _answer_row(ctx, checkin_round)
    if need.key not in answer.hands:
        answer.hands.append(need.key)
        await ctx.uow.checkins.save_answer(answer)
    outcome = await aid_matching.open_request(ctx, ctx.member, need.key)
    preface = ctx.text(
        f"checkin_hand_{outcome.value}",
        ctx.language,
        category=config.need_label(ctx, need, ctx.language),
    )
    left = [n for n in checkin_round.needs if n.key not in answer.hands]
    if left:
        following = state_for(checkin_round, "hand")
    else:
        following = await _after_hands(ctx, checkin_round)
    await _go(ctx, checkin_round, following, preface)


async def _after_hands(ctx: CommandContext, checkin_round: CheckinRound) -> dict[str, Any]:
    """Someone having a hard time is not asked, there and then, what they could offer."""
    answer = await _answer_row(ctx, checkin_round)
    hard = answer.is_hard(len(checkin_round.needs))
    return state_for(checkin_round, "note" if hard else "offer")


async def _offer(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    if arg == "-":
        await _go(ctx, checkin_round, state_for(checkin_round, "note"))
        return
    category = config.OTHER if arg == "x" else _need_at(checkin_round, arg).key
    await _go(ctx, checkin_round, state_for(checkin_round, "offer_text", category=category))


async def _offer_skipped(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    await _go(ctx, checkin_round, state_for(checkin_round, "note"))


async def _note_skipped(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], arg: str
) -> None:
    await _finish(ctx, checkin_round, note=None)


_STEPS = {"h": _hand, "o": _offer, "t": _offer_skipped, "e": _note_skipped}
_STEP_OF = {"h": "hand", "o": "offer", "t": "offer_text", "e": "note"}


def _need_at(checkin_round: CheckinRound, arg: str) -> Need:
    index = whole_number(arg)
    if index is None or index >= len(checkin_round.needs):
        raise Refusal("choice_stale")
    return checkin_round.needs[int(arg)]


async def _go(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], preface: str = ""
) -> None:
    await _move(ctx, checkin_round, state)
    await ask(ctx, ctx.member, checkin_round, state, preface)


async def _finish(ctx: CommandContext, checkin_round: CheckinRound, note: str | None) -> None:
    answer = await _answer_row(ctx, checkin_round)
    if note is not None:
        answer.note = note
    answer.completed = True
    await ctx.uow.checkins.save_answer(answer)
    await ctx.uow.conversations.clear(ctx.member.id)
    done = "checkin_done_personal" if checkin_round.is_personal else "checkin_done"
    if answer.is_hard(len(checkin_round.needs)):
        ctx.say("checkin_done_hard", done=Markup(ctx.text(done, ctx.language)))
    else:
        ctx.say(done)


@feature.flow(FLOW)
async def typed(ctx: CommandContext, message: str) -> None:
    """A plain private message while a check-in waits: a number, a word, an offer or a note."""
    if not ctx.in_confidence:
        return  # what people say in the channels is never read as an answer
    conversation = await ctx.uow.conversations.get(ctx.member.id)
    if conversation is None:
        return
    state = conversation.state
    found = await ctx.uow.checkins.get_round(int(state.get("round", 0)))
    if found is None or not found.is_open:
        await ctx.uow.conversations.clear(ctx.member.id)
        await care.answer_unexpected(ctx, ctx.text("checkin_closed", ctx.language))
        return
    text = message.strip()
    choices = await _choices(ctx, ctx.member, found, state)
    picked: str | None = None
    number = whole_number(text)
    if number is not None and 1 <= number <= len(choices):
        picked = choices[number - 1].key
    elif state["step"] == "need" and _plain_word(text) in WORDS:
        picked = f"ci:{found.id}:n:{state['index']}:{WORDS[_plain_word(text)]}"
    else:
        by_label = [c for c in choices if _plain_word(c.label) == _plain_word(text)]
        picked = by_label[0].key if by_label else None
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
        await ask(ctx, ctx.member, found, state, hint)


async def _typed_offer(
    ctx: CommandContext, checkin_round: CheckinRound, state: dict[str, Any], text: str
) -> None:
    if len(text) > aid_matching.MAX_OFFER:
        raise Refusal("aid_offer_too_long", limit=aid_matching.MAX_OFFER)
    category = str(state["category"])
    await aid_matching.record_offer(ctx, ctx.member, category, text)
    answer = await _answer_row(ctx, checkin_round)
    if category not in answer.offered:
        answer.offered.append(category)
        await ctx.uow.checkins.save_answer(answer)
    preface = ctx.text(
        "checkin_offer_saved",
        ctx.language,
        category=config.category_label(ctx, category, ctx.language),
    )
    await _go(ctx, checkin_round, state_for(checkin_round, "note"), preface)

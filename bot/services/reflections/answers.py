"""/reflect and /reflection: members answer the current prompt and read shared answers.

An answer without 'shared' or 'private' is kept private and the member is asked, with one tap,
whether to share it. Private is the kind default: a reflection can be personal, and nothing a
person writes should reach the whole community without a clear yes from them. Saying it up
front (`/reflect shared ...`) skips the question.
"""

from __future__ import annotations

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.domain import Member
from bot.domain_reflections import Reflection
from bot.errors import Refusal
from bot.feature import Feature
from bot.numbers import whole_number
from bot.ports import UnitOfWork
from bot.replies import Choice
from bot.services.linking.history import answer_made_together, round_made_together
from bot.services.reflections.digest import (
    LIST_ANSWER_CHARS,
    LIST_MAX_ANSWERS,
    answer_lines,
    shorten,
)
from bot.services.reflections.rounds import theme_label

MAX_REFLECTION_CHARS = 1500
PREVIEW_CHARS = 80


def split_marker(text: str) -> tuple[bool | None, str]:
    """('shared' -> True, 'private' -> False, neither -> None) and the rest of the text.

    Only these two exact words count, so an answer that merely starts with a similar word
    ("Public transport…") keeps it and falls to the safe default; replies echo the start of
    what was saved, so a misreading is visible at once.
    """
    first, _, rest = text.strip().partition(" ")
    word = first.lower().rstrip(":")
    if word == "shared":
        return True, rest.strip()
    if word == "private":
        return False, rest.strip()
    return None, text.strip()


async def shared_reflection_text(uow: UnitOfWork, member: Member, reflection_id: int) -> str:
    """The text of a reflection its author has shared, so it can become a proposal or an offer.

    The seam for `/propose from reflection K` and similar: only the author may reuse their own
    answer, and only once it is shared (a private one stays private until they choose). Refuses
    with a friendly catalog text otherwise, so a command can simply let the Refusal through.
    """
    found = await uow.reflections.get_answer(member.community_id, reflection_id)
    if found is None or (not found.shared and found.member_id != member.id):
        raise Refusal("reflection_not_found", number=reflection_id)
    if found.member_id != member.id:
        raise Refusal("reflection_handoff_not_yours", number=reflection_id)
    if not found.shared:
        raise Refusal("reflection_handoff_private", number=reflection_id)
    return found.text


def install_answers(feature: Feature) -> None:
    @feature.command(
        "reflect",
        Param("text", ParamType.TEXT),
    )
    async def reflect(ctx: CommandContext, args: Args) -> None:
        raw = args.text("text")
        if raw is None:
            await _show_current(ctx)
            return
        chosen, body = split_marker(raw)
        if not body:
            raise Refusal("reflect_empty")
        if len(body) > MAX_REFLECTION_CHARS:
            raise Refusal("reflect_too_long", limit=MAX_REFLECTION_CHARS, length=len(body))
        current = await ctx.uow.reflections.latest_round(ctx.community.id)
        if current is None:
            raise Refusal("reflect_no_round")
        saved, replaced = await ctx.uow.reflections.answer(
            round_id=current.id,
            member_id=ctx.member.id,
            text=body,
            shared=bool(chosen),
            now=ctx.now,
        )
        notes = []
        if replaced:
            notes.append(ctx.text("reflect_replaced_note", ctx.language))
        if not current.is_open:
            notes.append(
                ctx.text("reflect_late_note", ctx.language, round=current.number, id=saved.id)
            )
        note = Markup("\n".join(notes))
        preview = shorten(body, PREVIEW_CHARS)
        if not chosen and ctx.words_in_public:
            # Kept out of the digest as they asked, but never called private: others read it.
            ctx.words_seen(
                "reflect_words_removed",
                "reflect_words_visible",
                id=saved.id,
                choices=_share_choices(ctx, saved) if chosen is None else (),
            )
        elif chosen is None:
            ctx.say(
                "reflect_saved_ask",
                id=saved.id,
                preview=preview,
                note=note,
                choices=_share_choices(ctx, saved),
            )
        elif chosen:
            ctx.say(
                "reflect_saved_shared",
                id=saved.id,
                preview=preview,
                round=current.number,
                note=note,
            )
        else:
            ctx.say("reflect_saved_private", id=saved.id, preview=preview, note=note)

    @feature.choice("reflect")
    async def pressed(ctx: CommandContext, parts: list[str]) -> None:
        if len(parts) != 2 or whole_number(parts[1]) is None:
            raise Refusal("choice_stale")
        action, number = parts[0], int(parts[1])
        found = await ctx.uow.reflections.get_answer(ctx.community.id, number)
        if found is None:
            raise Refusal("choice_stale")
        if found.member_id != ctx.member.id:
            raise Refusal("choice_not_yours")
        if action == "share":
            await ctx.uow.reflections.set_shared(found.id, True)
            round_ = await ctx.uow.reflections.get_round(found.round_id)
            if round_ is not None and round_.is_open:
                ctx.say("reflect_now_shared", id=found.id, round=round_.number)
            else:
                ctx.say("reflect_now_shared_late", id=found.id)
        elif action in ("keep", "private"):
            await ctx.uow.reflections.set_shared(found.id, False)
            ctx.say("reflect_kept_private", id=found.id, confidential=True)
        else:
            raise Refusal("choice_stale")

    @feature.command(
        "reflection",
        Param("which", ParamType.TEXT),
    )
    async def reflection(ctx: CommandContext, args: Args) -> None:
        which = (args.text("which") or "").strip().lower()
        if not which:
            await _list_mine(ctx)
            return
        word, _, rest = which.partition(" ")
        if word == "answer":  # "/reflection answer 12" reads like the texts name it
            which = rest.strip()
        elif word == "round":
            await _show_round(ctx, _number(rest.strip(), "reflection_bad_number"))
            return
        await _show_one(ctx, _number(which, "reflection_bad_number"))


def _share_choices(ctx: CommandContext, saved: Reflection) -> tuple[Choice, ...]:
    return (
        Choice(ctx.text("reflect_choice_share", ctx.language), f"reflect:share:{saved.id}"),
        Choice(ctx.text("reflect_choice_keep", ctx.language), f"reflect:keep:{saved.id}"),
    )


def _number(text: str, refusal: str) -> int:
    cleaned = text.lstrip("#")
    if whole_number(cleaned) is None:
        raise Refusal(refusal, value=text)
    return int(cleaned)


async def _show_current(ctx: CommandContext) -> None:
    current = await ctx.uow.reflections.latest_round(ctx.community.id)
    if current is None:
        ctx.say("reflect_nothing_yet")
        return
    mine = [
        a for a in await ctx.uow.reflections.answers(current.id) if a.member_id == ctx.member.id
    ]
    notes = []
    if mine:
        visibility = ctx.text(
            "reflection_shared" if mine[0].shared else "reflection_private", ctx.language
        )
        notes.append(
            ctx.text("reflect_answered_note", ctx.language, id=mine[0].id, visibility=visibility)
        )
    if not current.is_open:
        notes.append(ctx.text("reflect_closed_note", ctx.language, round=current.number))
    status = "".join(notes)
    ctx.say(
        "reflect_current",
        number=current.number,
        theme=theme_label(ctx, current.theme, ctx.language),
        prompt=current.prompt_text,
        status=Markup(status),
    )


async def _show_one(ctx: CommandContext, number: int) -> None:
    found = await ctx.uow.reflections.get_answer(ctx.community.id, number)
    is_author = found is not None and found.member_id == ctx.member.id
    if found is None or not (found.shared or is_author):
        await _show_one_made_together(ctx, number)
        return
    round_ = await ctx.uow.reflections.get_round(found.round_id)
    author = await ctx.uow.members.get(found.member_id)
    choices: tuple[Choice, ...] = ()
    status = ""
    if is_author:
        status = ctx.text(
            "reflection_yours_shared" if found.shared else "reflection_yours_private", ctx.language
        )
        if found.shared:  # the seam: a shared answer can become a proposal or an offer
            status += ctx.text("handoff_reflection_hint", ctx.language, number=found.id)
        action = "private" if found.shared else "share"
        label = "reflect_choice_make_private" if found.shared else "reflect_choice_share"
        choices = (Choice(ctx.text(label, ctx.language), f"reflect:{action}:{found.id}"),)
    ctx.say(
        "reflection_full",
        number=found.id,
        name=author.display_name,
        round=round_.number if round_ else "?",
        prompt=round_.prompt_text if round_ else "",
        text=found.text,
        status=Markup(status),
        choices=choices,
        confidential=is_author and not found.shared,
    )


async def _show_one_made_together(ctx: CommandContext, number: int) -> None:
    """A shared answer from a round held together before this place left (/unlink), read-only."""
    earlier = await answer_made_together(ctx, number)
    if earlier is None:
        raise Refusal("reflection_not_found", number=number)
    together, found, round_ = earlier
    author = await ctx.uow.members.get(found.member_id)
    note = ctx.text("reflection_made_together_note", ctx.language, community=together.name)
    ctx.say(
        "reflection_full",
        number=found.id,
        name=author.display_name,
        round=round_.number,
        prompt=round_.prompt_text,
        text=found.text,
        status=Markup(note),
    )


async def _show_round(ctx: CommandContext, number: int) -> None:
    round_ = await ctx.uow.reflections.round_by_number(ctx.community.id, number)
    note = ""
    if round_ is None:
        earlier = await round_made_together(ctx, number)
        if earlier is None:
            raise Refusal("reflection_round_not_found", number=number)
        together, round_ = earlier
        note = ctx.text("reflection_made_together_note", ctx.language, community=together.name)
    shared = [a for a in await ctx.uow.reflections.answers(round_.id) if a.shared]
    if not shared:
        ctx.say("reflection_round_none_shared", number=number, prompt=round_.prompt_text)
        return
    names = {a.member_id: (await ctx.uow.members.get(a.member_id)).display_name for a in shared}
    lines = answer_lines(ctx, shared[:LIST_MAX_ANSWERS], names, LIST_ANSWER_CHARS, ctx.language)
    if len(shared) > LIST_MAX_ANSWERS:
        lines.append(
            ctx.text("reflection_list_more", ctx.language, count=len(shared) - LIST_MAX_ANSWERS)
        )
    if note:
        lines.append(note)
    ctx.say(
        "reflection_round",
        number=number,
        prompt=round_.prompt_text,
        answers=Markup("\n".join(lines)),
    )


async def _list_mine(ctx: CommandContext) -> None:
    mine = await ctx.uow.reflections.by_member(ctx.community.id, ctx.member.id)
    if not mine:
        ctx.say("reflection_mine_none")
        return
    lines = []
    for answer in mine[-LIST_MAX_ANSWERS:]:
        round_ = await ctx.uow.reflections.get_round(answer.round_id)
        lines.append(
            ctx.text(
                "reflection_mine_line",
                ctx.language,
                number=answer.id,
                round=round_.number if round_ else "?",
                visibility=ctx.text(
                    "reflection_shared" if answer.shared else "reflection_private", ctx.language
                ),
                text=shorten(answer.text, 80),
            )
        )
    private = any(not answer.shared for answer in mine[-LIST_MAX_ANSWERS:])
    ctx.say("reflection_mine", answers=Markup("\n".join(lines)), confidential=private)

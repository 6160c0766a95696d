"""Requests for a hand as people make and close them: /need (privately; the details are shared
only once two people are introduced) and /need done, with buttons when several are open.

The matching a request sets off is in aid_matching; its buttons are answered in aid_answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.replies import Choice
from bot.services.needs import config
from bot.services.needs.aid_matching import Opened, close_request, feature, open_request
from bot.services.needs.aid_offers import BUTTON_TEXT, category_named, category_text
from bot.services.needs.records import AidRequest
from bot.services.reflections.digest import shorten

MAX_DETAILS = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@feature.command(
    "need",
    Param(
        "category",
        ParamType.WORD,
        suggest=config.suggest_category,
    ),
    Param("details", ParamType.TEXT),
)
async def need_command(ctx: CommandContext, args: Args) -> None:
    wanted = args.text("category")
    mine = await ctx.uow.aid_requests.of_member(ctx.member.id)
    if wanted is None:
        labels = [config.category_label(ctx, r.category, ctx.language) for r in mine]
        if labels:
            ctx.say("aid_need_open", categories=", ".join(labels), confidential=True)
        else:
            ctx.say("aid_need_usage", categories=config.category_list(ctx))
        return
    if wanted.lower() == "done":
        await _need_done(ctx, mine, args.text("details"))
        return
    category = category_named(ctx, wanted)
    details = (args.text("details") or "").strip()
    if len(details) > MAX_DETAILS:
        raise Refusal("aid_details_too_long", limit=MAX_DETAILS)
    label = config.category_label(ctx, category, ctx.language)
    outcome = await open_request(ctx, ctx.member, category, details)
    if outcome is Opened.ALREADY:
        raise Refusal("aid_need_already", category=label)
    if ctx.words_in_public:  # recorded, as they asked; but the group read it
        ctx.words_seen("aid_need_words_removed", "aid_need_words_visible")
        return
    key = "aid_need_asking" if outcome is Opened.ASKING else "aid_need_nobody"
    ctx.say(key, category=label)


async def _need_done(ctx: CommandContext, mine: list[AidRequest], which: str | None) -> None:
    """Close the one open request (or the one named); with several, ask which with buttons."""
    if which:
        category = category_named(ctx, which)
        mine = [r for r in mine if r.category == category]
    if not mine:
        raise Refusal("aid_nothing_open")
    if len(mine) == 1:
        await _close_and_say(ctx, mine)
        return
    # Each button names the request by when it opened too, and "all of them" those opened by
    # now, so that a late press never closes a request opened (or an id reused) since.
    choices = [Choice(_done_label(ctx, r), f"aid:d:{r.id}:{_stamp(r.opened_at)}") for r in mine]
    everything = f"aid:d:all:{_stamp(ctx.now)}:{ctx.member.id}"
    choices.append(Choice(ctx.text("aid_done_all", ctx.language), everything))
    ctx.say("aid_done_which", choices=tuple(choices))


def _done_label(ctx: CommandContext, request: AidRequest) -> str:
    category = category_text(ctx, request.category)
    if not request.details:
        return category
    details = shorten(request.details, BUTTON_TEXT)
    return ctx.text("aid_done_button", ctx.language, category=category, details=details)


def _stamp(moment: datetime) -> int:
    """A moment as whole milliseconds, short enough for a button's key."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


async def done_pressed(ctx: CommandContext, which: str, stamp: str, owner: str) -> None:
    """A press on "which request is met?": close it (or all listed); a stale press changes
    nothing."""
    moment = whole_number(stamp)
    if moment is None:
        raise Refusal("choice_stale")
    mine = await ctx.uow.aid_requests.of_member(ctx.member.id)
    if which == "all":
        if whole_number(owner) != ctx.member.id:
            raise Refusal("choice_not_yours")
        chosen = [r for r in mine if _stamp(r.opened_at) <= moment]
    else:
        number = whole_number(which)
        found = await ctx.uow.aid_requests.get(number) if number is not None else None
        if found is not None and found.member_id != ctx.member.id:
            raise Refusal("choice_not_yours")
        chosen = [r for r in mine if r.id == number and _stamp(r.opened_at) == moment]
    if not chosen:
        raise Refusal("aid_done_stale")
    await _close_and_say(ctx, chosen)


async def _close_and_say(ctx: CommandContext, requests: list[AidRequest]) -> None:
    for request in requests:
        await close_request(ctx, request)
    labels = [category_text(ctx, r.category) for r in requests]
    ctx.say("aid_need_closed", categories=", ".join(labels))

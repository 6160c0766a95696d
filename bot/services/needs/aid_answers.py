"""The answers to mutual aid's buttons: an offerer's yes or no, the requester's "introduce us",
"not this one" or "no longer needed", and the buttons of /offers and /need done.

An offerer's yes counts whenever it comes while nobody has said yes yet; the two are introduced,
by name, only once the requester says yes too.
"""

from __future__ import annotations

from bot.catalog import Markup
from bot.context import CommandContext
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.services.needs import config
from bot.services.needs.aid_matching import (
    Sought,
    ask_requester,
    attempts_by_member,
    close_request,
    feature,
    seek,
)
from bot.services.needs.aid_offers import (
    ask_kind,
    category_text,
    offer_contribution,
    own_contribution,
    own_offer,
    withdraw,
)
from bot.services.needs.aid_requests import done_pressed
from bot.services.needs.records import AidRequest, Outcome, RequestState


@feature.choice("aid")
async def aid_pressed(ctx: CommandContext, parts: list[str]) -> None:
    match parts:
        case ["o", request_id, answer] if answer in ("y", "n"):
            await _offerer_answered(ctx, request_id, answer == "y")
        case ["r", request_id, answer, *about] if answer in ("y", "n", "x") and len(about) < 2:
            await _requester_answered(ctx, request_id, answer, about[0] if about else None)
        case ["d", which, stamp, *owner] if len(owner) < 2:
            await done_pressed(ctx, which, stamp, owner[0] if owner else "")
        case ["w", offer_id]:
            await withdraw(ctx, await own_offer(ctx, offer_id))
        case ["b", contribution_id]:
            await ask_kind(ctx, await own_contribution(ctx, contribution_id))
        case ["k", contribution_id, index]:
            contribution = await own_contribution(ctx, contribution_id)
            await offer_contribution(ctx, contribution, index)
        case ["p", offer_id, public] if public in ("0", "1"):
            offer = await own_offer(ctx, offer_id)
            offer.public = public == "1"
            await ctx.uow.offers.save(offer)
            label = config.category_label(ctx, offer.category, ctx.language)
            ctx.say("aid_now_public" if offer.public else "aid_now_private", category=label)
        case _:
            raise Refusal("choice_stale")


async def _request(ctx: CommandContext, request_id: str) -> AidRequest:
    number = whole_number(request_id)
    found = await ctx.uow.aid_requests.get(number) if number is not None else None
    if found is None:
        raise Refusal("aid_moved_on")
    return found


async def _offerer_answered(ctx: CommandContext, request_id: str, yes: bool) -> None:
    """An offerer's answer counts whenever it comes while nobody has said yes yet, even after
    their day is over or Hearth has gone on to ask someone else."""
    request = await _request(ctx, request_id)
    mine = (await attempts_by_member(ctx, request)).get(ctx.member.id)
    if mine is None:
        raise Refusal("aid_moved_on")
    offer, outcome = mine
    if outcome in (Outcome.ACCEPTED, Outcome.INTRODUCED) and yes:
        ctx.say("aid_offerer_already_yes")
        return
    if outcome not in (Outcome.ASKED, Outcome.NO_ANSWER, Outcome.DECLINED):
        raise Refusal("aid_moved_on")
    if not yes:
        await ctx.uow.aid_requests.record_attempt(request.id, offer.id, Outcome.DECLINED, ctx.now)
        if request.state is RequestState.ASKING_OFFERER and request.current_offer_id == offer.id:
            ctx.say("aid_offerer_declined")
            await seek(ctx, request, tell_if_none=True)
        else:
            ctx.say("aid_offerer_declined_late")
        return
    await ctx.uow.aid_requests.record_attempt(request.id, offer.id, Outcome.ACCEPTED, ctx.now)
    if request.state in (RequestState.ASKING_OFFERER, RequestState.UNMATCHED):
        await ask_requester(ctx, request, offer)
        ctx.say("aid_offerer_accepted")
    else:  # someone else said yes first; this yes waits in reserve
        ctx.say("aid_offerer_taken_care_of")


async def _requester_answered(
    ctx: CommandContext, request_id: str, answer: str, about: str | None
) -> None:
    """`about`: the offer the question was about (absent on buttons sent before it was kept)."""
    request = await _request(ctx, request_id)
    if request.member_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    if request.state is not RequestState.ASKING_REQUESTER:
        raise Refusal("aid_moved_on")
    current = request.current_offer_id
    if about is not None and current is not None and whole_number(about) != current:
        raise Refusal("aid_moved_on")  # a question about an earlier helper
    offer = (
        await ctx.uow.offers.get(request.current_offer_id)
        if request.current_offer_id is not None
        else None
    )
    if offer is None:  # the offerer withdrew their offer or left in the meantime
        ctx.say("aid_helper_gone")
        await seek(ctx, request, tell_if_none=True)
        return
    offerer = await ctx.uow.members.get(offer.member_id)
    if answer == "x":
        await close_request(ctx, request)
        ctx.say("aid_need_closed", categories=category_text(ctx, request.category))
        return
    if answer == "n":
        await ctx.uow.aid_requests.record_attempt(
            request.id, offer.id, Outcome.NOT_THIS_ONE, ctx.now
        )
        ctx.tell(offerer, "aid_offerer_not_needed")
        sought = await seek(ctx, request, tell_if_none=False)
        if sought is Sought.NOBODY:
            ctx.say("aid_nobody_left", category=category_text(ctx, request.category))
        elif sought is not Sought.REQUESTER:  # else the next question is already on its way
            ctx.say("aid_asking_next")
        return
    await ctx.uow.aid_requests.record_attempt(request.id, offer.id, Outcome.INTRODUCED, ctx.now)
    request.state = RequestState.INTRODUCED
    await ctx.uow.aid_requests.save(request)
    ctx.say(
        "aid_introduced_requester",
        name=offerer.display_name,
        what=offer.what,
        category=category_text(ctx, request.category),
    )
    ctx.tell(
        offerer,
        "aid_introduced_offerer",
        name=ctx.member.display_name,
        category=config.category_label(ctx, request.category, offerer.speaks),
        details=Markup(
            " " + ctx.text("aid_their_words", offerer.speaks, details=request.details)
            if request.details
            else ""
        ),
    )

"""Mutual aid: offers of help, requests for a hand, and introductions by double opt-in.

A request is put to one offerer at a time, privately and without naming the requester; the
least recently matched offerer goes first and the requester is never asked to help
themselves. A "no", or no answer within a day, moves on to the next, until every offerer has
been asked. A late yes still counts while nobody has said yes yet: the first yes goes to the
requester, and a later one is thanked and kept in reserve. Only when the offerer and then the
requester have both said yes are they introduced, by name, to each other alone.

This module holds the matching itself and its timing (no commands): recording an offer, opening
a request, seeking the next helper, the two private questions, closing a request, and the jobs
for an offerer's day without an answer and a request's expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

from bot.context import CommunityContext
from bot.domain import Job, Member
from bot.feature import Feature
from bot.replies import Choice
from bot.services.needs import config
from bot.services.needs import snapshot as needs_snapshot
from bot.services.needs.records import AidRequest, Offer, Outcome, RequestState

feature = Feature("mutual_aid")
ANSWER_WITHIN = timedelta(days=1)
OFFERER_RESUME = "aid_offerer"
MAX_OFFER = 300
_NEVER = datetime.min.replace(tzinfo=UTC)


class Sought(Enum):
    """What seeking a helper for a request led to."""

    OFFERER = "offerer"  # an offerer not asked before is being asked
    REQUESTER = "requester"  # one who said yes while another was in hand is put to the requester
    WAITING = "waiting"  # nobody new to ask; one asked earlier still has time to answer
    NOBODY = "nobody"  # every offerer declined or did not answer in time


class Opened(Enum):
    ASKING = "asking"  # an offerer is being asked
    NOBODY = "nobody"  # nobody has offered help in that category (yet)
    ALREADY = "already"  # the member already has an open request in that category


async def record_offer(
    ctx: CommunityContext, member: Member, category: str, what: str, *, public: bool = False
) -> Offer:
    """Record an offer and put it to the longest-waiting request it could help with.

    Other features use this too (the welcome records what newcomers can bring, e.g. under
    the category 'other').
    """
    offer = await ctx.uow.offers.add(
        community_id=ctx.community.id,
        member_id=member.id,
        category=category,
        what=what,
        now=ctx.now,
        public=public,
    )
    waiting = [
        r
        for r in await ctx.uow.aid_requests.open_in(ctx.community.id)
        if r.category == category and r.state is RequestState.UNMATCHED and r.member_id != member.id
    ]
    if waiting:
        await seek(ctx, waiting[0], tell_if_none=False)
    return offer


# -- requests ----------------------------------------------------------------------------------


async def open_request(
    ctx: CommunityContext, member: Member, category: str, details: str = ""
) -> Opened:
    """Open a request for a hand (from /need or a check-in) and ask the first offerer."""
    for existing in await ctx.uow.aid_requests.of_member(member.id):
        if existing.category == category:
            return Opened.ALREADY
    request = await ctx.uow.aid_requests.add(
        community_id=ctx.community.id,
        member_id=member.id,
        category=category,
        details=details,
        now=ctx.now,
        expires_at=ctx.now + config.request_expiry(ctx.community),
    )
    await ctx.uow.jobs.add(
        community_id=ctx.community.id,
        kind="aid_expire",
        due_at=request.expires_at,
        payload={"request": request.id},
        member_id=member.id,
    )
    await needs_snapshot.plan(ctx)  # so that the daily count of open requests runs
    sought = await seek(ctx, request, tell_if_none=False)
    return Opened.ASKING if sought is Sought.OFFERER else Opened.NOBODY


async def seek(ctx: CommunityContext, request: AidRequest, *, tell_if_none: bool) -> Sought:
    """Put the request to the next person who could help; when nobody is left, say so truthfully.

    One who already said yes while someone else was in hand goes first, then offerers not yet
    asked; if none is left but one asked earlier still has time to answer, Hearth waits for
    them. Only then is the requester told nobody is free, and a late yes still reaches them.
    """
    asked = await attempts_by_member(ctx, request)
    reserve = [offer for offer, outcome in asked.values() if outcome is Outcome.ACCEPTED]
    if reserve:
        await ask_requester(ctx, request, min(reserve, key=lambda o: o.id))
        return Sought.REQUESTER
    offer = await _next_offer(ctx, request, set(asked))
    if offer is not None:
        await _ask_offerer(ctx, request, offer)
        return Sought.OFFERER
    waiting = [offer for offer, outcome in asked.values() if outcome is Outcome.ASKED]
    if waiting:
        request.state, request.current_offer_id = RequestState.ASKING_OFFERER, waiting[0].id
        await ctx.uow.aid_requests.save(request)
        return Sought.WAITING
    request.state, request.current_offer_id, request.asked_at = RequestState.UNMATCHED, None, None
    await ctx.uow.aid_requests.save(request)
    if tell_if_none:
        requester = await ctx.uow.members.get(request.member_id)
        ctx.tell(
            requester,
            "aid_nobody_left",
            category=config.category_label(ctx, request.category, requester.speaks),
        )
    return Sought.NOBODY


async def attempts_by_member(
    ctx: CommunityContext, request: AidRequest
) -> dict[int, tuple[Offer, Outcome]]:
    """Each member already asked about this request: the offer they were asked with, and how
    it went (offers since withdrawn are forgotten with their attempts)."""
    found: dict[int, tuple[Offer, Outcome]] = {}
    for offer_id, outcome in (await ctx.uow.aid_requests.attempts(request.id)).items():
        offer = await ctx.uow.offers.get(offer_id)
        if offer is not None and (await ctx.uow.members.get(offer.member_id)).active:
            found[offer.member_id] = (offer, outcome)
    return found


async def _next_offer(ctx: CommunityContext, request: AidRequest, asked: set[int]) -> Offer | None:
    """The least recently matched offer of an active member not asked yet, if any (`asked`:
    the members asked already; one who left is never asked)."""
    best: dict[int, Offer] = {}
    for offer in await ctx.uow.offers.in_category(ctx.community.id, request.category):
        if offer.member_id == request.member_id or offer.member_id in asked:
            continue
        if not (await ctx.uow.members.get(offer.member_id)).active:
            continue
        current = best.get(offer.member_id)
        if current is None or _matched_order(offer) < _matched_order(current):
            best[offer.member_id] = offer
    return min(best.values(), key=_matched_order, default=None)


async def _ask_offerer(ctx: CommunityContext, request: AidRequest, offer: Offer) -> None:
    """Ask one offerer, privately and without the requester's name, with a day to answer."""
    request.state, request.current_offer_id, request.asked_at = (
        RequestState.ASKING_OFFERER,
        offer.id,
        ctx.now,
    )
    await ctx.uow.aid_requests.save(request)
    await ctx.uow.aid_requests.record_attempt(request.id, offer.id, Outcome.ASKED, ctx.now)
    offer.last_matched_at = ctx.now
    await ctx.uow.offers.save(offer)
    offerer = await ctx.uow.members.get(offer.member_id)
    ctx.tell(
        offerer,
        "aid_offerer_question",
        category=config.category_label(ctx, request.category, offerer.speaks),
        what=offer.what,
        choices=(
            Choice(ctx.text("aid_yes_help", offerer.speaks), f"aid:o:{request.id}:y"),
            Choice(ctx.text("aid_no_help", offerer.speaks), f"aid:o:{request.id}:n"),
        ),
        resume=OFFERER_RESUME,
    )
    await ctx.uow.jobs.add(
        community_id=ctx.community.id,
        kind="aid_no_answer",
        due_at=ctx.now + ANSWER_WITHIN,
        payload={"request": request.id, "offer": offer.id},
        member_id=request.member_id,
    )


async def ask_requester(ctx: CommunityContext, request: AidRequest, offer: Offer) -> None:
    """An offerer said yes: ask the requester whether to be introduced (no names yet)."""
    request.state, request.current_offer_id, request.asked_at = (
        RequestState.ASKING_REQUESTER,
        offer.id,
        ctx.now,
    )
    await ctx.uow.aid_requests.save(request)
    requester = await ctx.uow.members.get(request.member_id)
    buttons = (("aid_introduce_us", "y"), ("aid_not_this_one", "n"), ("aid_no_longer", "x"))
    ctx.tell(
        requester,
        "aid_requester_question",
        category=config.category_label(ctx, request.category, requester.speaks),
        what=offer.what,
        choices=tuple(
            Choice(ctx.text(label, requester.speaks), f"aid:r:{request.id}:{answer}:{offer.id}")
            for label, answer in buttons
        ),
    )


def _matched_order(offer: Offer) -> tuple[datetime, int]:
    """Least recently matched first; never matched before anyone else; then the oldest."""
    return (offer.last_matched_at or _NEVER, offer.id)


async def close_request(ctx: CommunityContext, request: AidRequest) -> None:
    """Close a request: tell offerers still in the loop (asked and within their day, or having
    said yes and not introduced), then forget the request entirely."""
    for offer, outcome in (await attempts_by_member(ctx, request)).values():
        if outcome in (Outcome.ASKED, Outcome.ACCEPTED):
            offerer = await ctx.uow.members.get(offer.member_id)
            ctx.tell(offerer, "aid_offerer_not_needed")
    for job in await ctx.uow.jobs.pending(ctx.community.id):
        if job.kind.startswith("aid_") and job.payload.get("request") == request.id:
            await ctx.uow.jobs.remove(job.id)
    await ctx.uow.aid_requests.remove(request.id)


# -- time and unreachable offerers -------------------------------------------------------------


@feature.job("aid_no_answer")
async def no_answer(ctx: CommunityContext, job: Job) -> None:
    """A day without an answer from an offerer: ask the next one, without a word to them (a
    yes from them still counts later, while nobody else has said yes)."""
    request = await ctx.uow.aid_requests.get(int(job.payload["request"]))
    if request is None:
        return
    offer_id = int(job.payload["offer"])
    if (await ctx.uow.aid_requests.attempts(request.id)).get(offer_id) is Outcome.ASKED:
        await ctx.uow.aid_requests.record_attempt(request.id, offer_id, Outcome.NO_ANSWER, ctx.now)
    waiting_on_them = request.current_offer_id in (offer_id, None)
    if request.state is RequestState.ASKING_OFFERER and waiting_on_them:
        await seek(ctx, request, tell_if_none=True)


@feature.job("aid_expire")
async def expire(ctx: CommunityContext, job: Job) -> None:
    request = await ctx.uow.aid_requests.get(int(job.payload["request"]))
    if request is None:
        return
    requester = await ctx.uow.members.get(request.member_id)
    await close_request(ctx, request)
    ctx.tell(
        requester,
        "aid_request_expired",
        category=config.category_label(ctx, request.category, requester.speaks),
    )


async def offerer_unreachable(ctx: CommunityContext, member: Member) -> None:
    """An offerer cannot be messaged: do not wait a day for them, ask the next one now."""
    for offer in await ctx.uow.offers.of_member(member.id):
        for request in await ctx.uow.aid_requests.asking(offer.id):
            await ctx.uow.aid_requests.record_attempt(
                request.id, offer.id, Outcome.NO_ANSWER, ctx.now
            )
            await seek(ctx, request, tell_if_none=True)


feature.on_unreachable[OFFERER_RESUME] = offerer_unreachable

"""Mutual aid: offers of help, requests for a hand, and introductions by double opt-in.

A request is put to one offerer at a time, privately and without naming the requester; the
least recently matched offerer goes first and the requester is never asked to help
themselves. A "no", or no answer within a day, moves on to the next, until every offerer has
been asked. A late yes still counts while nobody has said yes yet: the first yes goes to the
requester, and a later one is thanked and kept in reserve. Only when the offerer and then the
requester have both said yes are they introduced, by name, to each other alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.domain_needs import AidRequest, Offer, Outcome, RequestState
from bot.errors import Refusal
from bot.feature import Feature
from bot.numbers import whole_number
from bot.replies import Choice
from bot.services import handoffs, needs_config, needs_snapshot
from bot.services.reflections.digest import shorten
from bot.services.welcome import became_offer, contributions
from bot.services.welcome.records import Contribution

feature = Feature("mutual_aid")
ANSWER_WITHIN = timedelta(days=1)
OFFERER_RESUME = "aid_offerer"
MAX_OFFER = 300
MAX_DETAILS = 500
BUTTON_TEXT = 40  # how much of a contribution a button shows
_NEVER = datetime.min.replace(tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


# -- offers ----------------------------------------------------------------------------------


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


def _category(ctx: CommandContext, name: str) -> str:
    found = needs_config.find_category(ctx, name)
    if found is None:
        raise Refusal("aid_unknown_category", name=name, categories=needs_config.category_list(ctx))
    return found


@feature.command(
    "offer",
    "Offer a hand to others, e.g. /offer food I cook extra on Sundays.",
    Param(
        "category",
        ParamType.WORD,
        "The kind of help, e.g. food or other",
        required=True,
        suggest=needs_config.suggest_category,
    ),
    Param("what", ParamType.TEXT, "What you could offer, in a line", required=True),
)
async def offer_command(ctx: CommandContext, args: Args) -> None:
    kind = args.text("category") or ""
    what = (args.text("what") or "").strip()
    handoff = handoffs.offer_reference(kind, what)
    if handoff is not None:  # /offer <kind> from reflection K
        category = _category(ctx, handoff[0])
        what = await handoffs.offer_from_reflection(ctx, handoff[1], MAX_OFFER)
        await _not_offered_yet(ctx, category, what)
    else:
        category = _category(ctx, kind)
        if len(what) > MAX_OFFER:
            raise Refusal("aid_offer_too_long", limit=MAX_OFFER)
    _offer_saved(ctx, await record_offer(ctx, ctx.member, category, what))


def _offer_saved(ctx: CommandContext, offer: Offer) -> None:
    """Thank the offerer, with a button to share the offer publicly."""
    ctx.say(
        "aid_offer_saved_seen" if ctx.words_in_public else "aid_offer_saved",
        category=needs_config.category_label(ctx, offer.category, ctx.language),
        what=offer.what,
        choices=(Choice(ctx.text("aid_make_public", ctx.language), f"aid:p:{offer.id}:1"),),
    )


async def _not_offered_yet(ctx: CommandContext, category: str, what: str) -> None:
    """Refuse a second, identical offer (say, the same reflection handed on twice)."""
    for offer in await ctx.uow.offers.of_member(ctx.member.id):
        if offer.category == category and offer.what == what:
            raise Refusal(
                "aid_already_offered", category=needs_config.category_label(ctx, category)
            )


@feature.command(
    "offers",
    "Your offers (withdraw or share them), or public offers in a category.",
    Param(
        "category",
        ParamType.WORD,
        "Show public offers in this category",
        suggest=needs_config.suggest_category,
    ),
)
async def offers_command(ctx: CommandContext, args: Args) -> None:
    wanted = args.text("category")
    if wanted is not None:
        await _public_offers(ctx, _category(ctx, wanted))
        return
    mine = await ctx.uow.offers.of_member(ctx.member.id)
    brought, make_offers = await _brought(ctx)
    if not mine:
        ctx.say(
            "aid_offers_none",
            categories=needs_config.category_list(ctx),
            brought=brought,
            choices=make_offers,
            confidential=bool(make_offers),  # what they said they could bring is theirs
        )
        return
    lines, choices = [], []
    for number, offer in enumerate(mine, 1):
        shown = "aid_offer_public" if offer.public else "aid_offer_private"
        lines.append(
            ctx.text(
                "aid_offers_line",
                ctx.language,
                number=number,
                category=needs_config.category_label(ctx, offer.category, ctx.language),
                what=offer.what,
                shown=ctx.text(shown, ctx.language),
            )
        )
        choices.append(
            Choice(ctx.text("aid_withdraw", ctx.language, number=number), f"aid:w:{offer.id}")
        )
        flip = "aid_make_private_n" if offer.public else "aid_make_public_n"
        choices.append(
            Choice(
                ctx.text(flip, ctx.language, number=number),
                f"aid:p:{offer.id}:{0 if offer.public else 1}",
            )
        )
    ctx.say(
        "aid_offers_list",
        offers=Markup("\n".join(lines)),
        brought=brought,
        choices=(*choices, *make_offers),
        confidential=True,  # offers are private until shared, and what they brought is theirs
    )


async def _brought(ctx: CommandContext) -> tuple[Markup, tuple[Choice, ...]]:
    """What the member said they could bring when they joined (kept by the welcome), each
    with a button that makes it an offer once they choose its kind of help."""
    found = await contributions(ctx.uow, ctx.community.id, ctx.member.id)
    if not found:
        return Markup(""), ()
    items = "\n".join(ctx.text("aid_brought_line", ctx.language, what=c.text) for c in found)
    choices = tuple(
        Choice(
            ctx.text("aid_brought_make_offer", ctx.language, what=shorten(c.text, BUTTON_TEXT)),
            f"aid:b:{c.id}",
        )
        for c in found
    )
    shown = ctx.text("aid_offers_brought", ctx.language, items=Markup(items))
    return Markup("\n\n" + shown), choices


async def _own_contribution(ctx: CommandContext, contribution_id: str) -> Contribution:
    number = whole_number(contribution_id)
    everyone = await contributions(ctx.uow, ctx.community.id)
    found = next((c for c in everyone if c.id == number), None)
    if found is None:
        raise Refusal("aid_brought_gone")
    if found.member_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    if len(found.text) > MAX_OFFER:
        raise Refusal("aid_brought_too_long", limit=MAX_OFFER)
    return found


async def _ask_kind(ctx: CommandContext, contribution: Contribution) -> None:
    """The one question left before what they said they could bring is an offer: its kind."""
    choices = tuple(
        Choice(
            needs_config.category_label(ctx, category, ctx.language),
            f"aid:k:{contribution.id}:{index}",
        )
        for index, category in enumerate(needs_config.categories(ctx.community))
    )
    ctx.say("aid_brought_which_kind", what=contribution.text, choices=choices)


async def _offer_contribution(ctx: CommandContext, contribution: Contribution, index: str) -> None:
    """Make it an offer in the chosen kind; from then on the offer carries it."""
    categories = needs_config.categories(ctx.community)
    number = whole_number(index)
    if number is None or number >= len(categories):
        raise Refusal("choice_stale")
    category = categories[number]
    await became_offer(ctx.uow, contribution)
    for offer in await ctx.uow.offers.of_member(ctx.member.id):
        if offer.category == category and offer.what == contribution.text:
            ctx.say("aid_brought_already_offered", category=_label(ctx, category))
            return
    _offer_saved(ctx, await record_offer(ctx, ctx.member, category, contribution.text))


async def _public_offers(ctx: CommandContext, category: str) -> None:
    label = needs_config.category_label(ctx, category, ctx.language)
    lines = []
    for offer in await ctx.uow.offers.in_category(ctx.community.id, category):
        member = await ctx.uow.members.get(offer.member_id)
        if offer.public and member.active:
            lines.append(
                ctx.text("aid_public_line", ctx.language, name=member.display_name, what=offer.what)
            )
    if not lines:
        ctx.say("aid_public_none", category=label)
        return
    ctx.say("aid_public_list", category=label, offers=Markup("\n".join(lines)))


async def _own_offer(ctx: CommandContext, offer_id: str) -> Offer:
    number = whole_number(offer_id)
    offer = await ctx.uow.offers.get(number) if number is not None else None
    if offer is None:
        raise Refusal("aid_offer_gone")
    if offer.member_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    return offer


async def _withdraw(ctx: CommandContext, offer: Offer) -> None:
    waiting = await ctx.uow.aid_requests.asking(offer.id)
    await ctx.uow.offers.remove(offer.id)
    for request in waiting:  # whoever was waiting on this offer goes on to the next one
        found = await ctx.uow.aid_requests.get(request.id)
        if found is not None:
            await seek(ctx, found, tell_if_none=True)
    ctx.say(
        "aid_offer_withdrawn",
        category=needs_config.category_label(ctx, offer.category, ctx.language),
    )


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
        expires_at=ctx.now + needs_config.request_expiry(ctx.community),
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
    asked = await _asked(ctx, request)
    reserve = [offer for offer, outcome in asked.values() if outcome is Outcome.ACCEPTED]
    if reserve:
        await _ask_requester(ctx, request, min(reserve, key=lambda o: o.id))
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
            category=needs_config.category_label(ctx, request.category, requester.language),
        )
    return Sought.NOBODY


async def _asked(ctx: CommunityContext, request: AidRequest) -> dict[int, tuple[Offer, Outcome]]:
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
        category=needs_config.category_label(ctx, request.category, offerer.language),
        what=offer.what,
        choices=(
            Choice(ctx.text("aid_yes_help", offerer.language), f"aid:o:{request.id}:y"),
            Choice(ctx.text("aid_no_help", offerer.language), f"aid:o:{request.id}:n"),
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


async def _ask_requester(ctx: CommunityContext, request: AidRequest, offer: Offer) -> None:
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
        category=needs_config.category_label(ctx, request.category, requester.language),
        what=offer.what,
        choices=tuple(
            Choice(ctx.text(label, requester.language), f"aid:r:{request.id}:{answer}:{offer.id}")
            for label, answer in buttons
        ),
    )


def _matched_order(offer: Offer) -> tuple[datetime, int]:
    """Least recently matched first; never matched before anyone else; then the oldest."""
    return (offer.last_matched_at or _NEVER, offer.id)


async def _close(ctx: CommunityContext, request: AidRequest) -> None:
    """Close a request: tell offerers still in the loop (asked and within their day, or having
    said yes and not introduced), then forget the request entirely."""
    for offer, outcome in (await _asked(ctx, request)).values():
        if outcome in (Outcome.ASKED, Outcome.ACCEPTED):
            offerer = await ctx.uow.members.get(offer.member_id)
            ctx.tell(offerer, "aid_offerer_not_needed")
    for job in await ctx.uow.jobs.pending(ctx.community.id):
        if job.kind.startswith("aid_") and job.payload.get("request") == request.id:
            await ctx.uow.jobs.remove(job.id)
    await ctx.uow.aid_requests.remove(request.id)


@feature.command(
    "need",
    "Ask privately for a hand, e.g. /need food; /need done when it is met.",
    Param(
        "category",
        ParamType.WORD,
        "The kind of help, e.g. food, or 'done'",
        suggest=needs_config.suggest_category,
    ),
    Param("details", ParamType.TEXT, "A few words, shared only once you are introduced"),
)
async def need_command(ctx: CommandContext, args: Args) -> None:
    wanted = args.text("category")
    mine = await ctx.uow.aid_requests.of_member(ctx.member.id)
    if wanted is None:
        labels = [needs_config.category_label(ctx, r.category, ctx.language) for r in mine]
        if labels:
            ctx.say("aid_need_open", categories=", ".join(labels), confidential=True)
        else:
            ctx.say("aid_need_usage", categories=needs_config.category_list(ctx))
        return
    if wanted.lower() == "done":
        await _need_done(ctx, mine, args.text("details"))
        return
    category = _category(ctx, wanted)
    details = (args.text("details") or "").strip()
    if len(details) > MAX_DETAILS:
        raise Refusal("aid_details_too_long", limit=MAX_DETAILS)
    label = needs_config.category_label(ctx, category, ctx.language)
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
        category = _category(ctx, which)
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
    category = _label(ctx, request.category)
    if not request.details:
        return category
    details = shorten(request.details, BUTTON_TEXT)
    return ctx.text("aid_done_button", ctx.language, category=category, details=details)


def _stamp(moment: datetime) -> int:
    """A moment as whole milliseconds, short enough for a button's key."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


async def _done_pressed(ctx: CommandContext, which: str, stamp: str, owner: str) -> None:
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
        await _close(ctx, request)
    labels = [_label(ctx, r.category) for r in requests]
    ctx.say("aid_need_closed", categories=", ".join(labels))


# -- answers to the questions ----------------------------------------------------------------


@feature.choice("aid")
async def aid_pressed(ctx: CommandContext, parts: list[str]) -> None:
    match parts:
        case ["o", request_id, answer] if answer in ("y", "n"):
            await _offerer_answered(ctx, request_id, answer == "y")
        case ["r", request_id, answer, *about] if answer in ("y", "n", "x") and len(about) < 2:
            await _requester_answered(ctx, request_id, answer, about[0] if about else None)
        case ["d", which, stamp, *owner] if len(owner) < 2:
            await _done_pressed(ctx, which, stamp, owner[0] if owner else "")
        case ["w", offer_id]:
            await _withdraw(ctx, await _own_offer(ctx, offer_id))
        case ["b", contribution_id]:
            await _ask_kind(ctx, await _own_contribution(ctx, contribution_id))
        case ["k", contribution_id, index]:
            contribution = await _own_contribution(ctx, contribution_id)
            await _offer_contribution(ctx, contribution, index)
        case ["p", offer_id, public] if public in ("0", "1"):
            offer = await _own_offer(ctx, offer_id)
            offer.public = public == "1"
            await ctx.uow.offers.save(offer)
            label = needs_config.category_label(ctx, offer.category, ctx.language)
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
    mine = (await _asked(ctx, request)).get(ctx.member.id)
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
        await _ask_requester(ctx, request, offer)
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
        await _close(ctx, request)
        ctx.say("aid_need_closed", categories=_label(ctx, request.category))
        return
    if answer == "n":
        await ctx.uow.aid_requests.record_attempt(
            request.id, offer.id, Outcome.NOT_THIS_ONE, ctx.now
        )
        ctx.tell(offerer, "aid_offerer_not_needed")
        sought = await seek(ctx, request, tell_if_none=False)
        if sought is Sought.NOBODY:
            ctx.say("aid_nobody_left", category=_label(ctx, request.category))
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
        category=_label(ctx, request.category),
    )
    ctx.tell(
        offerer,
        "aid_introduced_offerer",
        name=ctx.member.display_name,
        category=needs_config.category_label(ctx, request.category, offerer.language),
        details=Markup(
            " " + ctx.text("aid_their_words", offerer.language, details=request.details)
            if request.details
            else ""
        ),
    )


def _label(ctx: CommandContext, category: str) -> str:
    return needs_config.category_label(ctx, category, ctx.language)


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
    await _close(ctx, request)
    ctx.tell(
        requester,
        "aid_request_expired",
        category=needs_config.category_label(ctx, request.category, requester.language),
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

"""Offers of help as people make and keep them: /offer (also from a shared reflection), /offers
(withdraw one, share it publicly or keep it private, or see the public offers in a category), and
offers made from what a newcomer said they could bring when they joined.

The matching an offer sets off is in aid_matching; the buttons are answered in aid_answers.
"""

from __future__ import annotations

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.replies import Choice
from bot.services import handoffs, welcome
from bot.services.needs import config
from bot.services.needs.aid_matching import MAX_OFFER, feature, record_offer, seek
from bot.services.needs.records import Offer
from bot.services.reflections.digest import shorten
from bot.services.welcome.records import Contribution

BUTTON_TEXT = 40  # how much of a contribution a button shows


def category_named(ctx: CommandContext, name: str) -> str:
    """The category a person typed (offers and requests alike), or a refusal listing them."""
    found = config.find_category(ctx, name)
    if found is None:
        raise Refusal("aid_unknown_category", name=name, categories=config.category_list(ctx))
    return found


def category_text(ctx: CommandContext, category: str) -> str:
    """A category's label in the language of the one who pressed or typed."""
    return config.category_label(ctx, category, ctx.language)


@feature.command(
    "offer",
    Param(
        "category",
        ParamType.WORD,
        required=True,
        suggest=config.suggest_category,
    ),
    Param("what", ParamType.TEXT, required=True),
)
async def offer_command(ctx: CommandContext, args: Args) -> None:
    kind = args.text("category") or ""
    what = (args.text("what") or "").strip()
    handoff = handoffs.offer_reference(kind, what)
    if handoff is not None:  # /offer <kind> from reflection K
        category = category_named(ctx, handoff[0])
        what = await handoffs.offer_from_reflection(ctx, handoff[1], MAX_OFFER)
        await _not_offered_yet(ctx, category, what)
    else:
        category = category_named(ctx, kind)
        if len(what) > MAX_OFFER:
            raise Refusal("aid_offer_too_long", limit=MAX_OFFER)
    _offer_saved(ctx, await record_offer(ctx, ctx.member, category, what))


def _offer_saved(ctx: CommandContext, offer: Offer) -> None:
    """Thank the offerer, with a button to share the offer publicly."""
    ctx.say(
        "aid_offer_saved_seen" if ctx.words_in_public else "aid_offer_saved",
        category=config.category_label(ctx, offer.category, ctx.language),
        what=offer.what,
        choices=(Choice(ctx.text("aid_make_public", ctx.language), f"aid:p:{offer.id}:1"),),
    )


async def _not_offered_yet(ctx: CommandContext, category: str, what: str) -> None:
    """Refuse a second, identical offer (say, the same reflection handed on twice)."""
    for offer in await ctx.uow.offers.of_member(ctx.member.id):
        if offer.category == category and offer.what == what:
            raise Refusal("aid_already_offered", category=config.category_label(ctx, category))


@feature.command(
    "offers",
    Param(
        "category",
        ParamType.WORD,
        suggest=config.suggest_category,
    ),
)
async def offers_command(ctx: CommandContext, args: Args) -> None:
    wanted = args.text("category")
    if wanted is not None:
        await _public_offers(ctx, category_named(ctx, wanted))
        return
    mine = await ctx.uow.offers.of_member(ctx.member.id)
    brought, make_offers = await _brought(ctx)
    if not mine:
        ctx.say(
            "aid_offers_none",
            categories=config.category_list(ctx),
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
                category=config.category_label(ctx, offer.category, ctx.language),
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
    found = await welcome.contributions(ctx.uow, ctx.community.id, ctx.member.id)
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


async def own_contribution(ctx: CommandContext, contribution_id: str) -> Contribution:
    number = whole_number(contribution_id)
    everyone = await welcome.contributions(ctx.uow, ctx.community.id)
    found = next((c for c in everyone if c.id == number), None)
    if found is None:
        raise Refusal("aid_brought_gone")
    if found.member_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    if len(found.text) > MAX_OFFER:
        raise Refusal("aid_brought_too_long", limit=MAX_OFFER)
    return found


async def ask_kind(ctx: CommandContext, contribution: Contribution) -> None:
    """The one question left before what they said they could bring is an offer: its kind."""
    choices = tuple(
        Choice(
            config.category_label(ctx, category, ctx.language),
            f"aid:k:{contribution.id}:{index}",
        )
        for index, category in enumerate(config.categories(ctx.community))
    )
    ctx.say("aid_brought_which_kind", what=contribution.text, choices=choices)


async def offer_contribution(ctx: CommandContext, contribution: Contribution, index: str) -> None:
    """Make it an offer in the chosen kind; from then on the offer carries it."""
    categories = config.categories(ctx.community)
    number = whole_number(index)
    if number is None or number >= len(categories):
        raise Refusal("choice_stale")
    category = categories[number]
    await welcome.became_offer(ctx.uow, contribution)
    for offer in await ctx.uow.offers.of_member(ctx.member.id):
        if offer.category == category and offer.what == contribution.text:
            ctx.say("aid_brought_already_offered", category=category_text(ctx, category))
            return
    _offer_saved(ctx, await record_offer(ctx, ctx.member, category, contribution.text))


async def _public_offers(ctx: CommandContext, category: str) -> None:
    label = config.category_label(ctx, category, ctx.language)
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


async def own_offer(ctx: CommandContext, offer_id: str) -> Offer:
    number = whole_number(offer_id)
    offer = await ctx.uow.offers.get(number) if number is not None else None
    if offer is None:
        raise Refusal("aid_offer_gone")
    if offer.member_id != ctx.member.id:
        raise Refusal("choice_not_yours")
    return offer


async def withdraw(ctx: CommandContext, offer: Offer) -> None:
    waiting = await ctx.uow.aid_requests.asking(offer.id)
    await ctx.uow.offers.remove(offer.id)
    for request in waiting:  # whoever was waiting on this offer goes on to the next one
        found = await ctx.uow.aid_requests.get(request.id)
        if found is not None:
            await seek(ctx, found, tell_if_none=True)
    ctx.say(
        "aid_offer_withdrawn",
        category=config.category_label(ctx, offer.category, ctx.language),
    )

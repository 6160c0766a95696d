"""`/propose`, `/proposals` and `/proposal`: opening a proposal and looking at them."""

from __future__ import annotations

from collections.abc import Collection

from bot.catalog import Markup, Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.services import handoffs
from bot.services.linking.history import proposal_made_together, together
from bot.services.proposals.arguments import ANY_NUMBER, actor_of, load
from bot.services.proposals.lifecycle import Proposal, open_proposal
from bot.services.proposals.news import announce, audit, schedule
from bot.services.proposals.records import UNDECIDED, Action, State, from_reflection
from bot.services.proposals.settings import rules_of
from bot.services.proposals.texts import full_view, list_lines, localized, name_or_former, when

LIST_FILTERS = ("open", "all", *(s.value for s in State))


def install_opening(feature: Feature) -> None:
    """Opening one (also from a shared reflection), the listing, one proposal's view."""

    @feature.command(
        "propose",
        Param(
            "title_and_details",
            ParamType.TEXT,
            required=True,
        ),
    )
    async def propose(ctx: CommandContext, args: Args) -> None:
        text = args.text("title_and_details") or ""
        handoff = handoffs.propose_reference(text)
        reflection = handoff[0] if handoff else None
        if handoff is not None:  # /propose from reflection K [title]
            title, details = await handoffs.proposal_from_reflection(ctx, *handoff)
            origin = from_reflection(handoff[0])
        else:
            title, bar, details = text.partition("|")
            if not bar:
                raise Refusal("proposal_needs_bar")
            origin = ""
        rules = rules_of(ctx.community)
        try:
            fresh = open_proposal(
                ctx.community.id, actor_of(ctx), title, details, ctx.now, rules, origin
            )
        except Refusal as refusal:
            raise localized(ctx, refusal, ctx.language) from None
        stored = await ctx.uow.proposals.add(fresh)
        await schedule(ctx, stored, rules)
        for event in stored.events:
            if event.audit:
                await audit(ctx, stored, event)
            announce(ctx, stored, event, rules)
        until = when(ctx, stored.incubation_until)
        if reflection is None:
            ctx.say("proposal_opened", number=stored.number, until=until)
        else:
            ctx.say(
                "handoff_proposal_opened",
                number=stored.number,
                title=stored.title,
                reflection=reflection,
                until=until,
            )

    @feature.command(
        "proposals",
        Param("state", ParamType.CHOICE, choices=LIST_FILTERS),
    )
    async def list_proposals(ctx: CommandContext, args: Args) -> None:
        wanted = args.text("state") or "open"
        states = None if wanted == "all" else UNDECIDED if wanted == "open" else {State(wanted)}
        found = await ctx.uow.proposals.tallies(ctx.community.id, states)
        which = Phrase(
            f"proposal_filter_{wanted}"
            if states is None or wanted == "open"
            else f"proposal_state_{wanted}"
        )
        shared = await _made_together(ctx, states)
        if not found and shared is None:
            ctx.say("proposal_list_empty", which=which)
            return
        if found:
            rules = rules_of(ctx.community)
            lines = list_lines(ctx, reversed(found), rules, ctx.language)
            ctx.say("proposal_list", which=which, count=len(found), lines=Markup("\n".join(lines)))
        else:
            ctx.say("proposal_list_empty", which=which)
        if shared is not None:
            ctx.say("proposal_list_together", community=shared[0], lines=shared[1])

    @feature.command("proposal", ANY_NUMBER)
    async def show_proposal(ctx: CommandContext, args: Args) -> None:
        number = args.integer("number")
        own = None if number is None else await ctx.uow.proposals.get(ctx.community.id, number)
        shared = None if own or number is None else await proposal_made_together(ctx, number)
        if shared is not None:
            together, p = shared
            _show(ctx, together.context, p, await _merged_into(together.context, p))
            ctx.say("proposal_made_together_note", community=together.name)
            return
        p = own or await load(ctx, number, history=True)  # load words the refusal
        _show(ctx, ctx, p, await _merged_into(ctx, p))


async def _merged_into(where: CommunityContext, p: Proposal) -> list[Proposal]:
    return [
        other
        for other in await where.uow.proposals.in_community(where.community.id, {State.MERGED})
        if other.merged_into == p.number and not other.hidden
    ]


async def _made_together(
    ctx: CommandContext, states: Collection[State] | None
) -> tuple[str, Markup] | None:
    """The listing's proposals made together before this place split off (numbered up to the
    old community's highest then), as the old community shows them now."""
    earlier = await together(ctx)
    if earlier is None or not earlier.highest_proposal:
        return None
    where = earlier.context
    found = [
        p
        for p in await ctx.uow.proposals.tallies(where.community.id, states)
        if p.number <= earlier.highest_proposal
    ]
    if not found:
        return None
    rules = rules_of(where.community)
    lines = list_lines(ctx, reversed(found), rules, ctx.language)
    return earlier.name, Markup("\n".join(lines))


def _show(
    ctx: CommandContext, where: CommunityContext, p: Proposal, merged: list[Proposal]
) -> None:
    """One proposal in full for the asker; `where` is the community it belongs to."""
    if p.hidden:
        hider = next((e for e in reversed(p.events) if e.action is Action.HIDDEN), None)
        ctx.say(
            "proposal_view_hidden",
            number=p.number,
            name=name_or_former(ctx, hider.actor_name if hider else "", ctx.language),
            reason=p.hidden_reason,
        )
        return
    rules = rules_of(where.community)
    ctx.say("proposal_view", body=full_view(ctx, p, rules, merged, ctx.language))

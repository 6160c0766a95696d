"""`/propose`, `/proposals` and `/proposal`: opening a proposal and looking at them."""

from __future__ import annotations

from bot.catalog import Markup, Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.services import handoffs
from bot.services.proposals.arguments import ANY_NUMBER, actor_of, load
from bot.services.proposals.lifecycle import open_proposal
from bot.services.proposals.news import announce, audit, schedule
from bot.services.proposals.records import UNDECIDED, Action, State, from_reflection
from bot.services.proposals.settings import rules_of
from bot.services.proposals.texts import full_view, list_line, localized, name_or_former, when

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
        if not found:
            ctx.say("proposal_list_empty", which=which)
            return
        rules = rules_of(ctx.community)
        lines = [list_line(ctx, p, rules, ctx.language) for p in reversed(found)]
        ctx.say("proposal_list", which=which, count=len(found), lines=Markup("\n".join(lines)))

    @feature.command("proposal", ANY_NUMBER)
    async def show_proposal(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, args.integer("number"))
        if p.hidden:
            hider = next((e for e in reversed(p.events) if e.action is Action.HIDDEN), None)
            ctx.say(
                "proposal_view_hidden",
                number=p.number,
                name=name_or_former(ctx, hider.actor_name if hider else "", ctx.language),
                reason=p.hidden_reason,
            )
            return
        merged = [
            other
            for other in await ctx.uow.proposals.in_community(ctx.community.id, {State.MERGED})
            if other.merged_into == p.number and not other.hidden
        ]
        rules = rules_of(ctx.community)
        ctx.say("proposal_view", body=full_view(ctx, p, rules, merged, ctx.language))

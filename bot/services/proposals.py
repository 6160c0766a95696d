"""Proposals that are never rejected prematurely: the commands, timers and report around
the pure lifecycle in bot/proposal_lifecycle.py.

Each command loads a proposal, lets the lifecycle change it (or refuse) and hands it to
proposal_news.apply, which stores it and mirrors what happened: the audit log, the proposals
channel and the timers of a new stage. Settings live in proposal_settings, wording in
proposal_texts and prompts/en/proposals.yaml.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Job
from bot.errors import Refusal
from bot.feature import Feature
from bot.proposal_lifecycle import Proposal, open_proposal
from bot.proposal_records import (
    UNDECIDED,
    Action,
    Actor,
    Kind,
    Rules,
    Stance,
    State,
    from_reflection,
    stays,
    voice_of,
)
from bot.roles import Role
from bot.scheduling import parse_duration
from bot.services import handoffs
from bot.services.proposal_news import JOB_PREFIX, announce, apply, audit, schedule
from bot.services.proposal_settings import rules_of, setup_key
from bot.services.proposal_suggestions import any_proposal, open_proposals
from bot.services.proposal_texts import (
    full_view,
    list_line,
    localized,
    name_or_former,
    state_name,
    when,
)
from bot.services.reports import report_period
from bot.wording import roughly

feature = Feature("proposals")
feature.setup_keys.append(setup_key)
REVISIT_HOUR = 9  # a revisit date brings the proposal back at this local hour
MAX_REVISIT = timedelta(days=2 * 366)
LIST_FILTERS = ("open", "all", *(s.value for s in State))


def _actor(ctx: CommandContext) -> Actor:
    return Actor(
        voice_of(ctx.member.id),
        ctx.member.id,
        ctx.member.display_name,
        moderator=ctx.role >= Role.MODERATOR,
    )


async def _load(ctx: CommunityContext, number: int | None) -> Proposal:
    found = None if number is None else await ctx.uow.proposals.get(ctx.community.id, number)
    if found is None:
        raise Refusal("proposal_not_found", number=number if number is not None else "?")
    return found


def _number(args: Args, name: str = "number") -> int:
    number = args.integer(name)
    if number is None:  # pragma: no cover - the parameter is declared required
        raise Refusal("proposal_not_found", number="?")
    return number


NUMBER = Param(
    "number",
    ParamType.INTEGER,
    "The proposal's number, e.g. 3",
    required=True,
    suggest=open_proposals,
)
ANY_NUMBER = replace(NUMBER, suggest=any_proposal)  # looking one up: decided ones too

# -- opening and looking ----------------------------------------------------------------------


@feature.command(
    "propose",
    "Open a proposal: a title, then | and the details (or: from answer 7).",
    Param(
        "title_and_details",
        ParamType.TEXT,
        "Title | details (e.g. Garden | Use the empty lot…), or: from answer 7",
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
        fresh = open_proposal(ctx.community.id, _actor(ctx), title, details, ctx.now, rules, origin)
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
    "List proposals with what each needs next.",
    Param("state", ParamType.CHOICE, "Which ones (default: open)", choices=LIST_FILTERS),
)
async def list_proposals(ctx: CommandContext, args: Args) -> None:
    wanted = args.text("state") or "open"
    states = None if wanted == "all" else UNDECIDED if wanted == "open" else {State(wanted)}
    found = await ctx.uow.proposals.tallies(ctx.community.id, states)
    if not found:
        ctx.say("proposal_list_empty", which=wanted)
        return
    rules = rules_of(ctx.community)
    lines = [list_line(ctx, p, rules, ctx.language) for p in reversed(found)]
    ctx.say("proposal_list", which=wanted, count=len(found), lines=Markup("\n".join(lines)))


@feature.command("proposal", "Show one proposal: versions, builds, positions, history.", ANY_NUMBER)
async def show_proposal(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, args.integer("number"))
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


# -- incubation ------------------------------------------------------------------------------


def _contribution_command(kind: Kind, description: str) -> None:
    @feature.command(
        kind.value,
        description,
        NUMBER,
        Param("text", ParamType.TEXT, f"Your {kind.value}", required=True),
    )
    async def contribute(ctx: CommandContext, args: Args) -> None:
        p = await _load(ctx, _number(args))
        actor = _actor(ctx)
        await apply(
            ctx,
            [p],
            lambda rules: p.contribute(actor, kind, args.text("text") or "", ctx.now, rules),
        )
        ctx.say(f"proposal_{kind.value}_added", number=p.number)


_contribution_command(Kind.BUILD, "Add a “yes, and…” to an incubating proposal.")
_contribution_command(Kind.CONCERN, "Raise a concern about an incubating proposal: say what about.")


@feature.command("support", "Show support for an incubating proposal.", NUMBER)
async def support(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    await apply(ctx, [p], lambda rules: p.support(actor, ctx.now))
    ctx.say("proposal_supported", number=p.number, count=len(p.supports))


@feature.command(
    "revise",
    "Give your proposal a new version (the old ones stay in its history).",
    NUMBER,
    Param("details", ParamType.TEXT, "The new details", required=True),
)
async def revise(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    await apply(ctx, [p], lambda rules: p.revise(actor, args.text("details") or "", ctx.now, rules))
    ctx.say("proposal_revised", number=p.number, version=p.version.number)


# -- the consent round ------------------------------------------------------------------------


def _position_command(name: str, stance: Stance, description: str, hint: str) -> None:
    @feature.command(
        name,
        description,
        NUMBER,
        Param("reason", ParamType.TEXT, hint, required=stance is Stance.OBJECT),
    )
    async def take_position(ctx: CommandContext, args: Args) -> None:
        p = await _load(ctx, _number(args))
        actor = _actor(ctx)
        reason = args.text("reason") or ""
        await apply(ctx, [p], lambda rules: p.take_position(actor, stance, reason, ctx.now, rules))
        ctx.say(
            f"proposal_position_{stance.value}", number=p.number, closes=when(ctx, p.consent_until)
        )


_position_command(
    "consent", Stance.CONSENT, "Consent to a proposal in its consent round.", "Anything to add"
)
_position_command(
    "standaside",
    Stance.STAND_ASIDE,
    "Stand aside: you won't block it, but you won't take part.",
    "Why, if you like",
)
_position_command(
    "object",
    Stance.OBJECT,
    "Object, with the reason and what would resolve it.",
    "Your reason and what would resolve it",
)


@feature.command(
    "withdraw",
    "Withdraw your own proposal.",
    NUMBER,
    Param("reason", ParamType.TEXT, "Why, if you like"),
)
async def withdraw(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    await apply(ctx, [p], lambda rules: p.withdraw(actor, args.text("reason") or "", ctx.now))
    ctx.say("proposal_withdrew", number=p.number)


# -- moderators -------------------------------------------------------------------------------

_REVISIT = re.compile(
    r"^(?P<reason>.*?)\s*\brevisit\s+(?P<when>\d{4}-\d{1,2}-\d{1,2}|\d{1,5}\s*[a-z]{1,3})\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _revisit_at(ctx: CommandContext, text: str, rules: Rules) -> tuple[str, datetime]:
    """Split '<reason> revisit 2026-05-01' (or 'revisit 6w'); the default is the setting."""
    match = _REVISIT.match(text)
    if match is None:
        return text, ctx.now + rules.revisit
    raw = match.group("when")
    try:
        if "-" in raw:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
            local = datetime(day.year, day.month, day.day, REVISIT_HOUR, tzinfo=ctx.tz)
            until = local.astimezone(ctx.now.tzinfo)
        else:
            until = ctx.now + parse_duration(raw)
    except ValueError:
        raise Refusal("proposal_bad_revisit", value=raw) from None
    if until > ctx.now + MAX_REVISIT:
        raise Refusal("proposal_revisit_too_far", value=raw)
    return match.group("reason"), until


@feature.command(
    "park",
    "Park a proposal past incubation (or resting), with a reason and a date to revisit it.",
    NUMBER,
    Param(
        "reason",
        ParamType.TEXT,
        "The reason, optionally ending 'revisit 2026-05-01' or '6w'",
        required=True,
    ),
    role=Role.MODERATOR,
)
async def park(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    rules = rules_of(ctx.community)
    reason, until = _revisit_at(ctx, args.text("reason") or "", rules)
    await apply(ctx, [p], lambda rules: p.park(actor, reason, until, ctx.now, rules))
    ctx.say("proposal_parked", number=p.number, until=when(ctx, until))


@feature.command(
    "adopt",
    "Record an adoption when the consent round has no standing objection.",
    NUMBER,
    Param("note", ParamType.TEXT, "A note for the record", required=True),
    role=Role.MODERATOR,
)
async def adopt(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    await apply(ctx, [p], lambda rules: p.adopt(actor, args.text("note") or "", ctx.now, rules))
    ctx.say("proposal_adopted", number=p.number)


@feature.command(
    "hide",
    "Hide an abusive proposal's text (it stays in the audit log).",
    NUMBER,
    Param("reason", ParamType.TEXT, "Why: this goes to the public audit log", required=True),
    role=Role.MODERATOR,
)
async def hide(ctx: CommandContext, args: Args) -> None:
    p = await _load(ctx, _number(args))
    actor = _actor(ctx)
    await apply(ctx, [p], lambda rules: p.hide(actor, args.text("reason") or "", ctx.now))
    ctx.say("proposal_hid", number=p.number)


@feature.command(
    "merge",
    "Link a duplicate proposal into another; builds and support carry over.",
    NUMBER,
    Param(
        "into",
        ParamType.INTEGER,
        "The proposal that carries on",
        required=True,
        suggest=open_proposals,
    ),
    role=Role.MODERATOR,
)
async def merge(ctx: CommandContext, args: Args) -> None:
    duplicate = await _load(ctx, _number(args))
    if _number(args, "into") == duplicate.number:
        raise Refusal("proposal_merge_self", number=duplicate.number)
    target = await _load(ctx, _number(args, "into"))
    actor = _actor(ctx)
    await apply(
        ctx, [duplicate, target], lambda rules: duplicate.merge_into(target, actor, ctx.now, rules)
    )
    ctx.say("proposal_merged_done", number=duplicate.number, into=target.number)


# -- timers -----------------------------------------------------------------------------------


async def _for_job(ctx: CommunityContext, job: Job) -> Proposal | None:
    """The proposal a timer is about, unless its stage has moved on since it was set."""
    found = await ctx.uow.proposals.get(ctx.community.id, int(job.payload["number"]))
    if found is None or found.stage != int(job.payload["stage"]):
        return None
    return found


@feature.job(JOB_PREFIX + "incubation")
async def incubation_due(ctx: CommunityContext, job: Job) -> None:
    p = await _for_job(ctx, job)
    if p is None:
        return
    again = await apply(ctx, [p], lambda rules: p.incubation_due(ctx.now, rules))
    if again is not None:
        # Still short of perspectives: look again when its next reminder is due.
        await ctx.uow.jobs.add(
            community_id=ctx.community.id,
            kind=job.kind,
            due_at=max(again, ctx.now),
            payload=dict(job.payload),
        )


@feature.job(JOB_PREFIX + "reminder")
async def reminder_due(ctx: CommunityContext, job: Job) -> None:
    p = await _for_job(ctx, job)
    if p is not None:
        await apply(ctx, [p], lambda rules: p.remind(ctx.now))


@feature.job(JOB_PREFIX + "close")
async def close_due(ctx: CommunityContext, job: Job) -> None:
    p = await _for_job(ctx, job)
    if p is not None:
        await apply(ctx, [p], lambda rules: p.close_round(ctx.now, rules))


@feature.job(JOB_PREFIX + "revisit")
async def revisit_due(ctx: CommunityContext, job: Job) -> None:
    p = await _for_job(ctx, job)
    if p is not None:
        await apply(ctx, [p], lambda rules: p.revisit(ctx.now, rules))


# -- the report -------------------------------------------------------------------------------


@feature.report("proposals")
async def report(ctx: CommandContext, period_text: str | None) -> None:
    """Counts of what happened in the period and how long each stage took (medians)."""
    period = report_period(period_text)
    since = ctx.now - period
    proposals = await ctx.uow.proposals.in_community(ctx.community.id)
    opened = sum(1 for p in proposals if p.created_at >= since)
    outcomes = {state: 0 for state in (State.ADOPTED, State.PARKED, State.WITHDRAWN, State.MERGED)}
    lengths: dict[State, list[timedelta]] = {
        State.INCUBATING: [],
        State.CONSENT: [],
        State.PARKED: [],
    }
    for p in proposals:
        for event in p.events:
            if event.at >= since and event.state in outcomes:
                outcomes[event.state] += 1
        ends = [e.at for e in p.events if e.state is not None][1:]
        for (state, length), ended in zip(stays(p.events), ends, strict=True):
            if ended >= since and state in lengths:
                lengths[state].append(length)
    stage_lines = [
        ctx.text(
            "proposal_report_stage",
            ctx.language,
            stage=state_name(ctx, state, ctx.language),
            median=roughly(sorted(found)[len(found) // 2], ctx.language) if found else "—",
            count=len(found),
        )
        for state, found in lengths.items()
    ]
    ctx.say(
        "proposal_report",
        days=period.days,
        opened=opened,
        adopted=outcomes[State.ADOPTED],
        parked=outcomes[State.PARKED],
        withdrawn=outcomes[State.WITHDRAWN],
        merged=outcomes[State.MERGED],
        open_now=sum(1 for p in proposals if p.state in UNDECIDED and not p.hidden),
        stages=Markup("\n".join(stage_lines)),
    )

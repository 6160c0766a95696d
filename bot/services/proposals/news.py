"""Mirroring what happened to a proposal: the audit log, the proposals channel and timers.

The lifecycle records events; here each new one becomes an audit entry (state changes and
moderator actions), an announcement (never naming anyone who has not answered), and, when
the stage changed, the jobs of the new stage, kept in the database so they survive restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.catalog import Markup, Phrase
from bot.context import CommandContext, CommunityContext
from bot.errors import Refusal
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import (
    JOB_PREFIX,
    MAX_REMINDERS,
    Action,
    Event,
    Rules,
    Stance,
)
from bot.services.proposals.settings import rules_of
from bot.services.proposals.texts import counted, localized, name_or_former, when

T = TypeVar("T")

_AUDIT_KEYS = {
    Action.PROPOSED: "audit_proposal_opened",
    Action.CONSENT_STARTED: "audit_proposal_consent_started",
    Action.RETURNED: "audit_proposal_restarted",
    Action.REOPENED: "audit_proposal_restarted",
    Action.ADOPTED: "audit_proposal_adopted",
    Action.WITHDRAWN: "audit_proposal_withdrawn",
    Action.PARKED: "audit_proposal_parked",
    Action.REVISITED: "audit_proposal_restarted",
    Action.HIDDEN: "audit_proposal_hidden",
    Action.MERGED: "audit_proposal_merged",
    Action.EXTENDED: "audit_proposal_extended",
    Action.RESTED: "audit_proposal_rested",
}


def _audit_reason(p: Proposal, e: Event) -> Phrase | str:
    """Why, as a catalog text (moments kept as moments, put into words when read) or, when a
    person gave the reason, their own words."""
    if e.action is Action.RETURNED:
        return Phrase("proposal_audit_returned", count=counted(e.detail))
    if e.action is Action.REOPENED:
        return Phrase("proposal_audit_reopened", version=p.version.number)
    if e.action is Action.ADOPTED and e.automatic:
        return Phrase("proposal_audit_adopted", count=counted(e.detail))
    if e.action is Action.PARKED:
        return Phrase("proposal_audit_parked", reason=e.detail, until=p.parked_until)
    if e.action is Action.REVISITED:
        return Phrase("proposal_audit_revisited", reason=e.detail)
    if e.action is Action.EXTENDED:
        return Phrase("proposal_audit_extended", closes=p.consent_until)
    if e.action is Action.RESTED:
        return Phrase("proposal_audit_rested")
    if e.action is Action.CONSENT_STARTED:
        return Phrase("proposal_audit_consent", closes=p.consent_until)
    if e.action is Action.MERGED:
        return ""  # the entry says into which
    if e.action is Action.PROPOSED:
        number = p.from_reflection
        return "" if number is None else Phrase("proposal_audit_from", reflection=number)
    return e.detail


async def audit(ctx: CommunityContext, p: Proposal, e: Event) -> None:
    actor = ctx.member if isinstance(ctx, CommandContext) and not e.automatic else None
    into: dict[str, Any] = {"into": p.merged_into} if e.action is Action.MERGED else {}
    await ctx.audit(
        _AUDIT_KEYS[e.action], actor=actor, number=p.number, reason=_audit_reason(p, e), **into
    )


def _origin(ctx: CommunityContext, p: Proposal) -> Markup:
    """', from reflection 7' after the author's name, for a proposal that grew out of one."""
    if p.from_reflection is None:
        return Markup("")
    return Markup(ctx.text("proposal_announce_origin", reflection=p.from_reflection))


def _reminder(p: Proposal, key: str) -> str:
    """The last reminder of a quiet stretch says so, and that the proposal rests after it."""
    return key + "_last" if p.nudges >= MAX_REMINDERS else key


def announce(ctx: CommunityContext, p: Proposal, e: Event, rules: Rules) -> None:
    """Tell the proposals channel; never names anyone who has not answered. Resting is quiet."""
    base: dict[str, Any] = {"number": p.number, "title": p.title}
    who = name_or_former(ctx, e.actor_name)
    match e.action:
        case Action.PROPOSED:
            ctx.announce(
                "proposals",
                "proposal_announce_new",
                **base,
                author=who,
                origin=_origin(ctx, p),
                details=p.version.details,
                until=when(ctx, p.incubation_until),
                need=rules.perspectives,
            )
        case Action.BUILT | Action.CONCERNED:
            key = (
                "proposal_announce_build"
                if e.action is Action.BUILT
                else "proposal_announce_concern"
            )
            ctx.announce("proposals", key, **base, name=who, text=e.detail)
        case Action.OBJECTED:
            ctx.announce(
                "proposals", "proposal_announce_objection", **base, name=who, reason=e.detail
            )
        case Action.REVISED:
            ctx.announce(
                "proposals",
                "proposal_announce_revised",
                **base,
                version=p.version.number,
                details=p.version.details,
            )
        case Action.CONSENT_STARTED:
            ctx.announce(
                "proposals",
                "proposal_announce_consent",
                **base,
                details=p.version.details,
                closes=when(ctx, p.consent_until),
            )
        case Action.RERAISED:
            ctx.announce(
                "proposals",
                _reminder(p, "proposal_announce_reraise"),
                **base,
                have=p.perspectives,
                need=rules.perspectives,
            )
        case Action.REMINDED:
            ctx.announce(
                "proposals",
                _reminder(p, "proposal_announce_reminder"),
                **base,
                closes=when(ctx, p.consent_until),
                consents=Phrase("n_consents", count=p.stance_count(Stance.CONSENT)),
                asides=p.stance_count(Stance.STAND_ASIDE),
                objections=Phrase("n_objections", count=len(p.standing_objections())),
            )
        case Action.EXTENDED:
            ctx.announce(
                "proposals",
                _reminder(p, "proposal_announce_extended"),
                **base,
                closes=when(ctx, p.consent_until),
            )
        case Action.RETURNED | Action.REOPENED:
            key = (
                "proposal_announce_returned"
                if e.action is Action.RETURNED
                else "proposal_announce_reopened"
            )
            ctx.announce(
                "proposals",
                key,
                **base,
                count=counted(e.detail),
                until=when(ctx, p.incubation_until),
            )
        case Action.ADOPTED if e.automatic:
            ctx.announce("proposals", "proposal_announce_adopted", **base, count=counted(e.detail))
        case Action.ADOPTED:
            ctx.announce(
                "proposals", "proposal_announce_adopted_by", **base, name=who, note=e.detail
            )
        case Action.WITHDRAWN:
            key = "proposal_announce_withdrawn" + ("_why" if e.detail else "")
            ctx.announce("proposals", key, **base, reason=e.detail)
        case Action.PARKED:
            ctx.announce(
                "proposals",
                "proposal_announce_parked",
                **base,
                name=who,
                reason=e.detail,
                until=when(ctx, p.parked_until),
            )
        case Action.REVISITED:
            ctx.announce(
                "proposals",
                "proposal_announce_revisited",
                **base,
                reason=e.detail,
                until=when(ctx, p.incubation_until),
            )
        case Action.HIDDEN:
            # The hidden text is never repeated, not even its title.
            ctx.announce(
                "proposals", "proposal_announce_hidden", number=p.number, name=who, reason=e.detail
            )
        case Action.MERGED:
            ctx.announce(
                "proposals", "proposal_announce_merged", **base, name=who, into=p.merged_into or 0
            )
        case _:
            return


async def schedule(ctx: CommunityContext, p: Proposal, rules: Rules) -> None:
    """Queue the timers of the proposal's new stage; older timers see a stale stage and stop."""
    for kind, due in p.timers(rules):
        await ctx.uow.jobs.add(
            community_id=ctx.community.id,
            kind=JOB_PREFIX + kind,
            due_at=max(due, ctx.now),
            payload={"number": p.number, "stage": p.stage},
        )


async def _record(ctx: CommunityContext, p: Proposal, stage: int, rules: Rules) -> None:
    """Store a changed proposal and mirror its new events: audit, announcements, timers."""
    new = [e for e in p.events if e.id is None]
    await ctx.uow.proposals.save(p)
    if p.stage != stage:
        await schedule(ctx, p, rules)
    for event in new:
        if event.audit:
            await audit(ctx, p, event)
        announce(ctx, p, event, rules)


async def apply(
    ctx: CommunityContext, proposals: Sequence[Proposal], change: Callable[[Rules], T]
) -> T:
    """Let the lifecycle change these proposals (or refuse, in local words), then record it."""
    rules = rules_of(ctx.community)
    stages = [p.stage for p in proposals]
    language = ctx.language if isinstance(ctx, CommandContext) else None
    try:
        result = change(rules)
    except Refusal as refusal:
        raise localized(ctx, refusal, language) from None
    for p, stage in zip(proposals, stages, strict=True):
        await _record(ctx, p, stage, rules)
    return result

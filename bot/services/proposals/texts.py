"""How proposals read: times, states, lines and the full view, all through the catalog.

Every piece of user text goes in as a catalog parameter (escaped there); only text that the
catalog already rendered is wrapped in Markup, so nobody's words can change the formatting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.catalog import Markup
from bot.context import CommunityContext
from bot.errors import Refusal
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import Action, Event, Rules, State, reflection_number
from bot.services.proposals.summaries import Tally
from bot.wording import moment, roughly

# Refusals whose answer says when incubation can be over.
TOO_EARLY = frozenset(
    {"proposal_park_too_early", "proposal_adopt_too_early", "proposal_position_too_early"}
)


def span(length: timedelta) -> str:
    """'3d', '1d 12h', '45m': short and the same in every language."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"


def counted(detail: str) -> int:
    """An event's detail that records a count (objections, consents, perspectives)."""
    return int(detail) if detail.isdecimal() else 0


def when(ctx: CommunityContext, at: datetime | None, language: str | None = None) -> str:
    """A proposal's moments read like every other date Hearth shows."""
    return moment(ctx, at, language)


def state_name(ctx: CommunityContext, state: State, language: str | None = None) -> str:
    return ctx.text(f"proposal_state_{state.value}", language)


def name_or_former(ctx: CommunityContext, name: str, language: str | None = None) -> str:
    """A forgotten person's name is gone; say so instead of leaving a blank."""
    return name or ctx.text("former_member", language)


def when_possible(
    ctx: CommunityContext, until: datetime, need: int, have: int, language: str | None = None
) -> Markup:
    """When incubation can be over: after a time, once enough others have spoken, or both."""
    time_left = until > ctx.now
    voices_left = have < need
    if time_left and voices_left:
        key = "proposal_when_both"
    elif time_left:
        key = "proposal_when_time"
    else:
        key = "proposal_when_voices"
    return Markup(ctx.text(key, language, until=when(ctx, until), need=need, have=have))


def localized(ctx: CommunityContext, refusal: Refusal, language: str | None = None) -> Refusal:
    """The lifecycle refuses with raw values; show them in the community's time and words."""
    params: dict[str, Any] = {}
    for key, value in refusal.params.items():
        if isinstance(value, State):
            params[key] = state_name(ctx, value, language)
        elif isinstance(value, datetime) or (value is None and key in ("until", "closes")):
            params[key] = when(ctx, value)
        else:
            params[key] = value
    if refusal.key in TOO_EARLY:
        params["when"] = when_possible(
            ctx,
            refusal.params["until"],
            refusal.params["need"],
            refusal.params["have"],
            language,
        )
    return Refusal(refusal.key, **params)


def next_step(
    ctx: CommunityContext, p: Proposal | Tally, rules: Rules, language: str | None
) -> Markup:
    """What the proposal needs next, in a few words."""
    if p.hidden:
        return Markup(ctx.text("proposal_next_hidden", language))
    if p.resting_since is not None:
        return Markup(
            ctx.text(
                f"proposal_next_resting_{p.state.value}",
                language,
                since=when(ctx, p.resting_since),
                number=p.number,
            )
        )
    if p.state is State.INCUBATING:
        return Markup(
            ctx.text(
                "proposal_next_incubating",
                language,
                when=when_possible(ctx, p.incubation_until, rules.perspectives, p.perspectives),
            )
        )
    if p.state is State.CONSENT:
        return Markup(
            ctx.text(
                "proposal_next_consent",
                language,
                closes=when(ctx, p.consent_until),
                number=p.number,
            )
        )
    if p.state is State.PARKED:
        return Markup(ctx.text("proposal_next_parked", language, until=when(ctx, p.parked_until)))
    if p.state is State.MERGED:
        return Markup(ctx.text("proposal_next_merged", language, into=p.merged_into or 0))
    return Markup(ctx.text("proposal_next_none", language))


def list_line(ctx: CommunityContext, p: Tally, rules: Rules, language: str | None) -> str:
    return list_lines(ctx, [p], rules, language)[0]


def list_lines(
    ctx: CommunityContext, tallies: Iterable[Tally], rules: Rules, language: str | None
) -> list[str]:
    """A listing's lines, in the order given. What every line shares (the clock, the words,
    the timezone, the year) is worked out once: per line it cost as much as the lookup."""
    now = ctx.now
    lang = language or ctx.community.language
    tz = ctx.tz
    # Everything a line is made of: the proposal's row, the words, the clock it is read on,
    # and the only facts of the time it shows besides its age (which year it is, whether the
    # proposal's incubation time is over).
    shared = (ctx.catalog, rules.perspectives, lang, tz, now.astimezone(tz).year)
    lines = []
    for p in tallies:
        if p.hidden:
            lines.append(ctx.text("proposal_line_hidden", language, number=p.number))
            continue
        age = roughly(now - p.created_at, lang)
        key = (shared, p, p.incubation_until > now, age)
        line = _LINES.get(key)
        if line is None:
            if len(_LINES) >= _LINES_KEPT:
                _LINES.clear()
            line = _LINES[key] = ctx.text(
                "proposal_line",
                lang,
                number=p.number,
                title=p.title,
                state=state_name(ctx, p.state, lang),
                age=age,
                builds=p.builds,
                concerns=p.concerns,
                support=p.support,
                consents=p.consents,
                objections=p.objections,
                next=next_step(ctx, p, rules, lang),
            )
        lines.append(line)
    return lines


# Listing lines as made, by everything they are made of (`list_lines`): `/proposals` shows the
# same lines again and again until a proposal changes, and making them was 27% of the core
# bench (40 lines, each a few nested texts and dates).
_LINES: dict[tuple[Any, ...], str] = {}
_LINES_KEPT = 4096


def _contribution_lines(
    ctx: CommunityContext, p: Proposal, version: int, language: str | None
) -> list[str]:
    lines = []
    for c in p.contributions:
        if c.version != version or c.merged_from is not None:
            continue
        key = f"proposal_view_{c.kind.value}" + ("_objection" if c.from_objection else "")
        lines.append(
            ctx.text(key, language, name=name_or_former(ctx, c.name, language), text=c.text)
        )
    return lines


def history_parts(ctx: CommunityContext, e: Event, language: str | None) -> tuple[str, str, str]:
    """Who (as written, not escaped), what they did (catalog markup) and why (their own words,
    or "" when the detail is a count or a number), as the proposal's history tells them."""
    actor = (
        ctx.text("proposal_hearth", language)
        if e.automatic
        else name_or_former(ctx, e.actor_name, language)
    )
    by_hand = e.action is Action.ADOPTED and not e.automatic
    key = f"proposal_did_{e.action.value}" + ("_by_hand" if by_hand else "")
    reflection = reflection_number(e.detail) if e.action is Action.PROPOSED else None
    if reflection is not None:
        did = ctx.text("proposal_did_proposed_from_reflection", language, reflection=reflection)
    elif e.action is Action.RENUMBERED:
        was, _, place = e.detail.partition(" ")
        did = ctx.text(key, language, was=was, place=place)
    else:
        did = ctx.text(key, language, detail=e.detail, count=counted(e.detail))
    why = e.detail if (e.action in _REASONED or by_hand) else ""
    return actor, did, why


def _history_line(ctx: CommunityContext, e: Event, language: str | None) -> str:
    actor, did, why = history_parts(ctx, e, language)
    key = "proposal_view_history_why" if why else "proposal_view_history"
    return ctx.text(key, language, at=when(ctx, e.at), actor=actor, did=did, why=why)


# History lines show the detail of these as the "why"; others' details are counts or numbers.
_REASONED = frozenset(
    {
        Action.WITHDRAWN,
        Action.PARKED,
        Action.REVISITED,
        Action.HIDDEN,
        Action.STOOD_ASIDE,
        Action.OBJECTED,
        Action.CONSENTED,
    }
)


def full_view(
    ctx: CommunityContext, p: Proposal, rules: Rules, merged: list[Proposal], language: str | None
) -> Markup:
    """One proposal with its versions, builds, concerns, positions and full history."""
    t = ctx.text
    out = [
        t(
            "proposal_view_head",
            language,
            number=p.number,
            title=p.title,
            state=state_name(ctx, p.state, language),
            since=when(ctx, p.state_since),
            author=name_or_former(ctx, p.author_name, language),
            created=when(ctx, p.created_at),
            support=len(p.supports),
            perspectives=p.perspectives,
        ),
        t("proposal_view_next", language, next=next_step(ctx, p, rules, language)),
    ]
    for version in reversed(p.versions):
        current = version is p.version
        out.append("")
        out.append(
            t(
                "proposal_view_version_current" if current else "proposal_view_version",
                language,
                version=version.number,
                at=when(ctx, version.at),
                details=version.details,
            )
        )
        out.extend(_contribution_lines(ctx, p, version.number, language))
    if merged or any(c.merged_from for c in p.contributions):
        out.append("")
        for c in p.contributions:
            if c.merged_from is None:
                continue
            out.append(
                t(
                    f"proposal_view_merged_{c.kind.value}",
                    language,
                    number=c.merged_from,
                    name=name_or_former(ctx, c.name, language),
                    text=c.text,
                )
            )
        for other in merged:
            out.append(t("proposal_view_merged_from", language, number=other.number))
    rounds = sorted({pos.round for pos in p.positions})
    for number in rounds:
        out.append("")
        out.append(t("proposal_view_round", language, round=number))
        latest = {pos.voice: pos for pos in p.positions if pos.round == number}
        for pos in latest.values():
            out.append(
                t(
                    f"proposal_view_position_{pos.stance.value}" + ("_why" if pos.reason else ""),
                    language,
                    name=name_or_former(ctx, pos.name, language),
                    reason=pos.reason,
                )
            )
    out.append("")
    out.append(t("proposal_view_history_head", language))
    out.extend(_history_line(ctx, e, language) for e in p.events)
    return Markup("\n".join(out))

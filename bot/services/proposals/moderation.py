"""What moderators do: park a proposal with a date to revisit it, record an adoption, hide an
abusive one, merge a duplicate."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.roles import Role
from bot.scheduling import parse_duration
from bot.services.proposals.arguments import NUMBER, actor_of, load, number_of
from bot.services.proposals.news import apply
from bot.services.proposals.records import Rules
from bot.services.proposals.settings import rules_of
from bot.services.proposals.suggestions import open_proposals
from bot.services.proposals.texts import when

REVISIT_HOUR = 9  # a revisit date brings the proposal back at this local hour
MAX_REVISIT = timedelta(days=2 * 366)

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


def install_moderation(feature: Feature) -> None:
    """/park, /adopt, /hide and /merge."""

    @feature.command(
        "park",
        NUMBER,
        Param(
            "reason",
            ParamType.TEXT,
            required=True,
        ),
        role=Role.MODERATOR,
    )
    async def park(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        rules = rules_of(ctx.community)
        reason, until = _revisit_at(ctx, args.text("reason") or "", rules)
        await apply(ctx, [p], lambda rules: p.park(actor, reason, until, ctx.now, rules))
        ctx.say("proposal_parked", number=p.number, until=when(ctx, until))

    @feature.command(
        "adopt",
        NUMBER,
        Param("note", ParamType.TEXT, required=True),
        role=Role.MODERATOR,
    )
    async def adopt(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(ctx, [p], lambda rules: p.adopt(actor, args.text("note") or "", ctx.now, rules))
        ctx.say("proposal_adopted", number=p.number)

    @feature.command(
        "hide",
        NUMBER,
        Param("reason", ParamType.TEXT, required=True),
        role=Role.MODERATOR,
    )
    async def hide(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(ctx, [p], lambda rules: p.hide(actor, args.text("reason") or "", ctx.now))
        ctx.say("proposal_hid", number=p.number)

    @feature.command(
        "merge",
        NUMBER,
        Param(
            "into",
            ParamType.INTEGER,
            required=True,
            suggest=open_proposals,
        ),
        role=Role.MODERATOR,
    )
    async def merge(ctx: CommandContext, args: Args) -> None:
        duplicate = await load(ctx, number_of(args))
        if number_of(args, "into") == duplicate.number:
            raise Refusal("proposal_merge_self", number=duplicate.number)
        target = await load(ctx, number_of(args, "into"))
        actor = actor_of(ctx)
        await apply(
            ctx,
            [duplicate, target],
            lambda rules: duplicate.merge_into(target, actor, ctx.now, rules),
        )
        ctx.say("proposal_merged_done", number=duplicate.number, into=target.number)

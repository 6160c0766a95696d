"""/schedule: moderators list, set and clear a community's weekly schedules."""

from __future__ import annotations

from collections.abc import Iterable

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Schedule
from bot.errors import Refusal
from bot.feature import Feature
from bot.roles import Role
from bot.scheduling import WEEKDAYS, next_weekly, parse_weekly
from bot.wording import moment, weekday_name


def describe(ctx: CommunityContext, schedule: Schedule, language: str) -> Markup:
    """A schedule in the community's own timezone, which it names: it runs for everyone."""
    return Markup(
        ctx.text(
            "schedule_line",
            language,
            kind=schedule.kind,
            day=weekday_name(schedule.weekday, language),
            time=f"{schedule.hour:02d}:{schedule.minute:02d}",
            next=moment(ctx, schedule.next_run, language, in_community_time=True),
            timezone=ctx.community.timezone,
        )
    )


def schedule_feature(kinds: Iterable[str]) -> Feature:
    """The /schedule command over every kind of recurring job the installed features offer."""
    known = tuple(sorted(kinds))
    feature = Feature("schedule")

    @feature.command(
        "schedule",
        Param("kind", ParamType.CHOICE, choices=known),
        Param("when", ParamType.TEXT),
        role=Role.MODERATOR,
    )
    async def schedule(ctx: CommandContext, args: Args) -> None:
        kind = args.text("kind")
        if kind is None:
            schedules = await ctx.uow.schedules.for_community(ctx.community.id)
            lines = [describe(ctx, s, ctx.language) for s in schedules]
            ctx.say(
                "schedule_list",
                schedules=Markup("\n".join(lines) or ctx.text("schedule_none", ctx.language)),
                kinds=", ".join(known),
            )
            return
        when = args.text("when")
        if when is None:
            current = await ctx.uow.schedules.get(ctx.community.id, kind)
            if current is None:
                ctx.say("schedule_kind_unset", kind=kind)
            else:
                ctx.say("schedule_kind_is", line=describe(ctx, current, ctx.language))
            return
        if when.lower() == "off":
            if not await ctx.uow.schedules.remove(ctx.community.id, kind):
                raise Refusal("schedule_already_off", kind=kind)
            await ctx.audit_action("audit_schedule_cleared", kind=kind)
            ctx.say("schedule_cleared", kind=kind)
            return
        weekday, hour, minute = parse_weekly(when)
        new = Schedule(
            ctx.community.id,
            kind,
            weekday,
            hour,
            minute,
            next_weekly(weekday, hour, minute, ctx.community.timezone, ctx.now),
        )
        await ctx.uow.schedules.put(new)
        line = describe(ctx, new, ctx.language)
        await ctx.audit_action(
            "audit_schedule_set", kind=kind, reason=f"{WEEKDAYS[weekday]} {hour:02d}:{minute:02d}"
        )
        ctx.say("schedule_set", line=line)

    return feature

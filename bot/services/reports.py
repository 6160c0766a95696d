"""/report: moderators' aggregate reports; each feature contributes its kinds with
`@feature.report(kind)` and reads the period with `report_period`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature, ReportHandler
from bot.numbers import whole_number
from bot.roles import Role
from bot.scheduling import parse_duration

DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)


def report_period(text: str | None, default: timedelta = DEFAULT_PERIOD) -> timedelta:
    """'30d', '4w' or a bare number, which is days for every report; at most a year."""
    if text is None:
        return default
    raw = text.strip().lower()
    try:
        days = whole_number(raw)
        period = timedelta(days=days) if days is not None else parse_duration(raw)
    except ValueError:
        raise Refusal("report_bad_period", value=text) from None
    if period <= timedelta(0):
        raise Refusal("report_bad_period", value=text)
    if period > MAX_PERIOD:
        raise Refusal("report_period_too_long", value=text)
    return period


def report_feature(kinds: Mapping[str, ReportHandler]) -> Feature:
    """The /report command over every report the installed features offer."""
    known = tuple(sorted(kinds))
    feature = Feature("report")

    @feature.command(
        "report",
        Param("kind", ParamType.CHOICE, choices=known),
        Param("period", ParamType.WORD),
        role=Role.MODERATOR,
    )
    async def report(ctx: CommandContext, args: Args) -> None:
        kind = args.text("kind")
        if kind is None:
            ctx.say("report_kinds", kinds=", ".join(known))
            return
        await kinds[kind](ctx, args.text("period"))

    return feature

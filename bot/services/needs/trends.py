"""Needs over the closed rounds, for the moderators' dashboard and the chart in /report needs.

Each round's figures are exactly what /report needs shows (`report_view` under the current
threshold): nothing is summed across rounds and a suppressed figure is never drawn, only
labelled. One chart per need (strained and unmet over the rounds) plus one of participation:
a single grouped chart of every need in every round would hold 12 bars per round, unreadable
on a phone; small multiples keep each need's trend legible, each with its table. Chat takes
one image, so there they come as one sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.charts import Chart, Point, Series, Sheet
from bot.context import CommunityContext
from bot.markup import plain
from bot.services.charting import words
from bot.services.needs import config
from bot.services.needs.cells import cell_text
from bot.services.needs.privacy import Cell, Kind, RoundView, report_view
from bot.services.needs.records import CheckinRound, Need
from bot.wording import day


@dataclass(frozen=True)
class RoundFigures:
    opened_at: datetime
    needs: tuple[Need, ...]  # as asked in that round
    view: RoundView


@dataclass(frozen=True)
class NeedsTrend:
    since: datetime
    threshold: int
    rounds: tuple[RoundFigures, ...]  # oldest first

    @property
    def needs(self) -> list[Need]:
        """Every need some round asked about, in the order first asked: one whose figures no
        round could show still gets its chart, which says why (too few to split, say)."""
        found: dict[str, Need] = {}
        for figures in self.rounds:
            for need in figures.needs:
                found.setdefault(need.key, need)
        return list(found.values())


def trend_of(rounds: Sequence[CheckinRound], threshold: int, since: datetime) -> NeedsTrend:
    """The figures of closed rounds (any order), each as /report needs shows it today."""
    ordered = sorted(rounds, key=lambda r: (r.opened_at, r.id))
    return NeedsTrend(
        since,
        threshold,
        tuple(
            RoundFigures(r.opened_at, tuple(r.needs), report_view(r, threshold)) for r in ordered
        ),
    )


async def needs_trend(ctx: CommunityContext, since: datetime) -> NeedsTrend:
    """Closed community rounds opened since then; read-only."""
    rounds = await ctx.uow.checkins.closed_rounds(ctx.community.id, since)
    return trend_of(rounds, config.threshold(ctx.community), since)


def _point(ctx: CommunityContext, cell: Cell, language: str | None) -> Point:
    if cell.kind is Kind.HIDDEN:
        return Point.not_drawn(words(ctx, "needs_chart_not_shown", language))
    if cell.is_exact:
        return Point.drawn(cell.value)
    return Point.not_drawn(plain(cell_text(ctx, cell, language)))


def _days(ctx: CommunityContext, trend: NeedsTrend, language: str | None) -> tuple[str, ...]:
    return tuple(day(ctx, figures.opened_at, language) for figures in trend.rounds)


def participation_chart(ctx: CommunityContext, trend: NeedsTrend, language: str | None) -> Chart:
    since = day(ctx, trend.since, language)
    points = tuple(_point(ctx, f.view.respondents, language) for f in trend.rounds)
    return Chart(
        key="needs-participation",
        title=words(ctx, "needs_chart_participation_title", language),
        description=words(
            ctx, "needs_chart_participation_description", language, since=since, n=trend.threshold
        ),
        category_heading=words(ctx, "needs_chart_round", language),
        categories=_days(ctx, trend, language),
        series=(Series(words(ctx, "needs_chart_respondents", language), points),),
    )


def need_chart(ctx: CommunityContext, trend: NeedsTrend, need: Need, language: str | None) -> Chart:
    """Strained and unmet for one need, round by round; a round that could not split its
    answers, or did not ask about the need, says so instead of a figure."""
    strained: list[Point] = []
    unmet: list[Point] = []
    for figures in trend.rounds:
        found = next((n for n in figures.view.needs if n.key == need.key), None)
        if found is not None:
            strained.append(_point(ctx, found.strained, language))
            unmet.append(_point(ctx, found.unmet, language))
            continue
        asked = any(n.key == need.key for n in figures.needs)
        key = "needs_chart_too_few" if asked else "needs_chart_not_asked"
        strained.append(Point.not_drawn(words(ctx, key, language)))
        unmet.append(Point.not_drawn(words(ctx, key, language)))
    label = config.need_label(ctx, need, language)  # plain: a moderator's words
    return Chart(
        key=f"needs-{need.key}",
        title=words(ctx, "needs_chart_need_title", language, need=label),
        description=words(
            ctx,
            "needs_chart_need_description",
            language,
            need=label,
            since=day(ctx, trend.since, language),
            n=trend.threshold,
        ),
        category_heading=words(ctx, "needs_chart_round", language),
        categories=_days(ctx, trend, language),
        series=(
            Series(words(ctx, "needs_chart_strained", language), tuple(strained)),
            Series(words(ctx, "needs_chart_unmet", language), tuple(unmet)),
        ),
    )


def charts(ctx: CommunityContext, trend: NeedsTrend, language: str | None) -> list[Chart]:
    """Participation first, then a chart per need asked; none without a closed round."""
    if not trend.rounds:
        return []
    found = [participation_chart(ctx, trend, language)]
    found.extend(need_chart(ctx, trend, need, language) for need in trend.needs)
    return found


def chart(ctx: CommunityContext, trend: NeedsTrend, language: str | None) -> Sheet | None:
    """Every chart as one sheet (one image for chat); None when no round closed."""
    found = charts(ctx, trend, language)
    if not found:
        return None
    since = day(ctx, trend.since, language)
    return Sheet(
        title=words(ctx, "needs_chart_sheet_title", language, since=since),
        description=words(
            ctx, "needs_chart_sheet_description", language, since=since, n=trend.threshold
        ),
        charts=tuple(found),
    )

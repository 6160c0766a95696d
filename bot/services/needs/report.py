"""How needs figures read, in a round's public summary and in moderators' /report needs.

Only views from bot.services.needs.privacy are rendered here, so whatever is shown has already
been through small-group suppression.
"""

from __future__ import annotations

from datetime import timedelta

from bot.catalog import Markup
from bot.context import CommandContext, CommunityContext
from bot.feature import Feature
from bot.services.charting import png_file
from bot.services.needs import config, trends
from bot.services.needs import snapshot as needs_snapshot
from bot.services.needs.cells import cell_text
from bot.services.needs.privacy import Kind, RoundView, report_view, view_requests
from bot.services.needs.records import CheckinRound
from bot.services.reports import report_period
from bot.wording import day, moment, private_reader

feature = Feature("needs_report")
DEFAULT_WEEKS = 4
CHART_FILE = "needs.png"


def render_round(
    ctx: CommunityContext, checkin_round: CheckinRound, view: RoundView, language: str | None
) -> Markup:
    """A round's figures: participation, then each need, with small groups suppressed."""
    people = cell_text(ctx, view.respondents, language)
    shown = view.needs_shown and not view.too_few
    key = "needs_round_participation" if shown else "needs_round_too_few"
    lines = [ctx.text(key, language, respondents=people)]
    labels = {n.key: config.need_label(ctx, n, language) for n in checkin_round.needs}
    quiet: list[str] = []
    for need in view.needs:
        if need.strained.kind is Kind.FEWER and need.unmet.kind is Kind.FEWER:
            quiet.append(labels[need.key])
            continue
        if Kind.HIDDEN in (need.strained.kind, need.unmet.kind):
            lines.append(ctx.text("needs_round_hidden", language, need=labels[need.key]))
            continue
        lines.append(
            ctx.text(
                "needs_round_need",
                language,
                need=labels[need.key],
                strained=cell_text(ctx, need.strained, language),
                unmet=cell_text(ctx, need.unmet, language),
            )
        )
    if quiet:
        lines.append(
            ctx.text(
                "needs_round_quiet",
                language,
                needs=", ".join(quiet),
                fewer=ctx.text("needs_fewer_than", language, n=view.threshold),
            )
        )
    if view.unreachable.is_exact:  # left out otherwise: the same as saying "fewer than"
        lines.append(ctx.text("needs_round_unreachable", language, count=view.unreachable.value))
    return Markup("\n".join(lines))


@feature.report("needs")
async def report(ctx: CommandContext, period: str | None) -> None:
    """Closed rounds in the period (a bare number counts days, like every /report) and the
    latest daily count of open requests, suppressed."""
    span = report_period(period, timedelta(weeks=DEFAULT_WEEKS))
    since = ctx.now - span
    threshold = config.threshold(ctx.community)
    rounds = await ctx.uow.checkins.closed_rounds(ctx.community.id, since)
    parts = []
    for found in rounds:
        heading = ctx.text(
            "needs_report_round", ctx.language, date=day(ctx, found.opened_at, ctx.language)
        )
        body = render_round(ctx, found, report_view(found, threshold), ctx.language)
        parts.append(f"{heading}\n{body}")
    sheet = trends.chart(ctx, trends.trend_of(rounds, threshold, since), ctx.language)
    ctx.say(
        "needs_report",
        since=day(ctx, since, ctx.language),
        rounds=Markup("\n\n".join(parts) or ctx.text("needs_report_no_rounds", ctx.language)),
        requests=await requests_part(ctx, threshold),
        threshold=threshold,
        files=() if sheet is None else (png_file(CHART_FILE, sheet),),
    )


async def requests_part(ctx: CommandContext, threshold: int) -> Markup:
    """The latest daily count of open requests, never a live one (see snapshot.py)."""
    snapshot = await ctx.uow.request_snapshots.latest(ctx.community.id)
    if snapshot is None:
        when = moment(ctx, await needs_snapshot.plan(ctx), ctx.language, reader=private_reader(ctx))
        return Markup(ctx.text("needs_report_requests_first", ctx.language, when=when))
    lines = [
        ctx.text(
            "needs_report_requests_heading",
            ctx.language,
            when=moment(ctx, snapshot.taken_at, ctx.language, reader=private_reader(ctx)),
        )
    ]
    if threshold > snapshot.threshold:  # counted under a lower one: shown again once recounted
        when = moment(ctx, await needs_snapshot.plan(ctx), ctx.language, reader=private_reader(ctx))
        lines.append(ctx.text("needs_report_requests_hidden", ctx.language, when=when))
        return Markup("\n".join(lines))
    views = view_requests(snapshot.counts, snapshot.threshold, snapshot.members)
    if views is None:
        lines.append(ctx.text("needs_report_requests_too_few", ctx.language))
    quiet = []
    for view in views or []:
        label = config.category_label(ctx, view.category, ctx.language)
        if view.waiting.kind is Kind.FEWER and view.helped.kind is Kind.FEWER:
            quiet.append(label)
            continue
        lines.append(
            ctx.text(
                "needs_report_requests_line",
                ctx.language,
                category=label,
                waiting=cell_text(ctx, view.waiting, ctx.language),
                helped=cell_text(ctx, view.helped, ctx.language),
            )
        )
    if quiet:
        fewer = ctx.text("needs_fewer_than", ctx.language, n=snapshot.threshold)
        lines.append(
            ctx.text(
                "needs_report_requests_quiet",
                ctx.language,
                categories=", ".join(quiet),
                fewer=fewer,
            )
        )
    return Markup("\n".join(lines))

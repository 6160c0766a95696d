"""Needs per closed check-in round, only as /report needs shows them: each round's view under
the threshold in force now (privacy.report_view), never a count that view does not publish.

Nothing here reads an answer, an invitation or a request: only a round's frozen aggregates,
through the same view, so the export can say no more than the chat already said.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import CommunityContext
from bot.services.export.table import Cell, Table, stamp
from bot.services.needs import config
from bot.services.needs.cells import cell_text
from bot.services.needs.privacy import Cell as Figure
from bot.services.needs.privacy import Kind, report_view

_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def _figure(ctx: CommunityContext, figure: Figure, language: str) -> tuple[str, str, Cell]:
    """The words /report shows ("fewer than 3"), the kind, and the number the kind qualifies
    (none for a hidden figure: its number is the threshold, not a count)."""
    if figure.kind is Kind.HIDDEN:
        return ctx.text("export_not_shown", language), figure.kind.value, None
    return cell_text(ctx, figure, language), figure.kind.value, figure.value


async def needs_tables(ctx: CommunityContext, language: str) -> list[Table]:
    """Closed community rounds oldest first (a member's own check-in is theirs alone)."""
    rounds = Table.named(
        "needs_rounds",
        "round opened_at closed_at threshold checked_in checked_in_kind checked_in_value"
        " unreachable unreachable_kind unreachable_value needs_shown",
    )
    figures = Table.named(
        "needs_figures",
        "round opened_at need need_label strained strained_kind strained_value unmet"
        " unmet_kind unmet_value",
    )
    threshold = config.threshold(ctx.community)
    closed = await ctx.uow.checkins.closed_rounds(ctx.community.id, _EVER)
    for number, found in enumerate(reversed(closed), 1):
        view = report_view(found, threshold)
        people, people_kind, people_value = _figure(ctx, view.respondents, language)
        away, away_kind, away_value = _figure(ctx, view.unreachable, language)
        shown = view.needs_shown and not view.too_few
        rounds.add(
            round=number,
            opened_at=stamp(ctx, found.opened_at),
            closed_at=stamp(ctx, found.closed_at),
            threshold=view.threshold,
            checked_in=people,
            checked_in_kind=people_kind,
            checked_in_value=people_value,
            unreachable=away,
            unreachable_kind=away_kind,
            unreachable_value=away_value,
            needs_shown=shown,
        )
        if not shown:
            continue
        labels = {n.key: config.need_label(ctx, n, language) for n in found.needs}
        for need in view.needs:
            strained, strained_kind, strained_value = _figure(ctx, need.strained, language)
            unmet, unmet_kind, unmet_value = _figure(ctx, need.unmet, language)
            figures.add(
                round=number,
                opened_at=stamp(ctx, found.opened_at),
                need=need.key,
                need_label=labels.get(need.key, need.key),
                strained=strained,
                strained_kind=strained_kind,
                strained_value=strained_value,
                unmet=unmet,
                unmet_kind=unmet_kind,
                unmet_value=unmet_value,
            )
    return [rounds, figures]

"""A suppressed needs figure in words ("fewer than 3", "12 or more"), the same in the round's
summary, /report needs and the charts, so a chart never reads differently from the text."""

from __future__ import annotations

from bot.context import CommunityContext
from bot.services.needs.privacy import Cell, Kind


def cell_text(ctx: CommunityContext, cell: Cell, language: str | None = None) -> str:
    if cell.kind is Kind.FEWER:
        return ctx.text("needs_fewer_than", language, n=cell.value)
    if cell.kind is Kind.AT_LEAST:
        return ctx.text("needs_or_more", language, n=cell.value)
    return str(cell.value)

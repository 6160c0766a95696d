"""What features share to turn their figures into charts: catalog texts as plain words (an
image shows no markup and the SVG escapes its text itself, so a need named `*x*` reads `*x*`)
and a chart as a PNG file for a chat reply, described for those who cannot see it."""

from __future__ import annotations

from typing import Any

from bot.charts import Chart, Sheet, to_png
from bot.context import CommunityContext
from bot.markup import plain
from bot.replies import Attachment


def words(ctx: CommunityContext, key: str, language: str | None, /, **params: Any) -> str:
    return plain(ctx.text(key, language, **params))


def png_file(name: str, chart: Chart | Sheet) -> Attachment:
    """The chart as an image beside a report whose text already says it all in words."""
    return Attachment(name, "image/png", to_png(chart), alt=chart.description)

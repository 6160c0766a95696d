"""A chart as inline SVG for the web page: an image with a title and description for screen
readers, scaled to its container (a 390 px phone included), every text escaped."""

from __future__ import annotations

import hashlib
import re
from xml.sax.saxutils import escape, quoteattr

from bot.charts.layout import Box, Layout, Text, lay_out
from bot.charts.model import Chart
from bot.charts.palette import FAINT, GRID, INK, Pattern, style

WIDTH, HEIGHT, FONT = 480, 320, 13
_SLUG = re.compile(r"[^a-z0-9]+")


def _measure(text: str, size: float) -> float:
    """An estimate (a browser's fonts are unknown here): wide enough for most sans-serifs."""
    return len(text) * size * 0.55


def chart_id(chart: Chart) -> str:
    """An id made from the chart's key and content, so several charts on a page never share
    one (a page that shows the very same chart twice passes its own `ident`)."""
    slug = _SLUG.sub("-", chart.key.lower()).strip("-") or "chart"
    digest = hashlib.sha1(repr(chart).encode("utf-8")).hexdigest()[:8]
    return f"chart-{slug}-{digest}"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(text: Text, extra: str = "") -> str:
    anchor = f' text-anchor="{text.anchor}"'
    turn = f' transform="rotate(-90 {_n(text.x)} {_n(text.y)})"' if text.vertical else ""
    return (
        f'<text x="{_n(text.x)}" y="{_n(text.y)}" font-size="{_n(text.size)}"{anchor}{turn}'
        f"{extra}>{escape(text.text)}</text>"
    )


def _pattern(ident: str, index: int) -> str:
    colour, pattern = style(index)
    if pattern is Pattern.SOLID:
        return ""
    marks = {
        Pattern.DIAGONAL: '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" '
        'stroke-width="1.6"/>',
        Pattern.DOTS: '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
        Pattern.CROSS: '<path d="M0,0 l6,6 M6,0 l-6,6" stroke="#fff" stroke-width="1.1"/>',
        Pattern.HORIZONTAL: '<path d="M0,3 h6" stroke="#fff" stroke-width="1.6"/>',
    }[pattern]
    return (
        f'<pattern id="{ident}-p{index}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
    )


def _fill(ident: str, index: int) -> str:
    colour, pattern = style(index)
    return colour if pattern is Pattern.SOLID else f"url(#{ident}-p{index})"


def _rect(box: Box, fill: str, inner: str = "", extra: str = "") -> str:
    return (
        f'<rect{extra} x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
        f'fill="{fill}">{inner}</rect>'
    )


def to_svg(chart: Chart, ident: str | None = None) -> str:
    ident = ident or chart_id(chart)
    layout: Layout = lay_out(chart, WIDTH, HEIGHT, FONT, _measure)
    styles = range(len(chart.series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'class="chart" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" id={quoteattr(ident)} '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" fill="{INK}">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        "<defs>" + "".join(_pattern(ident, i) for i in styles) + "</defs>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        _text(layout.title, ' font-weight="bold"'),
    ]
    for swatch in layout.legend:
        parts.append(_rect(swatch.box, _fill(ident, swatch.series)))
        parts.append(_text(swatch.name))
    plot = layout.plot
    for y, tick in zip(layout.gridlines, layout.ticks, strict=True):
        parts.append(
            f'<line x1="{_n(plot.x)}" x2="{_n(plot.x + plot.w)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{FAINT}" stroke-width="1"/>'
        )
        parts.append(_text(tick))
    for bar in layout.bars:
        series = chart.series[bar.series]
        point = series.points[bar.category]
        hover = escape(f"{series.name}, {chart.categories[bar.category]}: {point.label}")
        if bar.box is not None:
            fill = _fill(ident, bar.series)
            parts.append(_rect(bar.box, fill, f"<title>{hover}</title>", ' class="bar"'))
            parts.append(_text(bar.label))
        else:  # no bar: its label alone, standing where the bar would be
            parts.append(_text(bar.label, ' class="not-drawn" font-style="italic"'))
    bottom = plot.y + plot.h
    parts.append(
        f'<line x1="{_n(plot.x)}" x2="{_n(plot.x + plot.w)}" y1="{_n(bottom)}" '
        f'y2="{_n(bottom)}" stroke="{GRID}" stroke-width="1.5"/>'
    )
    parts.extend(_text(label) for label in layout.categories)
    parts.append("</svg>")
    return "\n".join(parts)

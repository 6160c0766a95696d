"""Where everything goes, computed once for both renderers so the SVG and the PNG agree.

Sizes are in the renderer's units (SVG user units, PNG pixels); text is measured by the
renderer (`Measure`), since only it knows its font.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.charts.model import Chart

Measure = Callable[[str, float], float]  # (text, font size) -> width


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    anchor: str = "middle"  # "start", "middle" or "end"
    vertical: bool = False  # read bottom to top, starting at (x, y)


@dataclass(frozen=True)
class Bar:
    series: int
    category: int
    box: Box | None  # None: not drawn, only its label
    label: Text


@dataclass(frozen=True)
class Swatch:
    series: int
    box: Box
    name: Text


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    title: Text
    legend: tuple[Swatch, ...]
    plot: Box
    ticks: tuple[Text, ...]
    gridlines: tuple[float, ...]  # y of each tick's line
    bars: tuple[Bar, ...]
    categories: tuple[Text, ...]


def nice_step(top: int, count: int = 4) -> int:
    """A round step (1, 2, 5, 10, 20, ...) giving about `count` ticks up to `top`."""
    raw = max(1.0, top / count)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)


def _fit(text: str, size: float, room: float, measure: Measure) -> str:
    """The text shortened with an ellipsis until it fits (the table beside holds it whole)."""
    if measure(text, size) <= room:
        return text
    while len(text) > 1 and measure(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


MAX_LINES = 3


def _wrap(text: str, size: float, room: float, measure: Measure) -> list[str]:
    """Words onto lines no wider than `room`, greedily (a word too long stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and measure(f"{lines[-1]} {word}", size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _category(text: str, size: float, room: float, measure: Measure) -> tuple[list[str], float]:
    """A category's label on up to three lines, a size smaller if that makes it fit whole,
    else shortened (the table beside the chart holds it whole)."""
    for tried in (size, size * 0.85):
        lines = _wrap(text, tried, room, measure)
        if len(lines) <= MAX_LINES and all(measure(line, tried) <= room for line in lines):
            return lines, tried
    smaller = size * 0.85
    lines = _wrap(text, smaller, room, measure)[:MAX_LINES]
    return [_fit(line, smaller, room, measure) for line in lines], smaller


def lay_out(chart: Chart, width: float, height: float, font: float, measure: Measure) -> Layout:
    pad = font * 0.9
    title_size = font * 1.25
    title = Text(
        pad,
        pad + title_size,
        _fit(chart.title, title_size, width - 2 * pad, measure),
        title_size,
        anchor="start",
    )
    # The legend: a swatch and a name per series, wrapping onto more rows when needed.
    legend: list[Swatch] = []
    x, y = pad, title.y + font * 0.9
    swatch = font * 1.1
    for index, series in enumerate(chart.series):
        name = _fit(series.name, font, width - 2 * pad - swatch * 1.5, measure)
        needed = swatch * 1.5 + measure(name, font) + font * 1.2
        if x > pad and x + needed > width - pad:
            x, y = pad, y + swatch * 1.5
        legend.append(
            Swatch(
                index,
                Box(x, y, swatch, swatch),
                Text(x + swatch * 1.4, y + font * 0.9, name, font, anchor="start"),
            )
        )
        x += needed
    top = y + swatch + font * 1.6
    # The y axis: ticks from zero to a round number above the highest drawn value.
    drawn = chart.drawn_values
    highest = max(drawn, default=0)
    step = nice_step(highest) if highest else 1
    ceiling = step * max(1, math.ceil(highest / step))
    tick_values = list(range(0, ceiling + 1, step)) if drawn else []
    tick_size = font * 0.85
    axis_room = max((measure(str(v), tick_size) for v in tick_values), default=0.0) + font * 0.6
    # The x axis: one group of bars per category, its label below (up to three lines).
    n = max(1, len(chart.categories))
    plot_x = pad + axis_room
    group = (width - pad - plot_x) / n
    wraps = [_category(c, font, group * 0.96, measure) for c in chart.categories]
    bottom = height - pad - max((len(lines) * size * 1.2 for lines, size in wraps), default=font)
    plot = Box(plot_x, top, width - pad - plot_x, bottom - top)
    label_room = font * 1.3  # above the tallest bar, for its value

    def y_of(value: float) -> float:
        return plot.y + plot.h - (plot.h - label_room) * value / ceiling

    ticks = tuple(
        Text(plot.x - font * 0.4, y_of(v) + tick_size * 0.35, str(v), tick_size, anchor="end")
        for v in tick_values
    )
    inner = group * 0.8
    bar_w = inner / len(chart.series)
    longest = max((len(p.label) for s in chart.series for p in s.points if p.is_drawn), default=1)
    value_size = max(font * 0.6, min(font * 0.9, bar_w * 1.15 / (0.6 * longest)))
    side_size = max(font * 0.6, min(font * 0.85, bar_w * 0.9))
    bars: list[Bar] = []
    for c in range(len(chart.categories)):
        left = plot.x + group * c + (group - inner) / 2
        for s, series in enumerate(chart.series):
            point = series.points[c]
            middle = left + bar_w * (s + 0.5)
            if point.value is None:
                text = _fit(point.label, side_size, plot.h - font * 0.6, measure)
                label = Text(
                    middle + side_size * 0.35,
                    plot.y + plot.h - font * 0.3,
                    text,
                    side_size,
                    anchor="start",
                    vertical=True,
                )
                bars.append(Bar(s, c, None, label))
                continue
            top_y = y_of(point.value)
            box = Box(left + bar_w * s + bar_w * 0.06, top_y, bar_w * 0.88, plot.y + plot.h - top_y)
            bars.append(Bar(s, c, box, Text(middle, top_y - font * 0.3, point.label, value_size)))
    categories = tuple(
        Text(plot.x + group * (c + 0.5), plot.y + plot.h + size * 1.2 * (row + 1), line, size)
        for c, (lines, size) in enumerate(wraps)
        for row, line in enumerate(lines)
    )
    return Layout(
        width,
        height,
        title,
        tuple(legend),
        plot,
        ticks,
        tuple(y_of(v) for v in tick_values),
        tuple(bars),
        categories,
    )

"""The text table beside each chart: the same figures and labels, for screen readers and for
anyone who would rather read the numbers."""

from __future__ import annotations

from bot.charts.model import Chart


def table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """(headers, rows): the categories' heading and each series' name; a row per category."""
    headers = [chart.category_heading, *(series.name for series in chart.series)]
    rows = [
        [category, *(series.points[index].label for series in chart.series)]
        for index, category in enumerate(chart.categories)
    ]
    return headers, rows

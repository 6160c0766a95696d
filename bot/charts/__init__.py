"""Charts for the dashboard and the chat: a small model of labelled points, drawn as an
accessible SVG for the web, a PNG for chat platforms and a text table for screen readers.

Pure Python (Pillow for the PNG). Every label arrives translated, so nothing here speaks a
language; a point that may not be shown (a suppressed needs figure) is never drawn as a bar.
"""

from bot.charts.model import Chart, Point, Series, Sheet
from bot.charts.png import to_png
from bot.charts.svg import to_svg
from bot.charts.table import table

__all__ = ["Chart", "Point", "Series", "Sheet", "table", "to_png", "to_svg"]

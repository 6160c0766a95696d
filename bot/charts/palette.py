"""Series colours and patterns: every colour has at least 4.5:1 contrast with white (WCAG AA
even for text), and each series after the first adds a white pattern, so series stay apart
without colour (in greyscale, for colour-blind readers, in a printout)."""

from __future__ import annotations

from enum import Enum


class Pattern(Enum):
    SOLID = "solid"
    DIAGONAL = "diagonal"
    DOTS = "dots"
    CROSS = "cross"
    HORIZONTAL = "horizontal"


# (colour, pattern); contrast with white: 6.4, 5.8, 5.1, 7.6, 8.9 (tests/test_charts.py)
STYLES: tuple[tuple[str, Pattern], ...] = (
    ("#1f5fa8", Pattern.SOLID),
    ("#b0420a", Pattern.DIAGONAL),
    ("#2e7d32", Pattern.DOTS),
    ("#6a3d9a", Pattern.CROSS),
    ("#4a4a4a", Pattern.HORIZONTAL),
)
INK = "#1a1a1a"  # text: 17:1 on white
GRID = "#767676"  # the axis (4.5:1); gridlines are lighter, they only guide the eye
FAINT = "#d0d0d0"


def style(series: int) -> tuple[str, Pattern]:
    return STYLES[series % len(STYLES)]


def contrast(colour: str, other: str = "#ffffff") -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)

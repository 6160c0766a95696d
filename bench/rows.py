"""One line of the benchmark table: what was measured, its figure, the goal, and whether met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    name: str
    figure: str
    goal: str
    met: bool

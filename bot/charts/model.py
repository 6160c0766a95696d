"""The chart model: categories along the x axis and named series of points over them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """One value to show: a number drawn as a bar, or a label alone when it may not be drawn
    ("fewer than 3", "not shown"), so a suppressed figure never gets a height anyone can read."""

    value: int | None
    label: str

    @classmethod
    def drawn(cls, value: int, label: str | None = None) -> Point:
        if value < 0:
            raise ValueError("a drawn value is never negative")
        return cls(value, str(value) if label is None else label)

    @classmethod
    def not_drawn(cls, label: str) -> Point:
        return cls(None, label)

    @property
    def is_drawn(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    """A bar chart. `key` names it on a page (ids are made from it); `category_heading` heads
    the categories' column of its table ("Round", "Week ending")."""

    key: str
    title: str
    description: str
    category_heading: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        if not self.series:
            raise ValueError("a chart has at least one series")
        for series in self.series:
            if len(series.points) != len(self.categories):
                raise ValueError(f"series {series.name!r} needs one point per category")

    @property
    def drawn_values(self) -> list[int]:
        return [p.value for s in self.series for p in s.points if p.value is not None]


@dataclass(frozen=True)
class Sheet:
    """Several charts shown as one picture (small multiples), for a chat that takes one image."""

    title: str
    description: str
    charts: tuple[Chart, ...]

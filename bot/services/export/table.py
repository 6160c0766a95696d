"""One file of an export: named columns and rows of plain values, written as CSV and as JSON.

Every table is built from what the community can already read (the chat's own views), so the
files hold nothing a member or a moderator could not see in Hearth; the tables decide that, the
writing in files.py only changes the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.context import CommunityContext

Cell = str | int | bool | None


@dataclass
class Table:
    """The same columns and rows become `<name>.csv` and `<name>.json`."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)

    @classmethod
    def named(cls, name: str, columns: str) -> Table:
        """A table whose columns are given as one line: "number title author"."""
        return cls(name, tuple(columns.split()))

    def add(self, **values: Cell) -> None:
        """A row, by column name; a missing or unknown column is a mistake caught at once."""
        if set(values) != set(self.columns):
            wrong = sorted(set(values) ^ set(self.columns))
            raise ValueError(f"{self.name}: row columns differ from the header: {wrong}")
        self.rows.append(tuple(values[column] for column in self.columns))


def stamp(ctx: CommunityContext, when: datetime | None) -> str | None:
    """A moment as ISO 8601 on the community's clock, with its offset, so a spreadsheet and a
    program both read it; None stays empty."""
    if when is None:
        return None
    return ctx.local(when).isoformat(timespec="seconds")

"""Moving everything that points at one row to another: folding two member rows of one person,
or one community into another.

What points at a row is read from the schema (`storage.sql.metadata`: every foreign key to the
table's `id`), never listed by hand, so a table added later moves too. Proposal voices name a
member as text (`m{id}`, bot/services/proposals/records.py `voice_of`); their columns say so
with `info={"voice": True}` and are rewritten alike.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa

from storage.sql import SqlSession, metadata

# Which side's row goes where both would hold the same key after the move.
Loser = Literal["keep", "drop"]

VOICE = "voice"  # the `info` key marking a column that holds a member's voice as text


def references_to(table_name: str) -> list[sa.Column[int]]:
    """Every column of the schema holding a foreign key to `table_name.id`."""
    import storage.schema  # noqa: F401  (every table is in `metadata` before it is searched)

    target = metadata.tables[table_name].c.id
    return [
        fk.parent
        for table in metadata.sorted_tables
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
        if fk.column is target
    ]


def voice_columns() -> list[sa.Column[str]]:
    import storage.schema  # noqa: F401

    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if column.info.get(VOICE)
    ]


def _unique_keys(table: sa.Table) -> list[list[sa.Column[Any]]]:
    """The column sets no two rows of `table` may share: its primary key and unique constraints
    and indexes."""
    keys = [list(table.primary_key.columns)]
    keys += [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]
    keys += [list(index.columns) for index in table.indexes if index.unique]
    return keys


async def move_value(
    db: SqlSession, column: sa.Column[Any], keep: object, drop: object, *, loser: Loser
) -> None:
    """Rows holding `drop` in `column` hold `keep` from now on. Where a unique key would then
    be held twice, the `loser` side's row is deleted first (with whatever cascades from it)."""
    table = column.table
    won, lost = (keep, drop) if loser == "drop" else (drop, keep)
    for key in _unique_keys(table):
        if column not in key:
            continue
        other = table.alias("clashing")
        clash = (
            sa.select(sa.literal(1))
            .select_from(other)
            .where(
                other.c[column.name] == won,
                *(other.c[part.name] == part for part in key if part is not column),
            )
            .exists()
        )
        await db.change(sa.delete(table).where(column == lost, clash))
    await db.change(sa.update(table).where(column == drop).values({column.name: keep}))


async def repoint(
    db: SqlSession, table_name: str, keep_id: int, drop_id: int, *, loser: Loser
) -> None:
    """Everything pointing at row `drop_id` of `table_name` points at `keep_id` instead (the
    dropped row itself stays, for the caller to delete once nothing names it)."""
    for column in references_to(table_name):
        await move_value(db, column, keep_id, drop_id, loser=loser)


async def repoint_voices(db: SqlSession, keep_voice: str, drop_voice: str, *, loser: Loser) -> None:
    """Every proposal voice of one member is another's (a support given by both keeps one)."""
    for column in voice_columns():
        await move_value(db, column, keep_voice, drop_voice, loser=loser)

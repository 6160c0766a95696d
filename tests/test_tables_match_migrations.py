"""Every sa.Table on storage.sql.metadata says what the migrations made, column for column.

The migrations still make the schema; the Table definitions are what Core statements (and,
later, Alembic's baseline) are built from, so the two must never drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

import storage.sqlite  # noqa: F401  (builds every repository, so every table is defined)
from storage.sql import metadata
from storage.sqlite import SqliteStore


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Inspector]:
    path: Path = tmp_path_factory.mktemp("schema") / "hearth.db"

    async def make() -> None:
        store = await SqliteStore.open(path)
        await store.close()

    asyncio.run(make())
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        yield sa.inspect(engine)
    finally:
        engine.dispose()


def _declared(type_: sa.types.TypeEngine[Any]) -> str:
    """The SQLite type the migrations declare for a column of this type."""
    return "INTEGER" if isinstance(type_, (sa.Integer, sa.Boolean)) else "TEXT"


def _default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    arg = default.arg
    return arg if isinstance(arg, str) else str(arg.compile(dialect=sqlite.dialect()))  # type: ignore[union-attr]


def _foreign_keys(migrated: sa.Inspector, name: str) -> set[tuple[Any, ...]]:
    """(columns, targets, ON DELETE) from SQLite itself: SQLAlchemy's reflection misses the
    ON DELETE of a column's inline REFERENCES."""
    with migrated.bind.connect() as conn:
        rows = conn.exec_driver_sql(f"PRAGMA foreign_key_list({name})").all()
    by_id: dict[int, list[Any]] = {}
    for row in rows:
        by_id.setdefault(row.id, []).append(row)
    return {
        (
            tuple(row["from"] for row in (r._mapping for r in group)),
            tuple(f"{r.table}.{r.to}" for r in group),
            None if group[0].on_delete == "NO ACTION" else group[0].on_delete,
        )
        for group in by_id.values()
    }


TABLES = sorted(metadata.tables)


def test_some_tables_are_defined() -> None:
    assert "welcome_joins" in TABLES and "buddy_volunteers" in TABLES


@pytest.mark.parametrize("name", TABLES)
def test_the_table_matches_the_migrations(name: str, migrated: sa.Inspector) -> None:
    table = metadata.tables[name]
    primary = [column.name for column in table.primary_key]

    assert [
        (c.name, _declared(c.type), c.nullable and c.name not in primary, _default(c))
        for c in table.columns
    ] == [
        (c["name"], str(c["type"]), c["nullable"] and c["name"] not in primary, c["default"])
        for c in migrated.get_columns(name)
    ]
    assert migrated.get_pk_constraint(name)["constrained_columns"] == primary

    assert {
        (
            tuple(fk.parent.name for fk in constraint.elements),
            tuple(fk.target_fullname for fk in constraint.elements),
            constraint.ondelete,
        )
        for constraint in table.foreign_key_constraints
    } == _foreign_keys(migrated, name)

    assert {
        (index.name, tuple(column.name for column in index.columns), bool(index.unique))
        for index in table.indexes
    } == {
        (index["name"], tuple(index["column_names"]), bool(index["unique"]))
        for index in migrated.get_indexes(name)
    }

    assert {
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    } == {tuple(unique["column_names"]) for unique in migrated.get_unique_constraints(name)}

    assert {
        " ".join(str(constraint.sqltext).split())
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    } == {" ".join(check["sqltext"].split()) for check in migrated.get_check_constraints(name)}

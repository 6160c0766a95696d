"""Every table on storage.sql.metadata says what the migrations made: the schema Alembic's
baseline will be generated from must be the one existing databases already have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

import storage.schema  # noqa: F401  (imports every module that defines tables)
from storage.migrate import legacy_migrations
from storage.sql import Day, Flag, JsonText, Timestamp, metadata
from storage.sqlite import SqliteStore
from tests.legacy_db import legacy_database
from tests.peek import rows

# The declared SQLite type each column type stands for in the migrations.
_DECLARED = {
    sa.Integer: "INTEGER",
    Flag: "INTEGER",
    sa.Text: "TEXT",
    Timestamp: "TEXT",
    Day: "TEXT",
    JsonText: "TEXT",
}


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A file the numbered SQL files made, as every database before Alembic was: the baseline
    only stamps it, so what the tables say must be what those files built."""
    path = tmp_path / "hearth.db"
    legacy_database(path, upto=len(legacy_migrations())).close()
    store = await SqliteStore.open(path)
    try:
        yield store
    finally:
        await store.close()


def _default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    if isinstance(default.arg, str):
        return f"'{default.arg}'"
    return str(default.arg.compile(dialect=sqlite.dialect()))


# By name, not metadata.sorted_tables: that resolves foreign keys to tables not yet converted.
@pytest.mark.parametrize("table", [t for _, t in sorted(metadata.tables.items())], ids=str)
async def test_table_mirrors_the_migrations(migrated: SqliteStore, table: sa.Table) -> None:
    info = rows(migrated, f"PRAGMA table_info({table.name})")
    assert [r["name"] for r in info] == [c.name for c in table.columns]
    for made, column in zip(info, table.columns, strict=True):
        assert made["type"] == _DECLARED[type(column.type)], column
        assert bool(made["pk"]) == column.primary_key, column
        if not column.primary_key:
            assert bool(made["notnull"]) == (not column.nullable), column
        assert made["dflt_value"] == _default(column), column

    made_fks = {
        (r["from"], f"{r['table']}.{r['to']}", r["on_delete"])
        for r in rows(migrated, f"PRAGMA foreign_key_list({table.name})")
    }
    fks = {
        (fk.parent.name, fk.target_fullname, (fk.ondelete or "NO ACTION").upper())
        for fk in table.foreign_keys
    }
    assert made_fks == fks

    made_indexes: dict[str, list[str]] = {}
    made_uniques: set[tuple[str, ...]] = set()
    for index in rows(migrated, f"PRAGMA index_list({table.name})"):
        columns = [r["name"] for r in rows(migrated, f"PRAGMA index_info({index['name']})")]
        if index["origin"] == "c":
            made_indexes[index["name"]] = columns
        elif index["origin"] == "u":
            made_uniques.add(tuple(columns))
    indexes = {i.name: [c.name for c in i.columns] for i in table.indexes}
    assert made_indexes == indexes
    uniques = {
        tuple(c.name for c in u.columns)
        for u in table.constraints
        if isinstance(u, sa.UniqueConstraint)
    }
    assert made_uniques == uniques

    (ddl,) = rows(migrated, "SELECT sql FROM sqlite_master WHERE name = ?", (table.name,))
    assert ("AUTOINCREMENT" in ddl[0]) == bool(table.dialect_options["sqlite"]["autoincrement"])

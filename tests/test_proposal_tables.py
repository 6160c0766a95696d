"""The proposal tables in storage/proposals.py say what the migrations made, column by column:
the schema baseline will be generated from them, so a difference here would be a silent drift."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from storage import proposals as tables
from storage.sqlite import SqliteStore
from tests.peek import rows

TABLES = [
    tables.proposals,
    tables.proposal_versions,
    tables.proposal_contributions,
    tables.proposal_supports,
    tables.proposal_positions,
    tables.proposal_events,
]


def _default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    arg = default.arg
    if isinstance(arg, str):
        return f"'{arg}'"
    return "0" if isinstance(arg, sa.sql.elements.False_) else str(arg)


def _declared(table: sa.Table) -> dict[str, Any]:
    return {
        "columns": [
            (c.name, not c.nullable and not c.primary_key, _default(c), c.primary_key)
            for c in table.columns
        ],
        "foreign_keys": sorted(
            (fk.parent.name, fk.target_fullname, fk.ondelete or "NO ACTION")
            for fk in table.foreign_keys
        ),
        "unique": sorted(
            tuple(c.name for c in u.columns)
            for u in table.constraints
            if isinstance(u, sa.UniqueConstraint)
        ),
        "indexes": sorted(
            (
                i.name or "",
                tuple(c.name for c in i.columns),
                i.dialect_kwargs.get("sqlite_where") is not None,
            )
            for i in table.indexes
        ),
    }


def _migrated(store: SqliteStore, name: str) -> dict[str, Any]:
    info = rows(store, f"PRAGMA table_info({name})")
    indexes = rows(store, f"PRAGMA index_list({name})")

    def columns_of(index: str) -> tuple[str, ...]:
        return tuple(r["name"] for r in rows(store, f"PRAGMA index_info({index})"))

    return {
        "columns": [(r["name"], bool(r["notnull"]), r["dflt_value"], bool(r["pk"])) for r in info],
        "foreign_keys": sorted(
            (r["from"], f"{r['table']}.{r['to']}", r["on_delete"])
            for r in rows(store, f"PRAGMA foreign_key_list({name})")
        ),
        "unique": sorted(columns_of(r["name"]) for r in indexes if r["origin"] == "u"),
        "indexes": sorted(
            (r["name"], columns_of(r["name"]), bool(r["partial"]))
            for r in indexes
            if r["origin"] == "c"
        ),
    }


async def test_proposal_tables_mirror_the_migrations(sqlite_store: SqliteStore) -> None:
    for table in TABLES:
        assert _declared(table) == _migrated(sqlite_store, table.name), table.name


def test_the_partial_origin_index_says_its_condition() -> None:
    [index] = [i for i in tables.proposals.indexes if i.name == "proposals_by_origin"]
    where = index.dialect_kwargs["sqlite_where"]
    assert str(where.compile(compile_kwargs={"literal_binds": True})) == "proposals.origin != ''"

"""The needs tables in storage.needs say what the migrations made, column for column, so a
schema generated from storage.sql.metadata matches the files that exist today."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from storage import needs
from storage.sqlite import SqliteStore
from tests import peek

TABLES = [
    needs.checkin_rounds,
    needs.checkin_invitations,
    needs.checkin_answers,
    needs.checkin_pauses,
    needs.aid_offers,
    needs.aid_requests,
    needs.aid_attempts,
    needs.request_snapshots,
]


def _default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    if isinstance(default.arg, str):
        return f"'{default.arg}'"
    return str(default.arg.compile(dialect=sqlite.dialect()))  # type: ignore[union-attr]


def _type(column: sa.Column[Any]) -> str:
    affinity = column.type.compile(dialect=sqlite.dialect())
    return "INTEGER" if affinity == "BOOLEAN" else affinity


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
async def test_table_mirrors_the_migrations(sqlite_store: SqliteStore, table: sa.Table) -> None:
    found = sa.inspect(sqlite_store.conn)
    columns = found.get_columns(table.name)
    assert [c["name"] for c in columns] == [c.name for c in table.columns]
    for made, ours in zip(columns, table.columns, strict=True):
        # An INTEGER PRIMARY KEY is the rowid: never NULL, though the DDL does not say so.
        assert made["nullable"] == ours.nullable or ours.primary_key, ours
        assert made["default"] == _default(ours), ours
        assert (str(made["type"]) == "INTEGER") == (_type(ours) == "INTEGER"), ours
    pk = found.get_pk_constraint(table.name)["constrained_columns"]
    assert pk == [c.name for c in table.primary_key.columns]
    # SQLAlchemy's reflection misses ON DELETE on a column's inline REFERENCES; SQLite knows.
    made_fks = {
        (fk["from"], f"{fk['table']}.{fk['to']}", fk["on_delete"])
        for fk in peek.rows(sqlite_store, f"PRAGMA foreign_key_list({table.name})")
    }
    our_fks = {(fk.parent.name, fk.target_fullname, fk.ondelete) for fk in table.foreign_keys}
    assert made_fks == our_fks
    made_indexes = {i["name"]: i["column_names"] for i in found.get_indexes(table.name)}
    our_indexes = {i.name: [c.name for c in i.columns] for i in table.indexes}
    assert made_indexes == our_indexes

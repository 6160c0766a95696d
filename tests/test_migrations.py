"""Migrations: a new database, and one made by any older Hearth, end at the schema the code
declares, and opening it again changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.errors import StartupProblem
from storage import migrate
from storage.migrate import LEGACY_TABLE, current, head, include_object, legacy_migrations
from storage.schema import metadata
from storage.sqlite import SqliteStore
from tests.legacy_db import legacy_database
from tests.peek import rows, table_names


def _differences(store: SqliteStore) -> list[Any]:
    """What Alembic would change to make the file match the declared tables (nothing, we hope)."""
    context = MigrationContext.configure(
        store.conn, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, metadata))


def _besides_sqlite_quirks(differences: list[Any]) -> list[Any]:
    """Two things SQLite's legacy DDL reads back differently, though nothing differs: a primary
    key written without NOT NULL (SQLite never stores NULL in an INTEGER PRIMARY KEY), and ON
    DELETE on an inline REFERENCES, which SQLAlchemy's reflection misses. The foreign keys,
    ON DELETE included, are checked from PRAGMA foreign_key_list by
    tests/test_sql_tables_mirror_migrations.py."""
    kept = []
    for difference in differences:
        if isinstance(difference, list):  # column changes come as a list of one
            operation = difference[0]
            if operation[0] == "modify_nullable":
                column = metadata.tables[operation[2]].c[operation[3]]
                if column.primary_key:
                    continue
        elif difference[0] in ("add_fk", "remove_fk"):
            continue
        kept.append(difference)
    return kept


def test_the_revisions_form_one_line_from_the_baseline() -> None:
    scripts = ScriptDirectory.from_config(migrate._config())
    assert scripts.get_heads() == [head()]
    assert [s.revision for s in scripts.walk_revisions()][-1] == migrate.BASELINE


def test_the_legacy_files_are_numbered_once_each_in_order() -> None:
    numbers = [number for number, _, _ in legacy_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_a_new_database_is_the_declared_schema(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "fresh.db")
    try:
        assert current(store.conn) == head()
        assert _differences(store) == []
        assert LEGACY_TABLE not in table_names(store)
    finally:
        await store.close()


@pytest.mark.parametrize("made_up_to", range(1, len(legacy_migrations()) + 1))
async def test_a_database_from_any_older_hearth_upgrades_to_the_same_schema(
    tmp_path: Path, made_up_to: int
) -> None:
    path = tmp_path / "older.db"
    legacy_database(path, upto=made_up_to).close()
    store = await SqliteStore.open(path)
    try:
        assert current(store.conn) == head()
        assert _besides_sqlite_quirks(_differences(store)) == []
        assert LEGACY_TABLE not in table_names(store)  # Alembic's record replaced it
    finally:
        await store.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    for _ in range(2):
        store = await SqliteStore.open(path)
        assert rows(store, "SELECT version_num FROM alembic_version")[0][0] == head()
        assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        await store.close()


async def test_a_migration_that_fails_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "older.db"
    legacy_database(path, upto=10).close()
    broken = [*legacy_migrations()[:10], (11, "0011_broken.sql", "ALTER TABLE nowhere ADD x;")]
    monkeypatch.setattr(migrate, "legacy_migrations", lambda: broken)
    with pytest.raises(StartupProblem, match="cannot be used"):
        await SqliteStore.open(path)
    monkeypatch.undo()
    db = sqlite3.connect(path)
    try:  # still exactly what migration 10 left
        assert db.execute(f"SELECT max(number) FROM {LEGACY_TABLE}").fetchone() == (10,)
        found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'")
        assert found.fetchall() == []
    finally:
        db.close()
    store = await SqliteStore.open(path, exclusive=False)
    try:
        assert current(store.conn) == head()
        assert _besides_sqlite_quirks(_differences(store)) == []
    finally:
        await store.close()


def test_a_new_revision_is_written_from_what_the_tables_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "alembic"
    shutil.copytree(Path(migrate.__file__).parent / "alembic", scripts)
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.set_main_option("file_template", "%%(rev)s")
    monkeypatch.setattr(migrate, "_config", lambda: config)
    latest = migrate.head()  # the newest revision in the tree: the new one comes next
    following = int(latest.split("_", 1)[0]) + 1
    extra = sa.Table("garden_beds", metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        written = migrate.new_revision("garden beds")
    finally:
        metadata.remove(extra)
    assert written.name == f"{following:04d}_garden_beds.py"
    body = written.read_text(encoding="utf-8")
    assert f"down_revision: str | None = '{latest}'" in body
    assert "op.create_table('garden_beds'" in body

"""Numbered migrations: a fresh database and one upgraded step by step end identical."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from storage import sqlite as sqlite_storage
from storage.sqlite import SqliteStore, migrations


async def _schema(path: Path) -> list[tuple[str, str]]:
    async with (
        aiosqlite.connect(path) as db,
        db.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        ) as cursor,
    ):
        return [(row[0], row[1]) for row in await cursor.fetchall()]


def test_migrations_are_numbered_once_each_in_order() -> None:
    numbers = [number for number, _, _ in migrations()]
    assert numbers[0] == 1
    assert numbers == sorted(set(numbers))


@pytest.mark.parametrize("applied_first", range(1, len(migrations()) + 1))
async def test_upgraded_database_matches_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, applied_first: int
) -> None:
    fresh = tmp_path / "fresh.db"
    store = await SqliteStore.open(fresh)
    await store.close()

    upgraded = tmp_path / "upgraded.db"
    everything = migrations()
    monkeypatch.setattr(sqlite_storage, "migrations", lambda: everything[:applied_first])
    # An older Hearth: it neither locks the file nor knows the outbox claims it would clear.
    store = await SqliteStore.open(upgraded, exclusive=False)
    await store.close()
    monkeypatch.setattr(sqlite_storage, "migrations", lambda: everything)
    store = await SqliteStore.open(upgraded)
    await store.close()

    assert await _schema(upgraded) == await _schema(fresh)


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    for _ in range(2):
        store = await SqliteStore.open(path)
        row = store.db.execute("SELECT count(*) FROM schema_migrations").fetchone()
        assert row is not None and row[0] == len(migrations())
        assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        await store.close()

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sqlite import SqliteStore
from tests.support import World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    yield store
    await store.close()


@pytest.fixture
async def sqlite_world(sqlite_store: SqliteStore) -> World:
    return World(store=sqlite_store)

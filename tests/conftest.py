from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from storage.memory import MemoryStore
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


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Both implementations of the storage ports, for contract tests that must hold on each."""
    if request.param == "memory":
        yield MemoryStore()
        return
    opened = await SqliteStore.open(tmp_path / "contract.db")
    yield opened
    await opened.close()

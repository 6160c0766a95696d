from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.ports import Store
from storage.sqlite import SqliteStore
from tests.discord_support import RunningBot, serving_fake
from tests.fake_discord import FakeDiscord
from tests.stores import closing_fresh_stores, fresh_store
from tests.support import World
from tests.telegram_support import TelegramWorld


@pytest.fixture(autouse=True)
def _close_fresh_stores() -> Iterator[None]:
    """Every store a test made through tests.stores (World's default) is closed after it."""
    with closing_fresh_stores():
        yield


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


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest) -> Store:
    """The storage ports on each SQL engine, for contract tests that must hold on every one
    (another engine is another param)."""
    assert request.param == "sqlite"
    return fresh_store()


# The platform stories' usual fixtures; a test module with other needs defines its own.


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The loopback Discord that the real discord.py talks to."""
    async with serving_fake(monkeypatch) as fake:
        yield fake


@pytest.fixture
async def bot(fake: FakeDiscord, sqlite_store: SqliteStore) -> AsyncIterator[RunningBot]:
    """Hearth as it ships (no test features), connected to the Discord fake."""
    running = RunningBot(fake, sqlite_store)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def tg() -> AsyncIterator[TelegramWorld]:
    """Hearth on the real python-telegram-bot, against the loopback Bot API."""
    world = TelegramWorld()
    await world.start()
    yield world
    await world.close()

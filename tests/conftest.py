from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from storage.memory import MemoryStore
from storage.sqlite import SqliteStore
from tests.discord_support import RunningBot, serving_fake
from tests.fake_discord import FakeDiscord
from tests.support import World
from tests.telegram_support import TelegramWorld


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

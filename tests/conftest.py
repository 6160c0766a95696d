from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.ports import Store
from storage.sqlite import SqliteStore
from tests import browser, postgres
from tests.discord_support import RunningBot, serving_fake
from tests.fake_discord import FakeDiscord
from tests.stores import closing_fresh_stores, fresh_store
from tests.support import World
from tests.telegram_support import TelegramWorld

if TYPE_CHECKING:
    from playwright.async_api import Page

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _close_fresh_stores() -> Iterator[None]:
    """Every store a test made through tests.stores (World's default) is closed after it."""
    with closing_fresh_stores():
        yield


@pytest.fixture(params=ENGINES)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """A test community on each SQL engine: the stories hold on both."""
    async with engine_store(request.param) as store:
        yield World(store=store)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    yield store
    await store.close()


@pytest.fixture
async def sqlite_world(sqlite_store: SqliteStore) -> World:
    return World(store=sqlite_store)


@pytest.fixture(params=ENGINES)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """The storage ports on each SQL engine, for tests that must hold on every one."""
    async with engine_store(request.param) as made:
        yield made


@asynccontextmanager
async def engine_store(engine: str) -> AsyncIterator[Store]:
    """A fresh migrated store on `engine`, thrown away afterwards."""
    if engine == "sqlite":
        yield fresh_store()
        return
    made = await postgres.fresh_pg_store()
    try:
        yield made
    finally:
        await postgres.discard(made)


@pytest.fixture
async def tab(tmp_path: Path) -> AsyncIterator[Page]:
    """A tab of a fresh headless Chromium at desktop width that reaches only 127.0.0.1
    (tests/browser.py); skipped loudly where there is no browser."""
    async with browser.chromium(tmp_path / "chromium-profile") as context:
        yield await browser.first_tab(context)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A run that could not test PostgreSQL or the pages in a browser says so where nobody
    can miss it."""
    if postgres.skipped:
        terminalreporter.section("POSTGRESQL WAS NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{len(postgres.skipped)} tests were skipped: {postgres.skipped[0]}", red=True
        )
    if browser.skipped:
        terminalreporter.section("BROWSER TESTS SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{len(browser.skipped)} browser tests were skipped: {browser.skipped[0]}", red=True
        )


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

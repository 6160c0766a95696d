"""Running the real Discord adapter (and discord.py) against the fake Discord, in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import discord
import pytest
import yarl

from adapters.discord import DiscordAdapter
from bot.app import build_hearth
from bot.clock import FakeClock
from bot.feature import Feature
from bot.hearth import Hearth
from bot.ports import Store
from bot.shards import ShardRange
from tests.fake_discord import TOKEN, FakeDiscord
from tests.support import START

# Tasks discord.py starts for events, commands and components; settle() waits for them.
_LIBRARY_TASKS = ("discord.py: ", "discord-ui-", "CommandTree-invoker")
DM_INTERVAL = 1.0


@asynccontextmanager
async def serving_fake(
    monkeypatch: pytest.MonkeyPatch, *, guild_shard: tuple[int, int] = (0, 1)
) -> AsyncIterator[FakeDiscord]:
    """The fake Discord, with discord.py's two process-wide addresses pointing at it until the
    block ends (the monkeypatch restores them)."""
    fake = FakeDiscord(guild_shard=guild_shard)
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    try:
        yield fake
    finally:
        await fake.close()


class FakeSleep:
    """Stands in for asyncio.sleep in the DM pacer: records the pauses and moves a clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


class RunningBot:
    """Hearth with its Discord adapter, connected to the fake; restartable on the same store."""

    def __init__(
        self,
        fake: FakeDiscord,
        store: Store,
        features: Sequence[Feature] = (),
        *,
        dev_guild: int | None = None,
        defer_after: float = 2.0,
        token: str = TOKEN,
        shards: ShardRange | None = None,
    ) -> None:
        self.fake = fake
        self.store = store
        self.features = list(features)
        self.dev_guild = dev_guild
        self.defer_after = defer_after
        self.token = token
        self.shards = shards
        self.clock = FakeClock(START)
        self.sleep = FakeSleep()
        self._adapter: DiscordAdapter | None = None
        self._hearth: Hearth | None = None

    @property
    def adapter(self) -> DiscordAdapter:
        assert self._adapter is not None
        return self._adapter

    @property
    def hearth(self) -> Hearth:
        assert self._hearth is not None
        return self._hearth

    async def start(self) -> None:
        hearth = build_hearth(store=self.store, clock=self.clock)
        for feature in self.features:
            hearth.install(feature)
        adapter = DiscordAdapter(
            self.token,
            dev_guild=self.dev_guild,
            dm_interval=DM_INTERVAL,
            sleep=self.sleep,
            clock=self.sleep.clock,
            defer_after=self.defer_after,
            client_options=self._client_options(),
            shards=self.shards,
        )
        hearth.outbox = adapter
        self._hearth, self._adapter = hearth, adapter
        await adapter.start(hearth)

    def _client_options(self) -> dict[str, float]:
        """No waiting for guilds that never come, nor between the shards' IDENTIFYs."""
        options = {"guild_ready_timeout": 0.01}
        if self.shards is not None:
            options["identify_interval"] = 0.0
        return options

    async def stop(self) -> None:
        if self._adapter is not None:
            await self._adapter.stop()
            self._adapter = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self) -> None:
        """Wait until everything sent to the bot so far has been handled and answered."""
        await self.fake.roundtrip()
        while True:
            if busy := self._library_tasks():
                await asyncio.wait(busy)
                continue
            await self.adapter.idle()  # queued direct messages sent
            if not self._library_tasks():
                return

    @staticmethod
    def _library_tasks() -> list[asyncio.Task[object]]:
        current = asyncio.current_task()
        return [
            task
            for task in asyncio.all_tasks()
            if task is not current
            and not task.done()
            and task.get_name().startswith(_LIBRARY_TASKS)
        ]

    async def run_due(self) -> None:
        """Let scheduled work that is due run now, and its messages go out."""
        await self.hearth.run_due()
        await self.settle()

    async def advance(self, delta: timedelta) -> None:
        """Move the core's fake clock on, running scheduled work at each due time in order, and
        let what it sends go out (paced direct messages included)."""
        target = self.clock.now() + delta
        while (due := await self.hearth.next_due()) is not None and due <= target:
            self.clock.set(max(due, self.clock.now()))
            await self.run_due()  # each due time's messages go out before the next one's
        self.clock.set(target)

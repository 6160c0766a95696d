"""A Telegram group on the fake Bot API, with the real Hearth and the real PTB Application.

Each helper pushes an update the way Telegram would, waits until the Application has finished
handling it, and returns the messages the bot sent meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from adapters.telegram import Pacing, TelegramAdapter
from bot.app import build_hearth
from bot.clock import FakeClock
from bot.feature import Feature
from bot.hearth import Defaults, Hearth
from bot.ports import Store
from bot.settings import Webhook
from bot.simulation import advance
from tests.stores import fresh_store
from tests.support import START
from tests.telegram_fake import TOKEN, FakeBotApi, Sent

GROUP_ID = -1001000000001


class TelegramWorld:
    def __init__(
        self,
        store: Store | None = None,
        features: list[Feature] | None = None,
        fake: FakeBotApi | None = None,
    ) -> None:
        self.fake = fake or FakeBotApi()
        self.request_timeout = 5.0  # seconds PTB waits for the fake (fault tests shorten it)
        self.webhook: Webhook | None = None  # set before start() to take posts instead of polling
        self.webhook_grace = 10.0  # seconds a stopping worker gives the updates in hand
        self.clock = FakeClock(START)
        self.store: Store = store or fresh_store()
        self.features = features or []
        self.hearth = self._hearth()
        self.sleeps: list[float] = []
        self.handled: Counter[int] = Counter()
        self._done = asyncio.Condition()
        self.adapter: TelegramAdapter | None = None
        self.last: dict[str, Any] = {}  # the latest update pushed through handle()
        self.group = self.fake.group(GROUP_ID, "Kitchen")
        self.ana = self.fake.user(11, "Ana")
        self.bob = self.fake.user(12, "Bob")
        self.carla = self.fake.user(13, "Carla")
        self.fake.set_status(self.group, self.ana, "creator")
        self.fake.set_status(self.group, self.bob, "member")
        self.fake.set_status(self.group, self.carla, "member")

    def _hearth(self) -> Hearth:
        hearth = build_hearth(store=self.store, clock=self.clock, defaults=Defaults())
        for feature in self.features:
            hearth.install(feature)
        return hearth

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)

    async def start(self) -> None:
        if not self.fake.base_url:
            await self.fake.start()
        adapter = TelegramAdapter(
            TOKEN,
            base_url=self.fake.base_url,
            pacing=Pacing(overall_per_second=10_000, group_per_minute=10_000, sleep=self._sleep),
            poll_timeout=5,
            request_timeout=self.request_timeout,
            webhook=self.webhook,
            webhook_grace=self.webhook_grace,
        )
        await adapter.start(self.hearth)
        self.hearth.outbox = adapter
        adapter.application.add_handler(TypeHandler(Update, self._record), group=99)
        self.adapter = adapter

    async def restart(self) -> None:
        """Hearth goes down and comes back on the same store (a new process, same database)."""
        await self.stop_adapter()
        self.hearth = self._hearth()
        await self.start()

    async def stop_adapter(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
            self.adapter = None

    async def close(self) -> None:
        await self.stop_adapter()
        await self.fake.close()

    async def _record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._done:
            self.handled[update.update_id] += 1
            self._done.notify_all()

    async def handle(self, pushing: Awaitable[dict[str, Any]]) -> list[Sent]:
        """Push an update and wait until it is handled; what the bot sent meanwhile."""
        before = len(self.fake.sent)
        update = self.last = await pushing
        update_id = update["update_id"]
        wanted = 1  # a fresh update id, maybe handled already by now

        async def handled() -> None:
            async with self._done:
                await self._done.wait_for(lambda: self.handled[update_id] >= wanted)

        await asyncio.wait_for(handled(), 10)
        return self.fake.sent[before:]

    async def advance(self, delta: timedelta) -> list[Sent]:
        """Time passes; what scheduled work sent meanwhile (through the adapter)."""
        before = len(self.fake.sent)
        await advance(self.hearth, self.clock, delta)
        return self.fake.sent[before:]

    async def say(self, user: dict[str, Any], text: str, **where: Any) -> list[Sent]:
        """`user` writes `text` in the group (or in a topic with thread=...)."""
        return await self.handle(self.fake.say(user, text, chat=self.group, **where))

    async def dm(self, user: dict[str, Any], text: str) -> list[Sent]:
        """`user` writes to the bot in their private chat."""
        return await self.handle(self.fake.say(user, text))

    async def press(self, user: dict[str, Any], message: Sent, label: str) -> list[Sent]:
        return await self.handle(self.fake.press(user, message, label))

    async def replay(self, update: dict[str, Any]) -> list[Sent]:
        before = len(self.fake.sent)
        wanted = self.handled[update["update_id"]] + 1
        await self.fake.replay(update)

        async def handled() -> None:
            async with self._done:
                await self._done.wait_for(lambda: self.handled[update["update_id"]] >= wanted)

        await asyncio.wait_for(handled(), 10)
        return self.fake.sent[before:]


def in_chat(sent: list[Sent], chat_id: int) -> list[Sent]:
    return [s for s in sent if s.chat_id == chat_id]


def texts(sent: list[Sent]) -> str:
    return "\n".join(s.text for s in sent)

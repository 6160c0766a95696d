"""Telegram benchmarks: the real python-telegram-bot against the loopback fake Bot API.

- overhead: a bare PTB Application answering each command with a fixed text, then Hearth
  answering `/proposals`, over the same 2,000 updates. Telegram's rate limits are lifted for
  both (this measures the work per update, not the pacing), and both answer privately.
- fan-out: a check-in round to 2,000 members through the adapter's outbox pump, against a fake
  that allows a global rate (scaled up to 300 messages a second to keep the run short) and
  answers 429 beyond it, while a member keeps asking for /help in the group.

The fake runs in the same process and event loop, so its own work is counted in every figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from adapters.telegram import Pacing, TelegramAdapter
from bench.rows import Row
from bot.app import build_hearth
from bot.clock import SystemClock
from bot.events import MessagePosted, Origin, Person
from bot.hearth import Hearth
from storage.sqlite import SqliteStore
from tests.telegram_fake import TOKEN, Sent
from tests.telegram_faults import FaultyBotApi

GROUP_ID = -1001000000001
UNLIMITED = Pacing(overall_per_second=1_000_000, group_per_minute=1_000_000)
OPENING = "Time for a check-in."
HELP = "Here is what you can use"


def _quiet() -> None:
    for name in ("hearth", "telegram", "httpx", "apscheduler", "aiohttp"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _group(fake: FaultyBotApi, members: int) -> list[dict[str, Any]]:
    group = fake.group(GROUP_ID, "Kitchen")
    people = [fake.user(1000 + n, f"Member{n}") for n in range(members)]
    for person in people:
        fake.set_status(group, person, "creator" if person is people[0] else "member")
        fake.started.add(person["id"])
    return people


async def _answered(fake: FaultyBotApi, updates: list[dict[str, Any]], count: int) -> float:
    """Push the updates; seconds until `count` messages were sent back."""
    started = time.perf_counter()
    for update in updates:
        await fake.push("message", update)
    await fake.wait_for(lambda: len(fake.sent) >= count, 300)
    return time.perf_counter() - started


def _commands(fake: FaultyBotApi, people: list[dict[str, Any]], count: int) -> list[Any]:
    group = fake.chats[GROUP_ID]
    return [
        fake.text_message(people[n % len(people)], "/proposals", chat=group) for n in range(count)
    ]


async def _bare(count: int) -> float:
    fake = FaultyBotApi()
    people = _group(fake, 50)
    await fake.start()

    async def fixed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None
        await context.bot.send_message(update.effective_user.id, "No proposals are open.")

    app = Application.builder().token(TOKEN).base_url(fake.base_url).job_queue(None).build()
    app.add_handler(CommandHandler("proposals", fixed))
    try:
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        elapsed = await _answered(fake, _commands(fake, people, count), count)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    finally:
        await fake.close()
    return count / elapsed


async def _hearth(count: int, folder: Path) -> float:
    fake = FaultyBotApi()
    people = _group(fake, 50)
    await fake.start()
    store = await SqliteStore.open(folder / "overhead.db")
    hearth = build_hearth(store=store, clock=SystemClock())
    adapter = TelegramAdapter(TOKEN, base_url=fake.base_url, pacing=UNLIMITED, poll_timeout=1)
    try:
        await adapter.start(hearth)
        hearth.outbox = adapter
        elapsed = await _answered(fake, _commands(fake, people, count), count)
        errors = hearth.outcomes["error"]
        assert errors == 0, f"{errors} unexpected errors"
        assert all("proposals" in s.text.lower() for s in fake.sent[:count])
        await adapter.stop()
    finally:
        await store.close()
        await fake.close()
    return count / elapsed


async def overhead(count: int = 2_000) -> list[Row]:
    _quiet()
    with tempfile.TemporaryDirectory() as folder:
        bare = await _bare(count)
        hearth = await _hearth(count, Path(folder))
    ratio = hearth / bare
    return [
        Row(f"telegram: bare PTB, {count:,} updates", f"{bare:,.0f} updates/s", "-", True),
        Row(
            f"telegram: Hearth /proposals, {count:,} updates",
            f"{hearth:,.0f} updates/s",
            "-",
            True,
        ),
        Row("telegram: Hearth / bare PTB", f"{ratio:.2f}", ">= 0.67", ratio >= 2 / 3),
    ]


async def _seed_members(hearth: Hearth, people: list[dict[str, Any]]) -> None:
    ref = str(GROUP_ID)
    for person in people:
        admin = person is people[0]
        who = Person(str(person["id"]), person["first_name"], is_platform_admin=admin)
        origin = Origin("telegram", ref, who, channel_ref=ref, community_name="Kitchen")
        await hearth.handle(MessagePosted(origin, "hello"))


class Watch:
    """Positions in `fake.sent` of the messages matching a test, found incrementally (the
    fake notifies on every request: rescanning thousands of messages each time would cost
    more than what is measured)."""

    def __init__(self, fake: FaultyBotApi, test: Callable[[Sent], bool]) -> None:
        self.fake = fake
        self.test = test
        self.found: list[int] = []
        self._scanned = 0

    def __call__(self) -> list[int]:
        sent = self.fake.sent
        for index in range(self._scanned, len(sent)):
            if self.test(sent[index]):
                self.found.append(index)
        self._scanned = len(sent)
        return self.found


async def _help_latencies(
    fake: FaultyBotApi, asker: dict[str, Any], done: asyncio.Event
) -> list[float]:
    """/help in the group every 100 ms until `done`: seconds from the update to the answer."""
    group = fake.chats[GROUP_ID]
    latencies: list[float] = []
    answers = Watch(fake, lambda s: s.chat_id == asker["id"] and HELP in s.text)
    while not done.is_set():
        wanted = len(answers()) + 1
        pushed = time.perf_counter()
        await fake.say(asker, "/help", chat=group)
        await fake.wait_for(lambda: len(answers()) >= wanted, 60)  # noqa: B023
        latencies.append(fake.sent_at[answers()[-1]] - pushed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 0.1)
    return latencies


async def fan_out(members: int = 2_000, per_second: int = 300) -> list[Row]:
    _quiet()
    fake = FaultyBotApi()
    fake.per_second = per_second
    people = _group(fake, members + 1)
    admin, asker, invited = people[0], people[-1], people[:-1]
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        store = await SqliteStore.open(Path(folder) / "fanout.db")
        hearth = build_hearth(store=store, clock=SystemClock())
        await _seed_members(hearth, invited)
        pacing = Pacing(overall_per_second=per_second)
        adapter = TelegramAdapter(TOKEN, base_url=fake.base_url, pacing=pacing, poll_timeout=1)
        pump: asyncio.Task[None] | None = None
        try:
            await adapter.start(hearth)
            hearth.outbox = adapter
            hearth.deliver_in_background = True  # as `hearth run` does
            pump = asyncio.create_task(hearth.pump_outbox())

            openings = Watch(fake, lambda s: s.chat_id > 0 and OPENING in s.text)

            await fake.say(admin, "/checkin now", chat=fake.chats[GROUP_ID])
            await fake.wait_for(lambda: bool(openings()), 120)
            done = asyncio.Event()
            helping = asyncio.create_task(_help_latencies(fake, asker, done))
            await fake.wait_for(lambda: len(openings()) >= members, 600)
            done.set()
            latencies = await helping
            sent = openings()
            first, last = fake.sent_at[sent[0]], fake.sent_at[sent[-1]]
        finally:
            if pump is not None:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
            await adapter.stop()
            await store.close()
            await fake.close()
    rate = (len(sent) - 1) / (last - first)
    share = rate / per_second
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return [
        Row(
            f"fan-out: {members:,} check-ins at {per_second}/s allowed",
            f"{rate:,.0f}/s = {share:.0%}",
            ">= 90%",
            share >= 0.9,
        ),
        Row("fan-out: 429s from the platform", str(fake.too_many), "0", fake.too_many == 0),
        Row(
            f"fan-out: /help p99 during it ({len(latencies)} asks)",
            f"{p99:.0f} ms",
            "< 250 ms",
            p99 < 250,
        ),
    ]


BENCHMARKS: list[Callable[[], Awaitable[list[Row]]]] = [overhead, fan_out]

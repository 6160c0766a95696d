"""Telegram benchmarks: the real python-telegram-bot against the loopback fake Bot API.

- overhead: a bare PTB Application answering each command with a fixed text, then Hearth
  answering `/proposals`, over the same 2,000 updates. Telegram's rate limits are lifted for
  both (this measures the work per update, not the pacing), and both answer privately.
  The fake runs in the same process and event loop: its work is counted in both figures.
- fan-out: a check-in round to 2,000 members through the adapter's outbox pump, against a fake
  that allows a global rate (scaled up to 300 messages a second to keep the run short) and
  answers 429 beyond it, while a member keeps asking for /help in the group. Here the fake
  runs in a process of its own (bench/platform.py), as Telegram's servers would: the figure
  is about Hearth keeping up with the limit, not about sharing a core with the platform.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from adapters.telegram import Pacing, TelegramAdapter
from adapters.telegram.transport import Transport
from bench import platform
from bench.rows import Row
from bot.app import build_hearth
from bot.clock import SystemClock
from bot.events import CommandInvoked, MessagePosted, Origin, Person
from bot.hearth import Hearth
from storage.sqlite import SqliteStore
from tests.telegram_fake import TOKEN
from tests.telegram_faults import FaultyBotApi

GROUP_ID = -1001000000001
UNLIMITED = Pacing(overall_per_second=1_000_000, group_per_minute=1_000_000)
TITLES = ("Tool library", "Shared meals on Sundays", "A quiet room")


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


async def _bare(count: int, transport: Transport | None = None) -> float:
    """PTB alone, as shipped (httpx) or on Hearth's transport, answering a fixed text."""
    fake = FaultyBotApi()
    people = _group(fake, 50)
    await fake.start()

    async def fixed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None
        await context.bot.send_message(update.effective_user.id, "No proposals are open.")

    builder = Application.builder().token(TOKEN).base_url(fake.base_url).job_queue(None)
    if transport is not None:
        builder = builder.request(transport)
    app = builder.build()
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
    ref = str(GROUP_ID)
    author = Person(str(people[1]["id"]), people[1]["first_name"])
    origin = Origin("telegram", ref, author, channel_ref=ref, community_name="Kitchen")
    for title in TITLES:  # a short list to show, as in a young community
        await hearth.handle(CommandInvoked(origin, "propose", f"{title} | Let us try it"))
    adapter = TelegramAdapter(TOKEN, base_url=fake.base_url, pacing=UNLIMITED, poll_timeout=1)
    try:
        await adapter.start(hearth)
        hearth.outbox = adapter
        elapsed = await _answered(fake, _commands(fake, people, count), count)
        errors = hearth.outcomes["error"]
        assert errors == 0, f"{errors} unexpected errors"
        assert all(TITLES[-1] in s.text for s in fake.sent[:count])
        await adapter.stop()
    finally:
        await store.close()
        await fake.close()
    return count / elapsed


async def overhead(count: int = 2_000) -> list[Row]:
    """The goal compares with PTB as shipped; the same comparison on Hearth's own transport
    is printed beside it, since that transport is most of the difference."""
    _quiet()
    with tempfile.TemporaryDirectory() as folder:
        bare = await _bare(count)
        bare_fast = await _bare(count, Transport())
        hearth = await _hearth(count, Path(folder))
    ratio = hearth / bare
    return [
        Row(f"telegram: bare PTB (httpx), {count:,} updates", f"{bare:,.0f} updates/s", "-", True),
        Row(
            "telegram: bare PTB on aiohttp (Hearth's transport)",
            f"{bare_fast:,.0f} updates/s",
            "-",
            True,
        ),
        Row("telegram: Hearth /proposals (3 open)", f"{hearth:,.0f} updates/s", "-", True),
        Row("telegram: Hearth / bare PTB", f"{ratio:.2f}", ">= 0.67", ratio >= 2 / 3),
        Row("telegram: Hearth / bare PTB, same transport", f"{hearth / bare_fast:.2f}", "-", True),
    ]


async def _seed_members(hearth: Hearth, members: int) -> None:
    """The group's members as Hearth knows them: each has written in the group once."""
    ref = str(GROUP_ID)
    for user_id, name in platform.people(members):
        who = Person(str(user_id), name, is_platform_admin=user_id == platform.FIRST_ID)
        origin = Origin("telegram", ref, who, channel_ref=ref, community_name="Kitchen")
        await hearth.handle(MessagePosted(origin, "hello"))


async def fan_out(members: int = 2_000, per_second: int = 300) -> list[Row]:
    """Hearth here, the platform in its own process (bench/platform.py), which measures."""
    _quiet()
    side = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.platform",
        str(members),
        str(per_second),
        stdout=asyncio.subprocess.PIPE,
    )
    assert side.stdout is not None
    pump: asyncio.Task[None] | None = None
    try:
        base_url = json.loads(await asyncio.wait_for(side.stdout.readline(), 60))["base_url"]
        with tempfile.TemporaryDirectory() as folder:
            store = await SqliteStore.open(Path(folder) / "fanout.db")
            hearth = build_hearth(store=store, clock=SystemClock())
            await _seed_members(hearth, members)
            pacing = Pacing(overall_per_second=per_second)
            adapter = TelegramAdapter(TOKEN, base_url=base_url, pacing=pacing, poll_timeout=1)
            try:
                await adapter.start(hearth)
                hearth.outbox = adapter
                hearth.deliver_in_background = True  # as `hearth run` does
                pump = asyncio.create_task(hearth.pump_outbox())
                results = json.loads(await asyncio.wait_for(side.stdout.readline(), 900))
            finally:
                if pump is not None:
                    hearth.stop_pumping()
                    await pump
                await adapter.stop()
                await store.close()
    finally:
        if side.returncode is None:
            side.terminate()
        await side.wait()
    rate = (results["openings"] - 1) / results["seconds"]
    too_many = int(results["too_many"])
    share = rate / per_second
    latencies = sorted(results["help"])
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return [
        Row(
            f"fan-out: {members:,} check-ins at {per_second}/s allowed",
            f"{rate:,.0f}/s = {share:.0%}",
            ">= 90%",
            share >= 0.9,
        ),
        Row("fan-out: 429s from the platform", str(too_many), "0", too_many == 0),
        Row(
            f"fan-out: /help p99 during it ({len(latencies)} asks)",
            f"{p99:.0f} ms",
            "< 250 ms",
            p99 < 250,
        ),
    ]


BENCHMARKS: list[Callable[[], Awaitable[list[Row]]]] = [overhead, fan_out]

"""Telegram benchmarks: the real python-telegram-bot against the loopback fake Bot API.

The fake runs in a process of its own (bench/platform.py), as Telegram's servers would, and
takes every time on its own clock: the figures are about the bot, not about the bot sharing a
core with the platform it talks to.

- overhead: a bare PTB Application answering each command with a fixed text (as shipped, on
  httpx, and on Hearth's aiohttp transport), then Hearth answering `/proposals` (three open),
  each over the same 2,000 updates from 50 members. Telegram's rate limits are lifted (this
  measures the work per update, not the pacing), and every answer goes privately.
- fan-out: a check-in round to 2,000 members through the adapter's outbox pump, against a fake
  that allows a global rate (scaled up to 300 messages a second to keep the run short) and
  answers 429 beyond it, while a member keeps asking for /help in the group. The share of the
  limit counts every message sent meanwhile (the answers to /help too), as Telegram does;
  the openings' own rate is printed beside it.
- shared fan-out: the same round sent by two workers (two stores, Hearths and adapters on one
  PostgreSQL database, as two `hearth run` processes) within the bot's one limit, kept in the
  database (storage/workers.py); one of them polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from adapters.telegram import Pacing, TelegramAdapter
from adapters.telegram.transport import Transport
from bench import platform
from bench.rows import Row
from bot.app import build_hearth, running_hearth
from bot.clock import SystemClock
from bot.events import CommandInvoked, MessagePosted, Origin, Person
from bot.hearth import Hearth
from tests.telegram_fake import TOKEN

UNLIMITED = Pacing(overall_per_second=1_000_000, group_per_minute=1_000_000)
TITLES = ("Tool library", "Shared meals on Sundays", "A quiet room")
REF = str(platform.GROUP_ID)


def _quiet() -> None:
    for name in ("hearth", "telegram", "httpx", "apscheduler", "aiohttp"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class Platform:
    """The fake Bot API's process: its base URL, then its results."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self, bound: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        found: dict[str, Any] = json.loads(
            await asyncio.wait_for(self.process.stdout.readline(), bound)
        )
        return found


@asynccontextmanager
async def platform_process(*args: object) -> AsyncIterator[tuple[Platform, str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.platform",
        *(str(arg) for arg in args),
        stdout=asyncio.subprocess.PIPE,
    )
    side = Platform(process)
    try:
        yield side, (await side.line(60))["base_url"]
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def _origin(user_id: int, name: str, *, admin: bool = False) -> Origin:
    person = Person(str(user_id), name, is_platform_admin=admin)
    return Origin("telegram", REF, person, channel_ref=REF, community_name="Kitchen")


# -- overhead over the bare library ----------------------------------------------------------


async def _bare(count: int, transport: Transport | None = None) -> float:
    """PTB alone, as shipped (httpx) or on Hearth's transport, answering a fixed text."""

    async def fixed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None
        await context.bot.send_message(update.effective_user.id, "No proposals are open.")

    async with platform_process("overhead", count) as (side, base_url):
        builder = Application.builder().token(TOKEN).base_url(base_url).job_queue(None)
        if transport is not None:
            builder = builder.request(transport)
        app = builder.build()
        app.add_handler(CommandHandler("proposals", fixed))
        try:
            await app.initialize()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            results = await side.line(600)
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
    return count / float(results["seconds"])


async def _hearth(count: int, folder: Path, attempt: int) -> float:
    async with platform_process("overhead", count) as (side, base_url):
        database = folder / f"overhead-{attempt}.db"
        async with running_hearth(database, clock=SystemClock()) as hearth:
            adapter = TelegramAdapter(TOKEN, base_url=base_url, pacing=UNLIMITED, poll_timeout=1)
            try:
                author = _origin(*platform.people(2)[1])
                for title in TITLES:  # a short list to show, as in a young community
                    await hearth.handle(
                        CommandInvoked(author, "propose", f"{title} | Let us try it")
                    )
                await adapter.start(hearth)
                hearth.outbox = adapter
                results = await side.line(600)
            finally:
                await adapter.stop()
    errors = hearth.outcomes["error"]
    assert errors == 0, f"{errors} unexpected errors"
    assert all(TITLES[-1] in answer for answer in results["answers"]), results["answers"]
    return count / float(results["seconds"])


async def overhead(count: int = 2_000, rounds: int = 3) -> list[Row]:
    """The goal compares with bare PTB on Hearth's own transport, so that the figure is about
    what Hearth does with an update, not about the transport (PTB as shipped, on httpx, is
    much slower: that comparison is printed beside it). Each is run
    `rounds` times, interleaved, and the best run counts: on a shared machine the slower runs
    measure the neighbours."""
    _quiet()
    bare, bare_fast, hearth = 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(rounds):
            bare = max(bare, await _bare(count))
            bare_fast = max(bare_fast, await _bare(count, Transport()))
            hearth = max(hearth, await _hearth(count, Path(folder), attempt))
    ratio, same = hearth / bare, hearth / bare_fast
    return [
        Row(f"telegram: bare PTB (httpx), {count:,} updates", f"{bare:,.0f} updates/s", "-", True),
        Row(
            "telegram: bare PTB on aiohttp (Hearth's transport)",
            f"{bare_fast:,.0f} updates/s",
            "-",
            True,
        ),
        Row("telegram: Hearth /proposals (3 open)", f"{hearth:,.0f} updates/s", "-", True),
        Row(
            "telegram: Hearth / bare PTB, same transport",
            f"{same:.2f}",
            ">= 0.67",
            same >= 2 / 3,
        ),
        Row("telegram: Hearth / bare PTB as shipped (httpx)", f"{ratio:.2f}", "-", True),
    ]


# -- fan-out within platform limits -------------------------------------------------------


async def _seed_members(hearth: Hearth, members: int) -> None:
    """The group's members as Hearth knows them: each has written in the group once."""
    for user_id, name in platform.people(members):
        admin = user_id == platform.FIRST_ID
        await hearth.handle(MessagePosted(_origin(user_id, name, admin=admin), "hello"))


async def fan_out(members: int = 2_000, per_second: int = 300) -> list[Row]:
    _quiet()
    pump: asyncio.Task[None] | None = None
    with tempfile.TemporaryDirectory() as folder:
        async with platform_process("fanout", members, per_second) as (side, base_url):
            database = Path(folder) / "fanout.db"
            async with running_hearth(database, clock=SystemClock()) as hearth:
                pacing = Pacing(overall_per_second=per_second)
                adapter = TelegramAdapter(TOKEN, base_url=base_url, pacing=pacing, poll_timeout=1)
                try:
                    await _seed_members(hearth, members)
                    await adapter.start(hearth)
                    hearth.outbox = adapter
                    hearth.deliver_in_background = True  # as `hearth run` does
                    pump = asyncio.create_task(hearth.pump_outbox())
                    results = await side.line(900)
                finally:
                    if pump is not None:
                        hearth.stop_pumping()
                        await pump
                    await adapter.stop()
    # Every message counts to Telegram: the answers to /help meanwhile share the limit.
    rate = (results["sends"] - 1) / results["seconds"]
    openings = (results["openings"] - 1) / results["seconds"]
    what = f"{members:,} check-ins at {per_second}/s allowed (openings {openings:,.0f}/s)"
    return _fan_out_rows("fan-out", what, rate, per_second, results, goal=0.95)


def _fan_out_rows(
    prefix: str,
    what: str,
    rate: float,
    per_second: int,
    results: dict[str, Any],
    *,
    goal: float = 0.9,
) -> list[Row]:
    """A fan-out's figures: its share of the limit, the 429s, and /help's p99 meanwhile."""
    share = rate / per_second
    too_many = int(results["too_many"])
    latencies = sorted(results["help"])
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return [
        Row(f"{prefix}: {what}", f"{rate:,.0f}/s = {share:.0%}", f">= {goal:.0%}", share >= goal),
        Row(f"{prefix}: 429s from the platform", str(too_many), "0", too_many == 0),
        Row(
            f"{prefix}: /help p99 during it ({len(latencies)} asks)",
            f"{p99:.0f} ms",
            "< 250 ms",
            p99 < 250,
        ),
    ]


async def _sends_too(hearth: Hearth, done: asyncio.Event) -> None:
    """A worker that does not poll sends what its own work put in the outbox; here it comes
    by every 200 ms to take its share of the round."""
    while not done.is_set():
        await hearth.flush_outbox()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 0.2)


async def shared_fan_out(members: int = 2_000, per_second: int = 100) -> list[Row]:
    from storage.postgres import PostgresStore
    from storage.workers import PgWorkers
    from tests import postgres

    _quiet()
    url = await postgres.fresh_database()
    stack = contextlib.AsyncExitStack()
    done = asyncio.Event()
    try:
        async with platform_process("fanout", members, per_second) as (side, base_url), stack:
            hearths: list[Hearth] = []
            for _ in range(2):
                store = await PostgresStore.open(url)
                stack.push_async_callback(store.close)
                hearth = build_hearth(store=store, clock=SystemClock())
                shared = PgWorkers(url)
                stack.push_async_callback(shared.close)
                pacing = Pacing(overall_per_second=per_second)
                adapter = TelegramAdapter(TOKEN, base_url=base_url, pacing=pacing, poll_timeout=1)
                adapter.share(shared)
                if not hearths:
                    await _seed_members(hearth, members)
                await adapter.start(hearth)
                stack.push_async_callback(adapter.stop)
                hearth.outbox = adapter
                hearth.deliver_in_background = True  # as `hearth run` does
                pump = asyncio.create_task(hearth.pump_outbox())
                stack.push_async_callback(_stopped, hearth, pump)
                extra = asyncio.create_task(_sends_too(hearth, done))
                stack.push_async_callback(_ended, done, extra)
                hearths.append(hearth)
            results = await side.line(900)
    finally:
        await postgres.give_back(url)
    rate = (results["sends"] - 1) / results["seconds"]  # every message counts to Telegram
    what = f"{members:,} check-ins, 2 workers, {per_second}/s for the bot"
    return _fan_out_rows("shared fan-out", what, rate, per_second, results)


async def _stopped(hearth: Hearth, pump: asyncio.Task[None]) -> None:
    hearth.stop_pumping()
    await pump


async def _ended(done: asyncio.Event, task: asyncio.Task[None]) -> None:
    done.set()
    await task


BENCHMARKS: list[Callable[[], Awaitable[list[Row]]]] = [overhead, fan_out, shared_fan_out]

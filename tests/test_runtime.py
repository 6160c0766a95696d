"""Running for real: adapters start, the timer fires due work through the router, all stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.app import build_hearth
from bot.clock import SystemClock
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Job
from bot.errors import PlatformsEnded
from bot.events import CommandInvoked, Origin, Person
from bot.feature import Feature
from bot.hearth import Hearth
from bot.replies import Reply
from bot.runtime import serve
from tests.stores import fresh_store


class FakeAdapter:
    platform = "fake"

    def __init__(self) -> None:
        self.hearth: Hearth | None = None
        self.delivered: list[Reply] = []
        self.got_one = asyncio.Event()
        self.stopped = False

    async def start(self, hearth: Hearth) -> None:
        self.hearth = hearth

    async def stop(self) -> None:
        self.stopped = True

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.delivered.extend(replies)
        self.got_one.set()


async def test_a_job_queued_by_a_command_fires_in_real_time_through_the_adapter() -> None:
    soon = Feature("soon")

    @soon.command("soon", about="Queue a job for a moment from now.")
    async def queue(ctx: CommandContext, args: Args) -> None:
        await ctx.uow.jobs.add(
            community_id=ctx.community.id, kind="ping", due_at=ctx.now + timedelta(milliseconds=50)
        )
        ctx.answer("queued")

    @soon.job("ping")
    async def ping(ctx: CommunityContext, job: Job) -> None:
        ctx.announce("announcements", "audit_empty")

    hearth = build_hearth(store=fresh_store(), clock=SystemClock())
    hearth.install(soon)
    adapter = FakeAdapter()
    stop = asyncio.Event()
    running = asyncio.create_task(serve(hearth, [adapter], stop))
    await asyncio.sleep(0)
    origin = Origin("fake", "g1", Person("u1", "Ana"), "#general")
    assert adapter.hearth is hearth
    await hearth.handle(CommandInvoked(origin, "soon"))
    await asyncio.wait_for(adapter.got_one.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert [r.target.channel_ref for r in adapter.delivered] == ["#general"]
    assert adapter.stopped
    assert await hearth.next_due() is None


class EndingAdapter(FakeAdapter):
    """An adapter that stops taking events by itself, as Telegram's does on a 409 Conflict."""

    def __init__(self, platform: str) -> None:
        super().__init__()
        self.platform = platform
        self.why = asyncio.get_running_loop().create_future()

    async def ended(self) -> str:
        return str(await self.why)


class Errors(logging.Handler):
    """The runtime's error lines, and an event set by each."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []
        self.said = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        self.said.set()


async def test_one_platform_ending_on_its_own_leaves_the_others_serving() -> None:
    hearth = build_hearth(store=fresh_store(), clock=SystemClock())
    telegram, discord = EndingAdapter("telegram"), EndingAdapter("discord")
    errors = Errors()
    logging.getLogger("hearth.runtime").addHandler(errors)
    stop = asyncio.Event()
    try:
        running = asyncio.create_task(serve(hearth, [telegram, discord], stop))
        await asyncio.sleep(0)
        telegram.why.set_result("Telegram: another instance is polling this bot")
        await asyncio.wait_for(errors.said.wait(), timeout=10)
        assert errors.lines == [
            "Telegram: another instance is polling this bot; the other platforms carry on"
        ]
        assert not running.done()  # Discord still serving

        discord.why.set_result("Discord: gone too")
        with pytest.raises(PlatformsEnded, match="Discord: gone too"):
            await asyncio.wait_for(running, timeout=10)
    finally:
        logging.getLogger("hearth.runtime").removeHandler(errors)
    assert telegram.stopped and discord.stopped

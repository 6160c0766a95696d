"""Running Hearth for real: one store, one clock, one timer, and every configured adapter.

An adapter is anything with a platform name that can start, stop and deliver replies; the
router sends each reply to the adapter of its target's platform. An adapter may also stop on
its own (another instance polls the same Telegram bot): the others carry on, and when none is
left Hearth exits with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from bot.errors import PlatformsEnded
from bot.hearth import Hearth
from bot.replies import Reply
from bot.timer import Timer
from bot.workers import Workers

log = logging.getLogger("hearth.runtime")
PUMP_GRACE = 10.0  # seconds a clean shutdown waits for the message being delivered


class Adapter(Protocol):
    platform: str

    async def start(self, hearth: Hearth) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, replies: Sequence[Reply]) -> None: ...


@runtime_checkable
class EndsOnItsOwn(Protocol):
    async def ended(self) -> str:
        """Wait until the adapter stopped taking events by itself; why, in one line."""
        ...


@runtime_checkable
class Connects(Protocol):
    @property
    def connected(self) -> bool:
        """Taking events from its platform right now (read by /healthz; never blocks)."""
        ...


@runtime_checkable
class SharesWithWorkers(Protocol):
    def share(self, workers: Workers) -> None:
        """Before start: keep the bot's send limits (and roles) with its other workers."""
        ...


def connected(adapter: Adapter) -> bool:
    """An adapter that cannot tell is connected while it runs."""
    return adapter.connected if isinstance(adapter, Connects) else True


class Router:
    """The Outbox of a running Hearth: hands each reply to its platform's adapter.

    Every message the outbox sends passes here one by one, so this is where they are counted
    by platform for /metrics: `sent` once its adapter took it, `refused` when the adapter
    raised (the pump retries it later) or no adapter serves its platform. Plain counters: the
    operations endpoints read them, the core knows nothing of Prometheus."""

    def __init__(self, adapters: Sequence[Adapter]) -> None:
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        self.sent: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    async def deliver(self, replies: Sequence[Reply]) -> None:
        by_platform: dict[str, list[Reply]] = {}
        for reply in replies:
            by_platform.setdefault(reply.target.platform, []).append(reply)
        for platform, batch in by_platform.items():
            adapter = self.adapters.get(platform)
            if adapter is None:
                log.warning(
                    "no adapter for platform=%s; %d replies kept back", platform, len(batch)
                )
                self.refused[platform] += len(batch)
                continue
            try:
                await adapter.deliver(batch)
            except Exception:
                self.refused[platform] += len(batch)
                raise
            self.sent[platform] += len(batch)


async def serve(
    hearth: Hearth,
    adapters: Sequence[Adapter],
    stop: asyncio.Event,
    *,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Start the adapters and the timer, run until `stop` is set, then shut down cleanly;
    `on_started` is called once all have started (a start-up failure never calls it)."""
    hearth.outbox = Router(adapters)
    hearth.deliver_in_background = True
    timer = Timer(hearth)
    started: list[Adapter] = []
    pump: asyncio.Task[None] | None = None
    try:
        for adapter in adapters:
            await adapter.start(hearth)
            started.append(adapter)
            log.info("adapter started platform=%s", adapter.platform)
        pump = asyncio.create_task(hearth.pump_outbox(), name="hearth-outbox")
        await timer.start()
        if on_started is not None:
            on_started()
        await _until_stopped(started, stop)
    finally:
        timer.stop()
        if pump is not None:
            hearth.stop_pumping()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(pump, PUMP_GRACE)  # cancelled if it takes longer
        for adapter in reversed(started):
            await adapter.stop()


async def _until_stopped(adapters: Sequence[Adapter], stop: asyncio.Event) -> None:
    """Until `stop` is set or no adapter is left taking events (then PlatformsEnded)."""
    stopping: asyncio.Task[object] = asyncio.create_task(stop.wait())
    ending: set[asyncio.Task[object]] = {
        asyncio.create_task(a.ended()) for a in adapters if isinstance(a, EndsOnItsOwn)
    }
    running = len(adapters)
    try:
        while True:
            done, _ = await asyncio.wait({stopping, *ending}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                return
            for task in done:
                ending.discard(task)
                running -= 1
                if not running:
                    raise PlatformsEnded(task.result())
                log.error("%s; the other platforms carry on", task.result())
    finally:
        for task in (stopping, *ending):
            task.cancel()

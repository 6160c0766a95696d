"""Spreading direct messages over time.

Discord quarantines bots that send many DMs in a burst, so a check-in round's fan-out goes out
at a steady pace instead. The sleep and the clock are injectable so tests run instantly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """At most one send per `interval` seconds; a quiet pacer lets the next one through at once."""

    def __init__(
        self,
        interval: float,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval < 0:
            raise ValueError("the interval cannot be negative")
        self.interval = interval
        self._sleep = sleep
        self._clock = clock
        self._next: float | None = None

    async def wait(self) -> None:
        now = self._clock()
        if self._next is not None and self._next > now:
            await self._sleep(self._next - now)
            now = max(self._clock(), self._next)
        self._next = now + self.interval

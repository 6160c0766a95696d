"""Spreading direct messages over time.

Discord quarantines bots that send many DMs in a burst, so a check-in round's fan-out goes out
at a steady pace instead. The pace is the bot's: with several workers on PostgreSQL the budget
handed in (bot.workers) is shared by all of them. The sleep and the clock are injectable so
tests run instantly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.workers import Limit, LocalSendBudget, SendBudget

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
        self.budget: SendBudget = LocalSendBudget(clock)
        self._limit = Limit("discord:dm", 1, interval)

    def share(self, budget: SendBudget, bot: str) -> None:
        """Count this bot's DMs together with its other workers'."""
        self.budget = budget
        self._limit = Limit(f"discord:{bot}:dm", 1, self.interval)

    async def wait(self) -> None:
        delay = (await self.budget.reserve([self._limit])).delay
        if delay > 0:
            await self._sleep(delay)

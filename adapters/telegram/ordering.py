"""Updates from different people handled side by side; each person's strictly in order.

PTB handles one update at a time by default, so every update waits for all the work before
it: a moderator's `/checkin now` that writes a round for 2,000 members holds up everyone's
/help in every group for as long as it takes, and each update's waits on the database and on
Telegram are time nobody else can use. With this processor those waits overlap, while the
updates of one person (a quick series of answers, a join and a first message) still run one
after another in the order Telegram sent them.

Order within a person follows the order in which PTB hands updates over, which is Telegram's;
the concurrency bound is high so that PTB's own semaphore, which comes first, never queues.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT = 256


def person_of(update: object) -> int | None:
    """Whose update this is: its sender, else its chat; None for anything else."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerPersonOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        if person is None:
            await coroutine
            return
        lock = self._locks.get(person)
        if lock is None:  # not setdefault: that made a Lock for every update, used or not
            lock = self._locks[person] = asyncio.Lock()
        self._waiting[person] += 1
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._waiting[person] -= 1
            if not self._waiting[person]:
                del self._waiting[person]
                del self._locks[person]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

"""Running a unit of work again when the database refused it for a conflict.

On PostgreSQL, units of work of several processes run side by side; when one changes what
another changed meanwhile, it is refused (`StoreConflict`) and nothing of it was kept.
Everything a unit decides (its writes, its replies) is made inside it, so running the whole
unit again is safe: it sees the other's change and decides afresh. SQLite never refuses.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.errors import StoreConflict

log = logging.getLogger("hearth.core")
ATTEMPTS = 12
LONGEST_PAUSE = 0.25  # seconds
_T = TypeVar("_T")


async def again_on_conflict(work: Callable[[], Awaitable[_T]]) -> _T:
    """`work()` (one whole unit of work), run again after a short, growing, random pause while
    the database refuses it for a conflict; the last refusal is raised."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await work()
        except StoreConflict:
            if attempt == ATTEMPTS:
                raise
            log.debug("a unit of work met another's change; running it again")
            await asyncio.sleep(random.uniform(0, min(LONGEST_PAUSE, 0.002 * 2**attempt)))
    raise AssertionError("unreachable")

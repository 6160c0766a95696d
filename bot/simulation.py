"""Simulated time for the console and tests: move a fake clock, firing due work in time order."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import FakeClock
from bot.hearth import Hearth


async def advance_to(hearth: Hearth, clock: FakeClock, target: datetime) -> int:
    """Walk the clock to `target`, stopping at each due time so every job sees its own 'now'."""
    fired = 0
    while True:
        due = await hearth.next_due()
        if due is None or due > target:
            break
        if due > clock.now():
            clock.set(due)
        fired += await hearth.run_due()
    if target > clock.now():
        clock.set(target)
    return fired


async def advance(hearth: Hearth, clock: FakeClock, delta: timedelta) -> int:
    return await advance_to(hearth, clock, clock.now() + delta)

"""Real-time firing of due work: APScheduler wakes Hearth at the earliest due time.

The database holds every schedule and pending job; APScheduler only holds one wake-up, re-armed
after each change, so a restart rebuilds everything from the database and nothing is lost or
doubled in memory.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.hearth import Hearth

log = logging.getLogger("hearth.timer")
WAKE_JOB = "hearth-wake"


class Timer:
    def __init__(self, hearth: Hearth) -> None:
        self.hearth = hearth
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._armed_for: datetime | None = None
        self._rearming = False
        self._again = False

    async def start(self) -> None:
        self.scheduler.start()
        self.hearth.listeners.append(self.rearm)
        await self.hearth.run_due()  # whatever fell due while Hearth was down fires once now
        await self.rearm()

    async def rearm(self) -> None:
        """Look when work is next due and arm for it. Events handled side by side all ask at
        once; one look runs at a time, and one more after it for all that asked meanwhile
        (each look is a unit of work: on PostgreSQL a few round trips per event otherwise)."""
        self._again = True
        if self._rearming:
            return
        self._rearming = True
        try:
            while self._again:
                self._again = False
                await self._arm(await self.hearth.next_due())
        finally:
            self._rearming = False

    async def _arm(self, due: datetime | None) -> None:
        if due == self._armed_for:
            return
        self._armed_for = due
        if due is None:
            if self.scheduler.get_job(WAKE_JOB):
                self.scheduler.remove_job(WAKE_JOB)
            return
        # Never arm in the past: APScheduler would count it as a misfire and skip it.
        when = max(due, self.hearth.clock.now() + timedelta(milliseconds=10))
        self.scheduler.add_job(
            self._wake,
            DateTrigger(run_date=when),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _wake(self) -> None:
        self._armed_for = None
        try:
            await self.hearth.run_due()
        except Exception:
            log.exception("running due work failed; will try again at the next wake-up")
        await self.rearm()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

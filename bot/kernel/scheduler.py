"""Scheduled work: due jobs and weekly schedules, each run in its own unit of work, its replies
kept in the outbox with its writes."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from bot.context import CommunityContext
from bot.domain import Job, Schedule
from bot.errors import StoreConflict
from bot.kernel.background import Background
from bot.kernel.conflicts import ATTEMPTS
from bot.kernel.membership import community_context
from bot.kernel.outbox import OUTBOX_LOOK_AGAIN
from bot.scheduling import next_weekly

log = logging.getLogger("hearth.core")


class Scheduler(Background):
    async def next_due(self) -> datetime | None:
        async with self.store.unit_of_work() as uow:
            outbox = await uow.outbox.earliest(look_again=self.clock.now() + OUTBOX_LOOK_AGAIN)
            candidates = [await uow.jobs.earliest(), await uow.schedules.earliest(), outbox]
        if self.pump.in_background and outbox is not None and outbox <= self.clock.now():
            # The pump delivers it, and re-arms the timer when it is done; waking for it now
            # would only spin the timer through a long fan-out. An idle pump is woken: what
            # came due may be another process's claims, given back when it died.
            candidates.pop()
            if not self.pump.flushing:
                await self.pump.filled()
        return min((t for t in candidates if t), default=None)

    async def run_due(self) -> int:
        """Run every job and schedule that is due now, oldest first, each in its own unit of work.

        A job is removed (or a schedule moved to its next run) in the same transaction as its
        effects, so it never fires twice; a run missed while Hearth was down fires once.
        """
        fired = 0
        conflicts = 0
        while True:
            now = self.clock.now()
            try:
                job, schedule, failed = await self._run_next(now)
            except StoreConflict:  # another process changed what it read: it ran nothing
                conflicts += 1
                if conflicts == ATTEMPTS:
                    break  # the timer comes back to it
                continue
            conflicts = 0
            if job is None and schedule is None:
                break
            if failed:
                await self._skip_failed(job, schedule)
            else:
                await self.pump.filled()
            fired += 1
        await self.pump.filled()  # retries that fell due
        await self._changed()
        return fired

    async def _run_next(self, now: datetime) -> tuple[Job | None, Schedule | None, bool]:
        """The next due job or schedule run (the earlier), in its own unit of work, with
        whether it failed; (None, None, False) when nothing is due."""
        async with self.store.unit_of_work() as uow:
            jobs = await uow.jobs.due(now, 1)
            schedules = await uow.schedules.due(now, 1)
            if not jobs and not schedules:
                return None, None, False
            job = jobs[0] if jobs else None
            schedule = schedules[0] if schedules else None
            if job and schedule and schedule.next_run < job.due_at:
                job = None
            community_id = job.community_id if job else schedule.community_id  # type: ignore[union-attr]
            ctx = await community_context(uow, community_id, self.clock, self.catalog)
            try:
                if job is not None:
                    await self._run_job(ctx, job)
                elif schedule is not None:
                    await self._run_schedule(ctx, schedule)
                for reply in ctx.replies:  # decided with the work, so never lost with it
                    await uow.outbox.add(reply, now)
                await uow.commit()
                failed = False
            except StoreConflict:
                raise
            except Exception:
                failed = True
                error_id = secrets.token_hex(4)
                log.exception(
                    "scheduled work failed id=%s kind=%s",
                    error_id,
                    job.kind if job else schedule.kind if schedule else "?",
                )
        return job, schedule, failed

    async def _run_job(self, ctx: CommunityContext, job: Job) -> None:
        await ctx.uow.jobs.remove(job.id)
        handler = self.features.jobs.get(job.kind)
        if handler is None:
            log.warning("no handler for job kind=%s; dropped", job.kind)
            return
        await handler(ctx, job)

    async def _run_schedule(self, ctx: CommunityContext, schedule: Schedule) -> None:
        schedule.next_run = next_weekly(
            schedule.weekday, schedule.hour, schedule.minute, ctx.community.timezone, ctx.now
        )
        await ctx.uow.schedules.put(schedule)
        handler = self.features.schedules.get(schedule.kind)
        if handler is not None:
            await handler(ctx)

    async def _skip_failed(self, job: Job | None, schedule: Schedule | None) -> None:
        """A failing job must not block the queue: drop it (or move the schedule on)."""
        async with self.store.unit_of_work() as uow:
            if job is not None:
                await uow.jobs.remove(job.id)
            elif schedule is not None:
                community = await uow.communities.get(schedule.community_id)
                schedule.next_run = next_weekly(
                    schedule.weekday,
                    schedule.hour,
                    schedule.minute,
                    community.timezone,
                    self.clock.now(),
                )
                await uow.schedules.put(schedule)
            await uow.commit()

"""Schedules (a community's weekly rhythms) and jobs (one-off work due at a time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import Job, Schedule
from storage.communities import paused_community_ids
from storage.sql import (
    JsonText,
    SqlRepo,
    Timestamp,
    community_column,
    community_table,
    member_column,
    record,
    row_of,
    schema_table,
    upsert,
)

schedules = schema_table(
    "schedules",
    community_column(primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True, nullable=False),
    sa.Column("weekday", sa.Integer, nullable=False),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Column("minute", sa.Integer, nullable=False),
    sa.Column("next_run", Timestamp, nullable=False),
    sa.Index("schedules_by_next_run", "next_run"),
)

jobs = community_table(
    "jobs",
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("due_at", Timestamp, nullable=False),
    sa.Column("payload", JsonText, nullable=False, server_default="{}"),
    member_column(nullable=True),
    sa.Index("jobs_by_due", "due_at"),
)

# Communities whose schedules and jobs are held (Hearth was removed from their place).
_PAUSED = paused_community_ids()

# Statements are built once and run with params: building one costs more than running it.
# What is due is claimed by reading it: on PostgreSQL the rows read are locked until the unit
# ends, and other processes pass over them (FOR UPDATE SKIP LOCKED), so each job and each
# schedule run happens in one process; if that process dies, its transaction ends, the locks go
# and another takes the work. (SQLite has no such clause: there one process runs the schedule.)
_ONE_SCHEDULE = (
    schedules.c.community_id == sa.bindparam("community_id"),
    schedules.c.kind == sa.bindparam("kind"),
)
_SCHEDULE = sa.select(schedules).where(*_ONE_SCHEDULE)
_REMOVE_SCHEDULE = sa.delete(schedules).where(*_ONE_SCHEDULE)
_SCHEDULES_OF = (
    sa.select(schedules)
    .where(schedules.c.community_id == sa.bindparam("community_id"))
    .order_by(schedules.c.kind)
)
_SCHEDULES_DUE = (
    sa.select(schedules)
    .where(schedules.c.next_run <= sa.bindparam("now"), schedules.c.community_id.not_in(_PAUSED))
    .order_by(schedules.c.next_run, schedules.c.community_id, schedules.c.kind)
    .limit(sa.bindparam("limit"))
    .with_for_update(of=schedules, skip_locked=True)
)
_SCHEDULES_EARLIEST = sa.select(sa.func.min(schedules.c.next_run)).where(
    schedules.c.community_id.not_in(_PAUSED)
)


class SqlSchedules(SqlRepo):
    async def put(self, schedule: Schedule) -> None:
        await self.db.change(
            upsert(self.db, schedules, "weekday", "hour", "minute", "next_run"),
            row_of(schedule, schedules),
        )

    async def get(self, community_id: int, kind: str) -> Schedule | None:
        row = await self.db.row(_SCHEDULE, {"community_id": community_id, "kind": kind})
        return record(Schedule, row) if row else None

    async def remove(self, community_id: int, kind: str) -> bool:
        changed = await self.db.change(
            _REMOVE_SCHEDULE, {"community_id": community_id, "kind": kind}
        )
        return changed > 0

    async def for_community(self, community_id: int) -> list[Schedule]:
        rows = await self.db.rows(_SCHEDULES_OF, {"community_id": community_id})
        return [record(Schedule, row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[Schedule]:
        rows = await self.db.rows(_SCHEDULES_DUE, {"now": now, "limit": limit})
        return [record(Schedule, row) for row in rows]

    async def earliest(self) -> datetime | None:
        found: datetime | None = await self.db.scalar(_SCHEDULES_EARLIEST)
        return found


_ADD_JOB = sa.insert(jobs)
_JOBS_DUE = (
    sa.select(jobs)
    .where(jobs.c.due_at <= sa.bindparam("now"), jobs.c.community_id.not_in(_PAUSED))
    .order_by(jobs.c.due_at, jobs.c.id)
    .limit(sa.bindparam("limit"))
    .with_for_update(of=jobs, skip_locked=True)
)
_REMOVE_JOB = sa.delete(jobs).where(jobs.c.id == sa.bindparam("job_id"))
_JOBS_EARLIEST = sa.select(sa.func.min(jobs.c.due_at)).where(jobs.c.community_id.not_in(_PAUSED))
_JOBS_OF = (
    sa.select(jobs)
    .where(jobs.c.community_id == sa.bindparam("community_id"))
    .order_by(jobs.c.due_at, jobs.c.id)
)
_JOBS_OF_KIND = _JOBS_OF.where(jobs.c.kind == sa.bindparam("kind"))
_MEMBER_JOBS = (
    sa.select(jobs.c.kind, jobs.c.due_at)
    .where(jobs.c.member_id == sa.bindparam("member_id"))
    .order_by(jobs.c.id)
)
_ERASE_JOBS = sa.delete(jobs).where(jobs.c.member_id == sa.bindparam("member_id"))


class SqlJobs(SqlRepo):
    section = "mydata_section_jobs"

    async def add(
        self,
        *,
        community_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        member_id: int | None = None,
    ) -> Job:
        body = payload or {}
        new_id = await self.db.insert(
            _ADD_JOB,
            {
                "community_id": community_id,
                "kind": kind,
                "due_at": due_at,
                "payload": body,
                "member_id": member_id,
            },
        )
        return Job(new_id, community_id, kind, due_at, body, member_id)

    async def due(self, now: datetime, limit: int) -> list[Job]:
        rows = await self.db.rows(_JOBS_DUE, {"now": now, "limit": limit})
        return [record(Job, row) for row in rows]

    async def remove(self, job_id: int) -> bool:
        return await self.db.change(_REMOVE_JOB, {"job_id": job_id}) > 0

    async def earliest(self) -> datetime | None:
        found: datetime | None = await self.db.scalar(_JOBS_EARLIEST)
        return found

    async def pending(self, community_id: int, kind: str | None = None) -> list[Job]:
        params: dict[str, Any] = {"community_id": community_id, "kind": kind}
        rows = await self.db.rows(_JOBS_OF if kind is None else _JOBS_OF_KIND, params)
        return [record(Job, row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(_MEMBER_JOBS, {"member_id": member_id})
        return [{"what": row.kind, "due": row.due_at} for row in rows]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_ERASE_JOBS, {"member_id": member_id})

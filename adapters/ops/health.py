"""What /healthz reports: the database answers, every adapter is connected, and how much work
waits (the outbox's depth, how late the most overdue job or schedule is)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.hearth import Hearth
from bot.runtime import Adapter, connected

log = logging.getLogger("hearth.ops")
DATABASE_TIMEOUT = 2.0  # seconds the database has to answer before it counts as unreachable


@dataclass(frozen=True)
class Health:
    database: bool  # a read in a unit of work answered in time
    adapters: dict[str, bool]  # connected, by platform
    outbox_depth: int | None  # None when the database did not answer
    job_lag: float | None  # seconds the most overdue job or schedule is late; 0 when none is

    @property
    def healthy(self) -> bool:
        return self.database and all(self.adapters.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "database": "reachable" if self.database else "unreachable",
            "adapters": {
                platform: "connected" if up else "disconnected"
                for platform, up in self.adapters.items()
            },
            "outbox_depth": self.outbox_depth,
            "oldest_job_lag_seconds": None if self.job_lag is None else round(self.job_lag, 3),
        }


class HealthCheck:
    """Reads the health of one running Hearth; says once in the log when the database stops
    (or starts again) answering, not at every probe."""

    def __init__(
        self, hearth: Hearth, adapters: Sequence[Adapter], *, timeout: float = DATABASE_TIMEOUT
    ) -> None:
        self.hearth = hearth
        self.adapters = list(adapters)
        self.timeout = timeout
        self._answered = True

    async def check(self) -> Health:
        adapters = {adapter.platform: connected(adapter) for adapter in self.adapters}
        try:
            depth, lag = await asyncio.wait_for(self._read(), self.timeout)
        except Exception as error:  # a closed, broken or stuck database: unhealthy, not a 500
            if self._answered:
                log.warning("the database did not answer a health check (%s)", _why(error))
            self._answered = False
            return Health(False, adapters, None, None)
        if not self._answered:
            log.info("the database answers health checks again")
        self._answered = True
        return Health(True, adapters, depth, lag)

    async def _read(self) -> tuple[int, float]:
        async with self.hearth.store.unit_of_work() as uow:  # reads only
            depth = await uow.outbox.depth()
            due = [d for d in (await uow.jobs.earliest(), await uow.schedules.earliest()) if d]
        now = self.hearth.clock.now()
        lag = max(0.0, (now - min(due)).total_seconds()) if due else 0.0
        return depth, lag


def _why(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    return type(error).__name__  # its message may quote SQL or values: not for the log

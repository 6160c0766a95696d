"""What /metrics exposes, in Prometheus' text format, from one registry per running Hearth.

Counts are kept where they happen as plain counters (the Dispatcher's outcomes, the Router's
deliveries) and read at scrape time by a collector, so handling an update costs nothing more;
the outbox depth and job lag are read from the database at scrape time. Unit-of-work latency
is timed by a thin wrapper around the store Hearth is handed (`Metrics.timed`)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Coroutine, Iterable, Sequence
from itertools import accumulate
from time import perf_counter
from types import TracebackType
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from adapters.ops.health import Health
from bot.hearth import Hearth
from bot.ports import Store, UnitOfWork
from bot.runtime import Adapter, Router

OUTCOMES = ("ok", "refused", "ignored", "error", "duplicate")  # the Dispatcher's, always shown
# Units of work take well under a millisecond on SQLite; the top buckets catch a stuck one.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One running Hearth's instruments, in a registry of its own (never the global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.unit_of_work = LatencyTally(
            "hearth_unit_of_work_seconds",
            "How long units of work take, from waiting for their turn to commit or rollback.",
            LATENCY_BUCKETS,
        )
        self.registry.register(self.unit_of_work)
        self._collector: HearthCollector | None = None

    def timed(self, store: Store) -> Store:
        """The store, with each unit of work timed into `hearth_unit_of_work_seconds`."""
        return TimedStore(store, self.unit_of_work.observe)

    def watch(self, hearth: Hearth, adapters: Sequence[Adapter]) -> None:
        """Expose this Hearth's counters; `seen` gives the latest health to the gauges."""
        self._collector = HearthCollector(hearth, [a.platform for a in adapters])
        self.registry.register(self._collector)

    def seen(self, health: Health) -> None:
        if self._collector is not None:
            self._collector.health = health


class HearthCollector(Collector):
    """Reads the counters and the latest health of one Hearth at scrape time."""

    def __init__(self, hearth: Hearth, platforms: Sequence[str]) -> None:
        self.hearth = hearth
        self.platforms = list(platforms)
        self.health: Health | None = None

    def collect(self) -> Iterable[Metric]:
        outcomes = self.hearth.outcomes
        updates = CounterMetricFamily(
            "hearth_updates", "Updates handled, by how they ended.", labels=["outcome"]
        )
        for outcome in dict.fromkeys([*OUTCOMES, *outcomes]):
            updates.add_metric([outcome], outcomes[outcome])
        yield updates
        router = self.hearth.outbox
        sent = CounterMetricFamily(
            "hearth_messages_sent",
            "Messages of the outbox a platform's adapter took, by platform.",
            labels=["platform"],
        )
        refused = CounterMetricFamily(
            "hearth_messages_refused",
            "Messages of the outbox a platform's adapter could not take (retried later).",
            labels=["platform"],
        )
        if isinstance(router, Router):
            platforms = dict.fromkeys([*self.platforms, *router.sent, *router.refused])
            for platform in platforms:
                sent.add_metric([platform], router.sent[platform])
                refused.add_metric([platform], router.refused[platform])
        yield sent
        yield refused
        yield from self._health()

    def _health(self) -> Iterable[Metric]:
        health = self.health
        if health is None:
            return
        yield GaugeMetricFamily(
            "hearth_database_up", "1 when the database answered the last check.", health.database
        )
        connected = GaugeMetricFamily(
            "hearth_adapter_connected",
            "1 when the platform's adapter is connected.",
            labels=["platform"],
        )
        for platform, up in health.adapters.items():
            connected.add_metric([platform], up)
        yield connected
        if health.outbox_depth is not None:
            yield GaugeMetricFamily(
                "hearth_outbox_depth", "Messages waiting in the outbox.", health.outbox_depth
            )
        if health.job_lag is not None:
            yield GaugeMetricFamily(
                "hearth_job_lag_seconds",
                "How late the most overdue job or schedule is (0 when none is).",
                health.job_lag,
            )


class LatencyTally(Collector):
    """A histogram counted with one bisect per observation and exposed at scrape time: about a
    sixth of the cost of prometheus_client's Histogram.observe (locks, a Python loop), which
    matters on a path every command takes. One event loop observes, so no lock is needed."""

    def __init__(self, name: str, documentation: str, bounds: Sequence[float]) -> None:
        self.name = name
        self.documentation = documentation
        self.bounds = sorted(bounds)
        self.counts = [0] * (len(self.bounds) + 1)  # the last one: above every bound
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(self.bounds, seconds)] += 1  # le: bound >= seconds
        self.total += seconds

    def collect(self) -> Iterable[Metric]:
        edges = [*map(floatToGoString, self.bounds), "+Inf"]
        yield HistogramMetricFamily(
            self.name,
            self.documentation,
            buckets=list(zip(edges, accumulate(self.counts), strict=True)),
            sum_value=self.total,
        )


class TimedStore:
    """A store whose units of work report how long they took; everything else is the store's."""

    def __init__(self, store: Store, observe: Callable[[float], None]) -> None:
        self.inner = store
        self._observe = observe

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # whatever else an engine's store offers

    def unit_of_work(self, *, turn: str | None = None) -> UnitOfWork:
        return _TimedUnit(self.inner.unit_of_work(turn=turn), self._observe)

    async def close(self) -> None:
        await self.inner.close()


class _TimedUnit:
    """Times enter to exit. Entering it enters the unit itself and gives that (`as uow`), so
    repositories and commit are reached with no detour; the rest of the port is forwarded."""

    def __init__(self, unit: UnitOfWork, observe: Callable[[float], None]) -> None:
        self._unit = unit
        self._observe = observe
        self._began = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._unit, name)

    def __aenter__(self) -> Coroutine[Any, Any, Any]:
        self._began = perf_counter()
        return self._unit.__aenter__()  # its own coroutine: no frame of ours on every entry

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._unit.__aexit__(exc_type, exc, tb)
        finally:
            self._observe(perf_counter() - self._began)

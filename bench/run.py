"""`make bench`: Hearth's figures side by side in one process run, each against its goal.

Not part of `make test`: these print measurements, they do not assert them.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import telegram, workers
from bench.rows import Row
from bot.app import running_hearth
from bot.clock import FakeClock, SystemClock
from bot.events import CommandInvoked, Origin, Person
from bot.hearth import Hearth
from storage.sql import ts
from storage.sqlite import SqliteStore

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROPOSALS = 40  # open proposals in the benchmark community


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), falling back to the peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mixed_commands(hearth: Hearth, count: int) -> list[CommandInvoked]:
    """A realistic mix over 50 members of one community, built from what is installed."""
    members = [Person(f"u{n}", f"member{n}") for n in range(50)]
    admin = Person("admin", "admin", is_platform_admin=True)
    mix: list[tuple[Person | None, str, str]] = [
        (None, "help", ""),
        (None, "audit", "5"),
        (None, "privacy", ""),
        (admin, "schedule", ""),
        (admin, "setup", "about A community garden"),
    ]
    installed = set(hearth.registry.commands)
    extra = [
        ("offer", "food I cook extra on Sundays"),
        ("offers", ""),
        ("proposals", ""),
        ("support", "{p}"),
        ("build", "{p} and we could share the tools"),
    ]
    mix.extend((None, name, args) for name, args in extra if name in installed)
    events = []
    for n in range(count):
        who, name, args = mix[n % len(mix)]
        # Spread over the open proposals, as a community's attention is.
        args = args.format(p=1 + (n // len(mix)) % PROPOSALS)
        person = who or members[n % len(members)]
        origin = Origin("bench", "community-1", person, "#general", community_name="Bench")
        events.append(CommandInvoked(origin, name, args))
    return events


async def core_throughput(count: int = 20_000, rounds: int = 3) -> list[Row]:
    """The mix on SQLite: `rounds` runs, each on a fresh file, and the best counts (as in the
    Telegram rows: on a shared machine the slower runs measure the neighbours; every run's
    figure is printed)."""
    runs, speeds = [], []
    for _ in range(rounds):
        speeds.append(reference_speed())
        with tempfile.TemporaryDirectory() as folder:
            clock = FakeClock(START)
            async with running_hearth(Path(folder) / "bench.db", clock=clock) as hearth:
                runs.append(await _timed_mix(hearth, count))
    errors, rate, p50, p99 = _best(runs)
    return [
        Row(
            f"core: mixed commands/s (SQLite, WAL; best of {_rates(runs)})",
            f"{rate:,.0f}",
            ">= 5,000",
            rate >= 5000,
        ),
        Row(
            "machine: a fixed Python loop before each of those runs (M turns/s)",
            " / ".join(f"{speed:.1f}" for speed in speeds),
            "-",
            True,
        ),
        Row("core: p50 latency", f"{p50:.2f} ms", "-", True),
        Row("core: p99 latency", f"{p99:.2f} ms", "< 5 ms", p99 < 5),
        Row("core: unexpected errors", str(errors), "0", errors == 0),
    ]


async def core_throughput_postgres(count: int = 5_000, rounds: int = 3) -> list[Row]:
    """The same mix on PostgreSQL (the tests' own server, on a unix socket), one process,
    `rounds` runs on fresh databases, the best counting."""
    from tests import postgres

    runs = []
    for _ in range(rounds):
        url = await postgres.fresh_database()
        try:
            plain = url.render_as_string(hide_password=False)
            async with running_hearth(plain, clock=FakeClock(START)) as hearth:
                runs.append(await _timed_mix(hearth, count))
        finally:
            await postgres.give_back(url)
    errors, rate, p50, p99 = _best(runs)
    floor = await _postgres_floor()
    return [
        Row(
            f"core: mixed commands/s (PostgreSQL; best of {_rates(runs)})",
            f"{rate:,.0f}",
            ">= 2,000",
            rate >= 2000,
        ),
        Row("core: p50 latency (PostgreSQL)", f"{p50:.2f} ms", "-", True),
        Row("core: p99 latency (PostgreSQL)", f"{p99:.2f} ms", "< 10 ms", p99 < 10),
        Row("core: unexpected errors (PostgreSQL)", str(errors), "0", errors == 0),
        *(
            Row(
                f"core: PostgreSQL alone, units of {trips} round trips, no Hearth (asyncpg)",
                f"{units:,.0f}/s",
                "-",
                True,
            )
            for trips, units in floor
        ),
    ]


async def _postgres_floor(count: int = 3_000) -> list[tuple[int, float]]:
    """What a unit of work costs on this machine before Hearth does anything: the turn's lock
    with BEGIN, one or two reads, COMMIT with unlock, straight on asyncpg. A command needs
    three round trips at least (the mix averages 4.5), so this bounds the row above."""
    from tests import postgres

    url = await postgres.fresh_database()
    conn = await postgres._admin(url)
    found = []
    try:
        await conn.execute(
            "INSERT INTO communities (id, name, timezone, language, created_at)"
            " VALUES (1, 'Bench', 'UTC', 'en', now())"
        )
        for reads in (1, 2):
            for timed in (False, True):  # a warm-up, then the measured run
                started = time.perf_counter()
                for _ in range(count if timed else 300):
                    await conn.execute(f"SELECT pg_advisory_lock(42); COMMIT; {_BEGIN}")
                    for _ in range(reads):
                        await conn.fetch("SELECT id, name FROM communities WHERE id = $1", 1)
                    await conn.execute("COMMIT; SELECT pg_advisory_unlock(42)")
            found.append((2 + reads, count / (time.perf_counter() - started)))
    finally:
        await conn.close()
        await postgres.give_back(url)
    return found


_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ"


def reference_speed(turns: int = 300_000) -> float:
    """Millions of turns a second of a fixed pure-Python loop (dict updates): the same work
    on every run, so a slow figure beside it shows the machine was slow then (on a shared
    2-core machine it read 7.0 and 10.0 a few seconds apart), not Hearth."""
    counts: dict[int, int] = {}
    started = time.perf_counter()
    for n in range(turns):
        counts[n % 1000] = counts.get(n % 1000, 0) + n
    return turns / (time.perf_counter() - started) / 1e6


_Run = tuple[int, float, float, float]


def _best(runs: list[_Run]) -> _Run:
    """The fastest run's figures, with the unexpected errors of all of them."""
    errors = sum(run[0] for run in runs)
    _, rate, p50, p99 = max(runs, key=lambda run: run[1])
    return errors, rate, p50, p99


def _rates(runs: list[_Run]) -> str:
    return " / ".join(f"{run[1]:,.0f}" for run in runs)


async def _timed_mix(hearth: Hearth, count: int) -> tuple[int, float, float, float]:
    """(unexpected errors, commands/s, p50 ms, p99 ms) over `count` mixed commands."""
    if "propose" in hearth.registry.commands:
        for n in range(PROPOSALS):
            author = Origin("bench", "community-1", Person(f"u{n}", f"member{n}"), "#general")
            await hearth.handle(CommandInvoked(author, "propose", f"Idea {n} | Details {n}"))
    events = mixed_commands(hearth, count)
    for event in events[:200]:  # warm-up: members and caches exist
        await hearth.handle(event)
    latencies = []
    started = time.perf_counter()
    for event in events:
        t0 = time.perf_counter()
        await hearth.handle(event)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    return hearth.outcomes["error"], count / elapsed, p50, p99


async def _seed_scale(path: Path, communities: int, members: int) -> None:
    """Many rows at once, straight through sqlite3 in one transaction (the repositories would
    take minutes for 100,000 members)."""
    store = await SqliteStore.open(path)
    db = store.db
    now = ts(START)
    next_run = ts(SystemClock().now() + timedelta(days=3))
    with db:  # sqlite3 commits on leaving, or rolls back on an error
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO communities (id, name, timezone, language, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(c, f"community {c}", "Europe/Berlin", "en", now) for c in range(1, communities + 1)],
        )
        db.executemany(
            "INSERT INTO community_links (platform, community_ref, community_id, main_channel)"
            " VALUES (?, ?, ?, ?)",
            [("bench", f"g{c}", c, "#general") for c in range(1, communities + 1)],
        )
        db.executemany(
            "INSERT INTO members (community_id, platform, user_ref, display_name, joined_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (c, "bench", f"u{c}-{m}", f"member {m}", now)
                for c in range(1, communities + 1)
                for m in range(members)
            ],
        )
        db.executemany(
            "INSERT INTO schedules (community_id, kind, weekday, hour, minute, next_run)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c, kind, 4, 17, 30, next_run)
                for c in range(1, communities + 1)
                for kind in ("reflection", "checkin")
            ],
        )
    await store.close()


async def scale_start_up(communities: int = 10_000, members: int = 100) -> list[Row]:
    """`hearth run`'s start on a large database, up to where it says it has started: the
    store opened and migrated, the platforms started (a stand-in that takes no time), the
    outbox pump started, and the timer having run what fell due and armed for what is next
    (bot.runtime.serve). Then the time a check-in round for every member at once takes at
    the Telegram adapter's own pace, beside members / limit."""
    from adapters.telegram import Pacing
    from bench.scale import StandIn, paced_round
    from bot.runtime import serve

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.db"
        await _seed_scale(path, communities, members)
        gc.collect()
        rss_before = _rss_mb()
        stop = asyncio.Event()
        ready = 0.0
        rss_after = 0.0

        def started() -> None:
            nonlocal ready, rss_after
            ready = time.perf_counter() - began
            rss_after = _rss_mb()
            stop.set()  # stopping is not part of the start

        began = time.perf_counter()
        async with running_hearth(path, clock=SystemClock()) as hearth:
            await serve(hearth, [StandIn()], stop, on_started=started)
    pacing = Pacing()  # Telegram's own limits, as `hearth run` paces
    paced = await paced_round(communities, members, pacing)
    everyone = communities * members
    bound = everyone / pacing.overall_per_second
    return [
        Row(
            f"scale: start-up with {communities:,} communities x {members} members",
            f"{ready:.2f} s",
            "< 3 s",
            ready < 3,
        ),
        Row(
            "scale: resident memory after start-up",
            f"{rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB)",
            "< 250 MB",
            rss_after < 250,
        ),
        Row(
            f"scale: check-in round for {everyone:,} members at {pacing.overall_per_second}/s,"
            f" paced with the groups' notes (members / limit {bound / 3600:.2f} h)",
            f"{paced / 3600:.2f} h",
            "-",
            True,
        ),
    ]


BENCHMARKS: list[Callable[[], Awaitable[list[Row]]]] = [
    core_throughput,
    core_throughput_postgres,
    *telegram.BENCHMARKS,
    *workers.BENCHMARKS,
    scale_start_up,
]


async def main() -> None:
    rows: list[Row] = []
    for bench in BENCHMARKS:
        rows.extend(await bench())
    print(f"Hearth benchmarks on {os.cpu_count()} cores\n")
    width = max(len(r.name) for r in rows)
    print(f"{'benchmark':<{width}}  {'figure':>22}  {'goal':>10}  met")
    for row in rows:
        print(
            f"{row.name:<{width}}  {row.figure:>22}  {row.goal:>10}  {'yes' if row.met else 'NO'}"
        )


if __name__ == "__main__":
    asyncio.run(main())

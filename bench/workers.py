"""Several `hearth run` workers on one PostgreSQL: the same mixed workload of Telegram updates
posted through the webhook fake to one worker, then to two, and what each did with it.

The workers are real processes (tests/hearth_process.py) on a fresh database of the tests'
PostgreSQL; the fake Bot API runs here, in the benchmark's own process, and posts every update
as Telegram would (up to 40 at once, round-robin over the workers). The updates come from
members of several groups, as a bot serving many communities gets them: 32 groups, then 8. One
community's units of work take turns, across workers too, so few busy groups spread less.

Figures: updates/s from the first post until every update was answered 200; the ratio of two
workers to one; and duplicates, answers beyond one per update (each command is told apart by
what it asked: the group's commands are answered privately, and a private offer quotes its text).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.rows import Row
from bot.app import build_hearth
from bot.clock import SystemClock
from bot.events import CommandInvoked, MessagePosted, Origin, Person
from storage import open_store
from storage.postgres import PostgresStore
from tests.hearth_process import Workers
from tests.telegram_fake import Chat, FakeBotApi

MANY_GROUPS, FEW_GROUPS = 32, 8
MEMBERS = 12  # in each group
TITLES = ("Tool library", "Shared meals on Sundays", "A quiet room")
SAVED = "Your offer for food is saved"


class Community:
    def __init__(self, fake: FakeBotApi, n: int) -> None:
        self.chat: Chat = fake.group(-1001000000100 - n, f"Group {n}")
        self.members = [fake.user(10_000 * (n + 1) + m, f"Member{n}_{m}") for m in range(MEMBERS)]
        for m, person in enumerate(self.members):
            fake.set_status(self.chat, person, "creator" if m == 0 else "member")
            fake.started.add(person["id"])

    def origin(self, person: dict[str, Any]) -> Origin:
        admin = person is self.members[0]
        who = Person(str(person["id"]), person["first_name"], is_platform_admin=admin)
        ref = str(self.chat.id)
        return Origin("telegram", ref, who, channel_ref=ref, community_name=self.chat.title)


async def _seed(database: str, communities: list[Community]) -> None:
    """Every member has spoken in their group; each group has three open proposals."""
    store = await open_store(database)
    hearth = build_hearth(store=store, clock=SystemClock())
    try:
        for community in communities:
            for person in community.members:
                await hearth.handle(MessagePosted(community.origin(person), "hello"))
            author = community.origin(community.members[1])
            for title in TITLES:
                await hearth.handle(CommandInvoked(author, "propose", f"{title} | Let us try"))
        assert hearth.outcomes["error"] == hearth.outcomes["refused"] == 0, hearth.outcomes
    finally:
        await store.close()


def _workload(
    fake: FakeBotApi, communities: list[Community], count: int, offered: str = "Item"
) -> list[dict[str, Any]]:
    """The updates' messages (not yet pushed): a mix of group and private commands."""
    messages = []
    for n in range(count):
        community = communities[n % len(communities)]
        person = community.members[(n // len(communities)) % MEMBERS]
        kind = n % 4
        if kind == 0:
            messages.append(fake.text_message(person, f"/offer food {offered} {n}"))
        elif kind == 1:
            messages.append(fake.text_message(person, "/proposals", chat=community.chat))
        elif kind == 2:
            messages.append(fake.text_message(person, "/offers", chat=community.chat))
        else:
            messages.append(fake.text_message(person, "/help", chat=community.chat))
    return messages


ANSWERS = (("/offer", SAVED), ("/help", "Here is what you can use"), ("/proposals", "Proposals"))


def _kind(text: str) -> str:
    """Which command an answer answers (the group's commands are answered privately)."""
    return next((command for command, start in ANSWERS if start in text), "/offers")


def _duplicates_and_unanswered(
    fake: FakeBotApi, messages: list[dict[str, Any]], since: int
) -> tuple[int, int]:
    """Answers beyond one per update, and updates without one: per person and command, the
    answers in their private chat against the updates they sent (each private offer is told
    apart by its own text)."""
    asked = Counter(
        (m["from"]["id"], m["text"] if m["text"].startswith("/offer ") else m["text"].split()[0])
        for m in messages
    )
    answered: Counter[tuple[int, str]] = Counter()
    for sent in fake.sent[since:]:
        kind = _kind(sent.text)
        if kind == "/offer":
            kind = "/offer food " + sent.text.split('"')[1]
        answered[(sent.chat_id, kind)] += 1
    duplicates = sum(max(0, answered[key] - asked[key]) for key in answered)
    unanswered = sum(max(0, asked[key] - answered[key]) for key in asked)
    return duplicates, unanswered


@dataclass
class Result:
    rate: float  # updates/s
    duplicates: int
    unanswered: int
    cpu: dict[str, float]  # CPU seconds over the measured run: fake, workers, PostgreSQL
    seconds: float


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc); 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _backends(store: PostgresStore) -> list[int]:
    """The PostgreSQL server processes serving this database (the workers' connections)."""
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return [pid for (pid,) in rows]


def _snapshot(workers: Workers, backends: list[int]) -> dict[str, float]:
    return {
        "fake": _cpu_seconds(os.getpid()),
        "workers": sum(_cpu_seconds(p.pid) for p in workers.processes),
        "PostgreSQL": sum(_cpu_seconds(pid) for pid in backends),
    }


async def _run(workers_count: int, count: int, groups: int, folder: Path) -> Result:
    """`count` updates from `groups` groups over `workers_count` workers on a fresh database."""
    from tests import postgres

    url = await postgres.fresh_database()
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    fake = FakeBotApi()
    fake.retry_delay = 0.2
    communities = [Community(fake, n) for n in range(groups)]
    await fake.start()
    (folder / f"{workers_count}").mkdir()
    workers = Workers(
        fake, folder / f"{workers_count}", plain, workers_count, module="bench.worker"
    )
    looking = await PostgresStore.open(url)
    try:
        await _seed(plain, communities)
        await workers.start()
        warm = _workload(fake, communities, 8 * groups, "Warm-up")
        for message in warm:
            await fake.push("message", message)
        await fake.wait_for(lambda: len(fake.delivered) == len(warm), 120)
        messages = _workload(fake, communities, count)
        before, since = len(fake.delivered), len(fake.sent)
        first = _snapshot(workers, await _backends(looking))
        started = time.perf_counter()
        for message in messages:
            await fake.push("message", message)
        await fake.wait_for(lambda: len(fake.delivered) == before + count, 600)
        elapsed = time.perf_counter() - started
        last = _snapshot(workers, await _backends(looking))
        duplicates, unanswered = _duplicates_and_unanswered(fake, messages, since)
        await workers.stop()
    finally:
        await workers.ensure_gone()
        await fake.close()
        await looking.close()
        await postgres.give_back(url)
    cpu = {part: last[part] - first.get(part, 0.0) for part in last}
    return Result(count / elapsed, duplicates, unanswered, cpu, elapsed)


def _cpu_row(label: str, result: Result, count: int) -> Row:
    """Where the CPU went, in ms per update, and how much of the machine was busy."""
    parts = ", ".join(
        f"{part} {seconds * 1000 / count:.1f}" for part, seconds in result.cpu.items()
    )
    busy = sum(result.cpu.values()) / result.seconds
    cores = os.cpu_count() or 1
    return Row(
        f"workers: CPU ms/update, {label} ({parts})", f"{busy:.1f} of {cores} cores", "-", True
    )


async def two_workers(count: int = 1_600, groups: int = MANY_GROUPS) -> list[Row]:
    for name in ("aiohttp", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as folder:
        one = await _run(1, count, groups, Path(folder))
        two = await _run(2, count, groups, Path(folder))
    ratio = two.rate / one.rate
    duplicates = one.duplicates + two.duplicates
    unanswered = one.unanswered + two.unanswered
    where = f"{groups} groups"
    return [
        Row(
            f"workers: 1 worker, {count:,} webhook updates from {where}",
            f"{one.rate:,.0f} updates/s",
            "-",
            True,
        ),
        Row(
            f"workers: 2 workers on one PostgreSQL, {where}",
            f"{two.rate:,.0f} updates/s",
            "-",
            True,
        ),
        Row(f"workers: 2 workers / 1 worker, {where}", f"{ratio:.2f}", ">= 1.7", ratio >= 1.7),
        Row(f"workers: duplicate answers, {where}", str(duplicates), "0", duplicates == 0),
        Row(f"workers: unanswered updates, {where}", str(unanswered), "0", unanswered == 0),
        _cpu_row(f"1 worker, {where}", one, count),
        _cpu_row(f"2 workers, {where}", two, count),
        *_ceiling_rows(one, two, where),
    ]


def _ceiling_rows(one: Result, two: Result, where: str) -> list[Row]:
    """What bounds the ratio here: one worker with its PostgreSQL and the fake already keeps
    most of the machine busy, so two can gain at most the cores left; and what a second worker
    costs, as CPU per update of two against one (1.0 would be no cost at all)."""
    cores = os.cpu_count() or 1
    busy_one = sum(one.cpu.values()) / one.seconds
    cost = sum(two.cpu.values()) / sum(one.cpu.values())
    return [
        Row(
            f"workers: the most 2 could reach on {cores} cores (cores / cores 1 kept busy)",
            f"{cores / busy_one:.2f}",
            "-",
            True,
        ),
        Row(f"workers: CPU per update, 2 workers / 1 worker, {where}", f"{cost:.2f}", "-", True),
    ]


async def two_workers_few_groups() -> list[Row]:
    """The same with few groups: one group's units take turns, across workers too."""
    return await two_workers(groups=FEW_GROUPS)


BENCHMARKS: list[Callable[[], Awaitable[list[Row]]]] = [two_workers, two_workers_few_groups]


if __name__ == "__main__":
    import sys

    groups = int(sys.argv[2]) if len(sys.argv) > 2 else MANY_GROUPS
    for row in asyncio.run(two_workers(int(sys.argv[1]) if len(sys.argv) > 1 else 1_600, groups)):
        print(f"{row.name:<60} {row.figure:>18} {row.goal:>8} {'yes' if row.met else 'NO'}")

"""`hearth run` as a real process against the fake Bot API, for tests that kill it: one process
polling on a SQLite file, or several workers on one PostgreSQL database taking Telegram's posts
on webhooks (`Workers`).

The community is seeded beforehand through the core itself (a fake clock, the same database),
so the processes find real data and real due work when they start.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import build_hearth
from bot.clock import FakeClock, SystemClock
from bot.events import CommandInvoked, MessagePosted, Origin, Person
from storage import open_store
from tests.telegram_fake import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
GROUP_ID = -1001000000001
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


WEBHOOK_SECRET = "workers_webhook-Secret42"


@asynccontextmanager
async def hearth_run(
    env: dict[str, str], cwd: Path, log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`hearth run` as a process, its stderr in `log_path`; killed if it still runs at the end."""
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=cwd, env=env, stderr=log
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


class HearthProcess:
    """One `hearth run` after another on the same database; stderr of each kept in a file.

    By default on a SQLite file in `folder`; `database` may name a PostgreSQL URL instead, and
    `settings` adds HEARTH_ settings (a webhook, say); `name` tells the logs of several apart.
    """

    def __init__(
        self,
        fake: FakeBotApi,
        folder: Path,
        *,
        database: str | None = None,
        settings: dict[str, str] | None = None,
        name: str = "run",
        module: str = "bot",
    ) -> None:
        self.fake = fake
        self.module = module  # run as `python -m module run`
        self.folder = folder
        self.database = folder / "hearth.db"
        self.database_url = database
        self.settings = settings or {}
        self.name = name
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
        env.update(
            HEARTH_TELEGRAM_TOKEN=TOKEN,
            HEARTH_TELEGRAM_BASE_URL=self.fake.base_url.removesuffix("/bot"),
            HEARTH_DATABASE=self.database_url or str(self.database),
            HEARTH_LOG_LEVEL="INFO",
            **self.settings,
        )
        if self.module != "bot":  # a module of this checkout that is not installed (bench)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        self.runs += 1
        with self.log_path(self.runs).open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", self.module, "run"),
                cwd=self.folder,
                env=self.env(),
                stderr=log,
            )

    def log_path(self, run: int) -> Path:
        return self.folder / f"{self.name}{run}.log"

    def logs(self, run: int | None = None) -> str:
        return self.log_path(run or self.runs).read_text(encoding="utf-8")

    async def kill(self) -> None:
        """SIGKILL: nothing of the process runs any more, not even a finally."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> int:
        """SIGINT, as an operator would: a clean shutdown."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return await asyncio.wait_for(self.process.wait(), 30)

    async def ensure_gone(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def free_port() -> int:
    """A loopback port nobody listens on now, for a worker to take."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Workers:
    """`count` `hearth run` workers of one bot on one PostgreSQL database, each taking
    Telegram's posts on a loopback port of its own, with one shared secret; the fake posts to
    them round-robin, as a proxy in front of them would, and re-sends to the next one an update
    a worker did not answer 200 (refused, killed, stopping)."""

    def __init__(
        self,
        fake: FakeBotApi,
        folder: Path,
        database: str,
        count: int,
        *,
        module: str = "bot",
        settings: dict[str, str] | None = None,
    ) -> None:
        self.fake = fake
        ports = [free_port() for _ in range(count)]
        self.urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
        self.processes = [
            HearthProcess(
                fake,
                folder,
                database=database,
                name=f"worker{n}-",
                module=module,
                settings={
                    "HEARTH_TELEGRAM_WEBHOOK_URL": self.urls[0],  # the proxy's, in real life
                    "HEARTH_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                    "HEARTH_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
                    **(settings or {}),
                },
            )
            for n, port in enumerate(ports)
        ]

    async def start(self, bound: float = 30.0) -> None:
        """Start them all and wait until each took its port and set the webhook."""
        self.fake.webhook_targets = self.urls
        before = self.webhooks_set()
        for process in self.processes:
            await process.start()
        await self.fake.wait_for(lambda: self.webhooks_set() >= before + len(self.processes), bound)

    def webhooks_set(self) -> int:
        return sum(method.lower() == "setwebhook" for method, _ in self.fake.calls)

    def by_pid(self, pid: int) -> HearthProcess:
        return next(p for p in self.processes if p.pid == pid)

    async def stop(self) -> list[int]:
        """SIGINT to each still running: their exit codes."""
        running = [p for p in self.processes if p.process and p.process.returncode is None]
        return list(await asyncio.gather(*(p.stop() for p in running)))

    async def ensure_gone(self) -> None:
        for process in self.processes:
            await process.ensure_gone()


def origin(user: dict[str, Any], *, admin: bool = False) -> Origin:
    """What the Telegram adapter makes of a message from `user` in the group."""
    person = Person(
        str(user["id"]), user["first_name"], is_platform_admin=admin, is_platform_owner=admin
    )
    ref = str(GROUP_ID)
    return Origin("telegram", ref, person, channel_ref=ref, community_name="Kitchen")


async def seed(
    database: Path | str,
    members: list[dict[str, Any]],
    admin: dict[str, Any],
    *,
    schedule: str | None = None,
    schedules: Sequence[str] = (),
) -> None:
    """Members who have spoken in the group a week ago and, if given, weekly schedules of those
    kinds whose first run was an hour later: they are overdue, so they fire when Hearth starts.
    `database` is a SQLite file or a PostgreSQL URL."""
    store = await open_store(database)
    clock = FakeClock(SystemClock().now() - timedelta(days=8))
    hearth = build_hearth(store=store, clock=clock)
    try:
        for user in members:
            await hearth.handle(MessagePosted(origin(user, admin=user is admin), "hello"))
        for kind in (*([schedule] if schedule else []), *schedules):
            due = clock.now() + timedelta(hours=1)
            when = f"{kind} {WEEKDAYS[due.weekday()]} {due:%H:%M}"
            await hearth.handle(CommandInvoked(origin(admin, admin=True), "schedule", when))
        assert hearth.outcomes["refused"] == hearth.outcomes["error"] == 0, hearth.outcomes
    finally:
        await store.close()

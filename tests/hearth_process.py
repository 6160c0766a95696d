"""`hearth run` as a real process against the fake Bot API, for tests that kill it.

The community is seeded beforehand through the core itself (a fake clock, the same SQLite
file), so the process finds real data and real due work when it starts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import build_hearth
from bot.clock import FakeClock, SystemClock
from bot.events import CommandInvoked, MessagePosted, Origin, Person
from storage.sqlite import SqliteStore
from tests.telegram_fake import TOKEN, FakeBotApi

GROUP_ID = -1001000000001
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HearthProcess:
    """One `hearth run` after another on the same database; stderr of each kept in a file."""

    def __init__(self, fake: FakeBotApi, folder: Path) -> None:
        self.fake = fake
        self.folder = folder
        self.database = folder / "hearth.db"
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
        env.update(
            HEARTH_TELEGRAM_TOKEN=TOKEN,
            HEARTH_TELEGRAM_BASE_URL=self.fake.base_url.removesuffix("/bot"),
            HEARTH_DATABASE=str(self.database),
            HEARTH_LOG_LEVEL="INFO",
        )
        return env

    async def start(self) -> None:
        self.runs += 1
        with self.log_path(self.runs).open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.folder, env=self.env(), stderr=log
            )

    def log_path(self, run: int) -> Path:
        return self.folder / f"run{run}.log"

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


def origin(user: dict[str, Any], *, admin: bool = False) -> Origin:
    """What the Telegram adapter makes of a message from `user` in the group."""
    person = Person(
        str(user["id"]), user["first_name"], is_platform_admin=admin, is_platform_owner=admin
    )
    ref = str(GROUP_ID)
    return Origin("telegram", ref, person, channel_ref=ref, community_name="Kitchen")


async def seed(
    database: Path,
    members: list[dict[str, Any]],
    admin: dict[str, Any],
    *,
    schedule: str | None = None,
) -> None:
    """Members who have spoken in the group a week ago and, if given, a weekly schedule of that
    kind whose first run was an hour later: it is overdue, so it fires when Hearth starts."""
    store = await SqliteStore.open(database)
    clock = FakeClock(SystemClock().now() - timedelta(days=8))
    hearth = build_hearth(store=store, clock=clock)
    try:
        for user in members:
            await hearth.handle(MessagePosted(origin(user, admin=user is admin), "hello"))
        if schedule is not None:
            due = clock.now() + timedelta(hours=1)
            when = f"{schedule} {WEEKDAYS[due.weekday()]} {due:%H:%M}"
            await hearth.handle(CommandInvoked(origin(admin, admin=True), "schedule", when))
        assert hearth.outcomes["refused"] == hearth.outcomes["error"] == 0, hearth.outcomes
    finally:
        await store.close()

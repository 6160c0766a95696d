"""Two Hearths on one SQLite file: the second refuses to start, in one line, and the first
carries on. Before the lock, two `hearth run` on one file each sent the same check-in round:
19 to 29 of 30 members got their opening twice.

The real `hearth run` (real python-telegram-bot against the loopback fake) and `hearth
console`; the lock itself is also tried in-process and across a SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.errors import StartupProblem
from storage.sqlite import SqliteStore
from tests.hearth_process import GROUP_ID, HearthProcess, seed
from tests.telegram_fake import FakeBotApi, Sent

MEMBERS = 30
OPENING = "Time for a check-in."
PROMPT_EXIT = 30  # seconds; a safety bound: a second Hearth that hangs fails the test
REPO = Path(__file__).resolve().parent.parent


def refusal(database: Path | str, pid: int) -> str:
    return (
        f"another Hearth is already running on {database} (pid {pid}); stop it first, or point"
        " HEARTH_DATABASE at another file"
    )


async def test_a_second_store_on_the_same_file_is_refused_and_the_first_carries_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    first = await SqliteStore.open(path)
    try:
        with pytest.raises(StartupProblem) as refused:
            await SqliteStore.open(path)
        assert str(refused.value) == refusal(path, os.getpid())
        async with first.unit_of_work() as uow:  # the first still writes
            await uow.platform_state.put("test", "still", "here")
            await uow.commit()
    finally:
        await first.close()
    after = await SqliteStore.open(path)  # closed, it lets the next Hearth in
    async with after.unit_of_work() as uow:
        assert await uow.platform_state.get("test", "still") == "here"
    await after.close()


HOLD = """
import asyncio, sys
from storage.sqlite import SqliteStore

async def hold() -> None:
    await SqliteStore.open(sys.argv[1])
    print("holding", flush=True)
    await asyncio.Event().wait()

asyncio.run(hold())
"""


async def test_a_hearth_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD, str(path), stdout=asyncio.subprocess.PIPE, cwd=REPO
    )
    assert holder.stdout is not None
    try:
        assert await asyncio.wait_for(holder.stdout.readline(), PROMPT_EXIT) == b"holding\n"
        with pytest.raises(StartupProblem, match=f"pid {holder.pid}"):
            await SqliteStore.open(path)
    finally:
        holder.kill()  # SIGKILL: no finally, no close, nothing of it runs any more
        await holder.wait()
    store = await SqliteStore.open(path)
    await store.close()


def openings(fake: FakeBotApi) -> Counter[int]:
    return Counter(s.chat_id for s in fake.sent if s.chat_id > 0 and OPENING in s.text)


async def second(hearth: HearthProcess, *command: str) -> tuple[int, list[str]]:
    """Another `hearth` on the same database: its exit code and the lines on its stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *command,
        cwd=hearth.folder,
        env=hearth.env(),
        stdin=asyncio.subprocess.DEVNULL,  # a console that did start would end at once, with 0
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), PROMPT_EXIT)
    assert process.returncode is not None
    return process.returncode, err.decode().splitlines()


async def test_a_second_hearth_on_the_same_database_stops_at_once_and_the_first_carries_on(
    tmp_path: Path,
) -> None:
    fake = FakeBotApi()
    people = fake.started_group(GROUP_ID, MEMBERS)
    await fake.start()
    hearth = HearthProcess(fake, tmp_path)
    await seed(hearth.database, people, people[0], schedule="checkin")
    try:
        await hearth.start()  # the overdue round opens at start-up
        await fake.wait_for(lambda: bool(openings(fake)), 60)
        assert hearth.process is not None
        line = refusal(hearth.database, hearth.process.pid)

        assert await second(hearth, "run") == (2, [f"hearth: {line}"])
        assert await second(hearth, "console", "--db", str(hearth.database)) == (
            2,
            [f"hearth: {line}"],
        )

        await fake.wait_for(lambda: len(openings(fake)) == MEMBERS, 60)
        assert hearth.process.returncode is None  # the first carries on, and still answers
        someone = people[3]
        opening: Sent = next(s for s in fake.sent if s.chat_id == someone["id"])
        await fake.press(someone, opening, "Okay")

        def answered() -> bool:
            return sum(s.chat_id == someone["id"] for s in fake.sent) >= 2

        await fake.wait_for(answered, 30)
        assert await hearth.stop() == 0
    finally:
        await hearth.ensure_gone()
        await fake.close()
    assert openings(fake) == Counter({p["id"]: 1 for p in people})
    assert sum(s.chat_id == GROUP_ID and "Check-in time." in s.text for s in fake.sent) == 1

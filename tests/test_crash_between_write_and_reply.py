"""Killed between a write and its reply: a command's writes are all there or all absent, and a
Telegram update delivered again after the kill is not applied twice."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_hearth
from bot.clock import FakeClock
from storage.sqlite import SqliteStore
from tests import crash_worker
from tests.hearth_process import GROUP_ID, HearthProcess, seed
from tests.support import START
from tests.telegram_faults import FaultyBotApi

COMMANDS = 400  # more than the kills below ever let the worker reach
KILLS = 5


def dump(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ids and timestamps included, in a stable order."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(db.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}


def applied(database: Path) -> list[int]:
    """The numbers of the commands whose event was claimed, in order."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        refs = [ref for (ref,) in db.execute("SELECT event_ref FROM processed_events")]
    return sorted(int(ref.removeprefix("cmd-")) for ref in refs)


async def run_until_killed(database: Path, first: int, acked: int, pause: float) -> int:
    """Start the worker at `first`, SIGKILL it after `acked` commands and a short pause; how
    many commands it reported done."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.crash_worker",
        str(database),
        str(first),
        str(COMMANDS),
        stdout=asyncio.subprocess.PIPE,
    )
    assert worker.stdout is not None
    done = 0
    try:
        while done < acked:
            line = await asyncio.wait_for(worker.stdout.readline(), 30)
            assert line.startswith(b"done"), line
            done += 1
        await asyncio.sleep(pause)  # somewhere inside a later command
    finally:
        worker.kill()
        await worker.wait()
    return done


async def test_a_command_s_writes_are_all_there_or_all_absent_after_a_kill_at_any_point(
    tmp_path: Path,
) -> None:
    killed = tmp_path / "killed.db"
    store = await SqliteStore.open(killed)  # the schema exists before the first kill
    await store.close()
    reference_store = await SqliteStore.open(tmp_path / "reference.db")
    clock = FakeClock(START)
    reference = build_hearth(store=reference_store, clock=clock)
    ran = 0  # commands the reference, never killed, has run
    chance = random.Random(9)
    try:
        for _ in range(KILLS):
            done = applied(killed)
            assert done == list(range(len(done)))  # one after another, none skipped
            first = max(len(done) - 1, 0)  # the last applied one comes again: a redelivery
            await run_until_killed(killed, first, chance.randint(1, 40), chance.random() / 100)

            done = applied(killed)
            assert done == list(range(len(done)))
            while ran < len(done):
                await crash_worker.run(reference, clock, ran)
                ran += 1
            # Exactly the state of the commands claimed, each applied once and completely.
            assert dump(killed) == dump(tmp_path / "reference.db")
        assert ran > KILLS  # the worker got somewhere between the kills
    finally:
        await reference_store.close()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_an_update_redelivered_after_a_kill_between_write_and_reply_is_not_applied_twice(
    tmp_path: Path,
) -> None:
    """The reply of the first delivery is lost with the process. The update was not confirmed
    (its handling had not finished), so Telegram sends it again to the next process, and the
    core recognises it. What the person sees is no answer, never a second change."""
    fake = FaultyBotApi()
    group = fake.group(GROUP_ID, "Kitchen")
    ana = fake.user(11, "Ana")
    fake.set_status(group, ana, "creator")
    fake.started.add(ana["id"])
    await fake.start()
    hearth = HearthProcess(fake, tmp_path)
    await seed(hearth.database, [ana], ana)
    answer = fake.fail("hold", match=lambda p: "name is now" in str(p.get("text")))
    try:
        await hearth.start()
        update = await fake.say(ana, "/setup name Soup Kitchen", chat=group)
        await fake.wait_for(answer.held.is_set, 60)  # committed; its answer is on the way
        await hearth.kill()
        fake.release()
        assert fake.confirmed <= update["update_id"]  # Telegram will send it again

        await hearth.start()
        before = len(fake.sent)
        await fake.say(ana, "/audit", chat=group)  # handled after the replay, in order
        await fake.wait_for(lambda: len(fake.sent) > before, 60)
        assert await hearth.stop() == 0
    finally:
        await hearth.ensure_gone()
        await fake.close()

    assert fake.confirmed > update["update_id"]  # the second process handled it, and said so
    after = fake.sent[before:]
    assert len(after) == 1 and after[0].text.count("changed setting name") == 1
    assert not any("name is now" in s.text for s in fake.sent)  # the lost answer stays lost
    with sqlite3.connect(hearth.database) as db:
        (name,) = db.execute("SELECT name FROM communities").fetchone()
    assert name == "Soup Kitchen"

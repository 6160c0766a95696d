"""Telegram's updates survive a crash: `hearth run` SIGKILLed in a burst loses none of them.

After any downtime Telegram delivers the backlog at once. The real process, the real PTB and
the SQLite file, against the fake Bot API (which, like Telegram, sends again every update not
confirmed with a later offset): 200 private `/offer` commands from 20 members arrive in one
burst, and the process is SIGKILLed five times in it, each time after a different number of
them has been recorded, and started again. Every offer must be there exactly once: none
lost with a process, none applied twice when Telegram sends its update again.

(One burst with five kills rather than five bursts: each answer waits its turn under
Telegram's 30 messages a second, so five bursts of 200 would take most of a minute.)
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from tests.hearth_process import GROUP_ID, HearthProcess, seed
from tests.telegram_fake import FakeBotApi

BURST = 200
MEMBERS = 20
KILLED_AFTER = (1, 25, 60, 110, 170)  # offers recorded so far, at each kill
SAVED = "Your offer for food is saved"


def offer_text(n: int) -> str:
    return f"O{n} soup on Sundays"


def members(fake: FakeBotApi) -> list[dict[str, Any]]:
    people = fake.started_group(GROUP_ID, MEMBERS)
    return people


def answered(fake: FakeBotApi) -> int:
    return sum(SAVED in s.text for s in fake.sent)


def offers_kept(database: Path) -> Counter[str]:
    """How many times each offer was recorded."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return Counter(what for (what,) in db.execute("SELECT what FROM aid_offers"))


async def polling(fake: FakeBotApi, hearth: HearthProcess) -> None:
    """Start Hearth and wait until it asks Telegram for updates."""
    before = len(fake.calls)
    await hearth.start()
    await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.calls[before:]), 60)


async def test_a_burst_of_updates_is_applied_exactly_once_however_often_hearth_is_killed(
    tmp_path: Path,
) -> None:
    fake = FakeBotApi()
    people = members(fake)
    await fake.start()
    hearth = HearthProcess(fake, tmp_path)
    await seed(hearth.database, people, people[0])
    try:
        await polling(fake, hearth)
        burst = [
            await fake.say(people[n % MEMBERS], f"/offer food {offer_text(n)}")
            for n in range(BURST)
        ]

        def done(recorded: int) -> bool:
            """That many recorded, or all of the burst confirmed (nothing more will come)."""
            everything = fake.confirmed > burst[-1]["update_id"]
            return everything or offers_kept(hearth.database).total() >= recorded

        for recorded in KILLED_AFTER:
            # checked whenever Hearth calls the fake, as it does right after each commit
            await fake.wait_for(lambda: done(recorded), 60)  # noqa: B023
            await hearth.kill()
            await polling(fake, hearth)
        await fake.wait_for(lambda: done(BURST), 60)
        assert await hearth.stop() == 0
    finally:
        await hearth.ensure_gone()
        await fake.close()

    kept = offers_kept(hearth.database)
    lost = [n for n in range(BURST) if kept[offer_text(n)] == 0]
    twice = [n for n in range(BURST) if kept[offer_text(n)] > 1]
    assert (lost, twice) == ([], [])
    assert answered(fake) <= BURST  # a redelivered update is recognised: no second answer
    sent_again = [u for u in burst if fake.handed_out[u["update_id"]] > 1]
    assert sent_again  # the kills did catch updates in hand, which Telegram sent again


async def test_another_instance_polling_the_bot_stops_hearth_in_one_line(tmp_path: Path) -> None:
    fake = FakeBotApi()
    people = members(fake)
    await fake.start()
    hearth = HearthProcess(fake, tmp_path)
    await seed(hearth.database, people, people[0])
    try:
        await polling(fake, hearth)
        await fake.say(people[1], f"/offer food {offer_text(0)}")
        await fake.wait_for(lambda: answered(fake) == 1, 60)
        await fake.conflict()  # someone starts a second poller on the same token
        assert hearth.process is not None
        code = await asyncio.wait_for(hearth.process.wait(), 30)
    finally:
        await hearth.ensure_gone()
        await fake.close()

    logs = hearth.logs()
    said = [line for line in logs.splitlines() if "another instance" in line]
    assert code != 0
    assert said == [
        "hearth: Telegram: another instance is polling this bot (Telegram answered 409"
        " Conflict), so this one stopped taking its updates; run one Hearth per bot token"
    ]
    assert "Traceback" not in logs and "409" not in logs.replace(said[0], "")

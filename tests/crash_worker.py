"""A process that runs numbered commands through the core into one SQLite file, to be killed.

`python -m tests.crash_worker DATABASE FIRST LAST` runs commands FIRST..LAST-1 and prints
`done N` after each. Command N is the same every time (who says what, and when on the fake
clock), with the event ref `cmd-N`, so running it again is a re-delivered update; a test can
replay the same sequence in-process and expect the very same database.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from bot.app import build_hearth
from bot.clock import FakeClock
from bot.events import CommandInvoked, Origin, Person
from bot.hearth import Hearth
from storage.sqlite import SqliteStore
from tests.support import START

PEOPLE = [Person(f"u{n}", f"Member {n}") for n in range(6)]


def command(n: int) -> CommandInvoked:
    """The n-th command: proposals, then builds, offers, support and concerns on them."""
    latest = n // 5 + 1  # the number of the proposal opened most recently
    person = PEOPLE[n % len(PEOPLE)]
    name, args = [
        ("propose", f"P{n} a shared tool shelf | details of {n}: where, who, when"),
        ("build", f"{latest} B{n} and a sign-up sheet beside it"),
        ("offer", f"food O{n} soup on Sundays"),
        ("support", f"{latest}"),
        ("concern", f"{latest} C{n} who keeps the key?"),
    ][n % 5]
    origin = Origin("bench", "crash-test", person, "#general", community_name="Crash test")
    return CommandInvoked(origin, name, args, event_ref=f"cmd-{n}")


async def run(hearth: Hearth, clock: FakeClock, n: int) -> None:
    clock.set(START + timedelta(seconds=n))
    await hearth.handle(command(n))


async def main(database: Path, first: int, last: int) -> None:
    store = await SqliteStore.open(database)
    clock = FakeClock(START)
    hearth = build_hearth(store=store, clock=clock)
    for n in range(first, last):
        await run(hearth, clock, n)
        print(f"done {n}", flush=True)
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))

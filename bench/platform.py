"""The platform side of the Telegram benchmarks, run in its own process.

Telegram's servers do not share the bot's CPU, so neither does the fake standing in for them.
Each scenario serves the fake Bot API, prints its base URL as a JSON line, plays its part once
the bot polls, prints the results as a JSON line (every time taken here, on one clock, as
Telegram would see it), and serves on until it is terminated.

- `python -m bench.platform overhead COUNT`: 50 members who started the bot send COUNT
  `/proposals` in the group; the result is the seconds until COUNT answers were sent.
- `python -m bench.platform fanout MEMBERS PER_SECOND`: a group of MEMBERS people who started
  the bot, plus one more who asks for /help, and a global message rate answered with 429
  beyond it. The group's creator sends `/checkin now`; while the openings go out, the last
  member sends `/help` in the group every 100 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.telegram_fake import Sent
from tests.telegram_faults import FaultyBotApi

GROUP_ID = -1001000000001
FIRST_ID = 1000
OPENING = "Time for a check-in."
HELP = "Here is what you can use"


def people(count: int) -> list[tuple[int, str]]:
    """Telegram ids and names of the group's members, the creator first."""
    return [(FIRST_ID + n, f"Member{n}") for n in range(count)]


class Watch:
    """Positions in `fake.sent` of the messages matching a test, found incrementally (the
    fake wakes its waiters on every request: rescanning thousands of messages each time would
    cost more than what is measured)."""

    def __init__(self, fake: FaultyBotApi, test: Callable[[Sent], bool]) -> None:
        self.fake = fake
        self.test = test
        self.found: list[int] = []
        self._scanned = 0

    def __call__(self) -> list[int]:
        sent = self.fake.sent
        for index in range(self._scanned, len(sent)):
            if self.test(sent[index]):
                self.found.append(index)
        self._scanned = len(sent)
        return self.found


async def _help_latencies(
    fake: FaultyBotApi, asker: dict[str, Any], done: asyncio.Event
) -> list[float]:
    """/help in the group every 100 ms until `done`: seconds from the update to the answer."""
    group = fake.chats[GROUP_ID]
    latencies: list[float] = []
    answers = Watch(fake, lambda s: s.chat_id == asker["id"] and HELP in s.text)
    while not done.is_set():
        wanted = len(answers()) + 1
        pushed = time.perf_counter()
        await fake.say(asker, "/help", chat=group)
        await fake.wait_for(lambda: len(answers()) >= wanted, 60)  # noqa: B023
        latencies.append(fake.sent_at[answers()[-1]] - pushed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 0.1)
    return latencies


def _platform(members: int) -> tuple[FaultyBotApi, list[dict[str, Any]]]:
    fake = FaultyBotApi()
    group = fake.group(GROUP_ID, "Kitchen")
    users = [fake.user(user_id, name) for user_id, name in people(members)]
    for user in users:
        fake.set_status(group, user, "creator" if user is users[0] else "member")
        fake.started.add(user["id"])
    return fake, users


async def _serve(fake: FaultyBotApi, scenario: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    await fake.start()
    print(json.dumps({"base_url": fake.base_url}), flush=True)
    try:
        await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.calls), 120)
        print(json.dumps(await scenario()), flush=True)
        await asyncio.Event().wait()  # serving on until the benchmark has stopped the bot
    finally:
        await fake.close()


async def overhead(count: int) -> None:
    fake, users = _platform(50)
    group = fake.chats[GROUP_ID]

    async def scenario() -> dict[str, Any]:
        updates = [
            fake.text_message(users[n % len(users)], "/proposals", chat=group) for n in range(count)
        ]
        started = time.perf_counter()
        for update in updates:
            await fake.push("message", update)
        await fake.wait_for(lambda: len(fake.sent) >= count, 600)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "answers": sorted({s.text for s in fake.sent})[:5]}

    await _serve(fake, scenario)


async def fanout(members: int, per_second: int) -> None:
    fake, users = _platform(members + 1)
    fake.per_second = per_second
    group = fake.chats[GROUP_ID]
    admin, asker = users[0], users[-1]

    async def scenario() -> dict[str, Any]:
        openings = Watch(fake, lambda s: s.chat_id > 0 and OPENING in s.text)
        await fake.say(admin, "/checkin now", chat=group)
        await fake.wait_for(lambda: bool(openings()), 120)
        done = asyncio.Event()
        helping = asyncio.create_task(_help_latencies(fake, asker, done))
        await fake.wait_for(lambda: len(openings()) >= members, 600)
        done.set()
        latencies = await helping
        sent = openings()
        first, last = fake.sent_at[sent[0]], fake.sent_at[sent[-1]]
        return {
            "openings": len(sent),
            "sends": sum(first <= at <= last for at in fake.sent_at),  # answers to /help too
            "seconds": last - first,
            "too_many": fake.too_many,
            "help": latencies,
        }

    await _serve(fake, scenario)


def _ahead_of_the_bot() -> None:
    """Telegram's servers do not wait for the bot's CPU; on a machine of two cores the bot's
    processes and PostgreSQL can keep this one waiting for a turn. Held back, it answers in
    bursts, and counts as arriving together sends that left a moment apart: on a loaded machine
    160 of 2,000 sends reached it more than 50 ms after they left (one 429). A higher
    priority, where the system allows it (as root), keeps it the stand-in it is meant to be."""
    with contextlib.suppress(OSError):
        os.nice(-10)


if __name__ == "__main__":
    _ahead_of_the_bot()
    numbers = [int(arg) for arg in sys.argv[2:]]
    asyncio.run(overhead(*numbers) if sys.argv[1] == "overhead" else fanout(*numbers))

"""Two `hearth run` workers of one Telegram bot on one PostgreSQL database, taking Telegram's
posts on webhooks: between them everything happens once, and when one is SIGKILLed half-way
through a check-in round the other finishes it.

Real processes, the real PTB and a real PostgreSQL (tests/postgres.py) against the fake Bot
API, which posts each update to one worker, round-robin, and re-sends one that was not answered
200 (a refused connection included) to the next. What a crash may repeat is the one message
in flight, as with one process (tests/test_telegram_crash.py); nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from storage.postgres import PostgresStore
from tests import postgres
from tests.hearth_process import GROUP_ID, Workers, seed
from tests.telegram_fake import FakeBotApi

MEMBERS = 200
OPENING = "Time for a check-in."
PROMPT = "Reflection round #"
SAVED = "Your offer for food is saved"


@dataclass
class Kitchen:
    fake: FakeBotApi
    people: list[dict[str, Any]]
    workers: Workers
    store: PostgresStore  # the test's own look at the database


@pytest.fixture
async def kitchen(tmp_path: Path) -> AsyncIterator[Kitchen]:
    """A 200-member group whose weekly check-in and reflection prompt are both overdue, and
    two workers on one fresh PostgreSQL database, started."""
    url = await postgres.fresh_database()
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    fake = FakeBotApi()
    people = fake.started_group(GROUP_ID, MEMBERS)
    await fake.start()
    await seed(plain, people, people[0], schedules=("checkin", "reflection"))
    workers = Workers(fake, tmp_path, plain, 2)
    store = await PostgresStore.open(url)
    try:
        await workers.start()
        yield Kitchen(fake, people, workers, store)
    finally:
        await workers.ensure_gone()
        await fake.close()
        await store.close()
        await postgres.give_back(url)


def openings(fake: FakeBotApi) -> Counter[int]:
    """How many check-in openings each person was shown."""
    return Counter(s.chat_id for s in fake.sent if s.chat_id > 0 and OPENING in s.text)


def prompts_in_the_group(fake: FakeBotApi) -> int:
    return sum(s.chat_id == GROUP_ID and PROMPT in s.text for s in fake.sent)


async def offer(fake: FakeBotApi, person: dict[str, Any], n: int) -> dict[str, Any]:
    """A member offers something in their private chat with the bot: one update."""
    return await fake.say(person, f"/offer food Soup number {n}")


def answers_to(fake: FakeBotApi, update: dict[str, Any]) -> int:
    """The bot's answers to this update's offer: in its chat, quoting what was offered."""
    message = update["message"]
    offered = message["text"].removeprefix("/offer food ")
    return sum(
        s.chat_id == message["chat"]["id"] and SAVED in s.text and f'"{offered}"' in s.text
        for s in fake.sent
    )


async def offers_saved(store: PostgresStore) -> Counter[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT what FROM aid_offers"))
        return Counter(what for (what,) in rows)


async def claimers(store: PostgresStore) -> Counter[int]:
    """Outbox messages claimed right now, by the pid of the process holding them."""
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT claimed_by FROM outbox WHERE claimed_by IS NOT NULL")
        )
        return Counter(int(owner.split(":")[1]) for (owner,) in rows)


async def test_two_workers_send_each_opening_and_the_prompt_once_and_answer_each_command_once(
    kitchen: Kitchen,
) -> None:
    fake, people = kitchen.fake, kitchen.people
    asking = people[1:41]
    await fake.wait_for(lambda: len(openings(fake)) >= 20, 30)  # the round is under way
    updates = [await offer(fake, person, n) for n, person in enumerate(asking)]

    await fake.wait_for(lambda: len(openings(fake)) == MEMBERS, 60)
    await fake.wait_for(lambda: all(answers_to(fake, u) for u in updates), 30)
    assert await kitchen.workers.stop() == [0, 0]

    assert openings(fake) == Counter({p["id"]: 1 for p in people})
    assert prompts_in_the_group(fake) == 1
    assert [answers_to(fake, u) for u in updates] == [1] * len(updates)
    assert {p.target for p in fake.posts} == set(kitchen.workers.urls)  # both took updates
    saved = await offers_saved(kitchen.store)
    assert saved == Counter({f"Soup number {n}": 1 for n in range(len(asking))})
    for worker in kitchen.workers.processes:
        assert " ERROR hearth" not in worker.logs()


async def test_a_worker_killed_half_way_through_a_round_leaves_the_rest_to_the_other(
    kitchen: Kitchen,
) -> None:
    fake, people, workers = kitchen.fake, kitchen.people, kitchen.workers
    await fake.wait_for(lambda: sum(openings(fake).values()) >= MEMBERS // 2, 30)
    holding = await claimers(kitchen.store)
    assert holding, "the round was over before the kill"
    dead = workers.by_pid(holding.most_common(1)[0][0])  # the one with most still to send
    await dead.kill()
    survivor = next(p for p in workers.processes if p is not dead)
    dead_url = workers.urls[workers.processes.index(dead)]

    asking = people[1:21]  # half of them are posted to the dead worker first
    updates = [await offer(fake, person, n) for n, person in enumerate(asking)]

    await fake.wait_for(lambda: len(openings(fake)) == MEMBERS, 30)
    await fake.wait_for(lambda: all(answers_to(fake, u) for u in updates), 30)
    assert await survivor.stop() == 0

    shown = openings(fake)
    assert set(shown) == {p["id"] for p in people}  # nobody was missed
    assert sum(shown.values()) <= MEMBERS + 1  # at most the one message in flight, twice
    assert prompts_in_the_group(fake) == 1
    refused = [p for p in fake.posts if p.target == dead_url and p.status is None]
    assert refused, "no update met the dead worker"
    assert [answers_to(fake, u) for u in updates] == [1] * len(updates)
    assert all(fake.delivered[u["update_id"]] == 1 for u in updates)
    saved = await offers_saved(kitchen.store)
    assert saved == Counter({f"Soup number {n}": 1 for n in range(len(asking))})
    assert " ERROR hearth" not in survivor.logs()

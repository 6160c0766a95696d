"""A check-in round to 40 members, and `hearth run` SIGKILLed half-way through sending it.

The real process, the real PTB and the SQLite file, against the fake Bot API: the round falls
due at start-up, the fake holds the 20th private opening in flight, three members answer their
first question meanwhile, and then the process is killed and started again.

What the outbox guarantees, and the one window it cannot close: every message is removed from
the outbox right after Telegram accepted it. Killed between two sends (the 20th request not
yet taken by Telegram), nobody gets an opening twice and nobody misses one. But when Telegram
has shown a message and the process dies before hearing so (or before removing its row), that
one message goes out again after the restart: Telegram's sendMessage has no idempotency key,
so no bot can tell "taken, answer lost" from "never arrived". At most one message per crash,
the one in flight, is repeated; the second case below shows exactly that.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import SystemClock
from bot.services.needs.records import Answer
from storage.sqlite import SqliteStore
from tests.hearth_process import GROUP_ID, HearthProcess, seed
from tests.telegram_fake import Sent
from tests.telegram_faults import FaultyBotApi, Params

MEMBERS = 40
IN_FLIGHT = 20  # the opening being sent when the process dies
OPENING = "Time for a check-in."


def is_opening(params: Params) -> bool:
    chat_id = params.get("chat_id")
    return isinstance(chat_id, int) and chat_id > 0 and OPENING in str(params.get("text"))


def openings(fake: FaultyBotApi) -> Counter[int]:
    """How many check-in openings each person was shown."""
    return Counter(s.chat_id for s in fake.sent if s.chat_id > 0 and OPENING in s.text)


def opening_of(fake: FaultyBotApi, person: dict[str, Any]) -> Sent:
    return next(s for s in fake.sent if s.chat_id == person["id"] and OPENING in s.text)


def a_group(fake: FaultyBotApi) -> list[dict[str, Any]]:
    """40 members who have all started the bot; the first one created the group."""
    people = fake.started_group(GROUP_ID, MEMBERS)
    return people


async def answers_in_the_round(database: Path) -> dict[str, dict[str, Answer]]:
    """Each member's answers in the open round, by their Telegram id."""
    store = await SqliteStore.open(database)
    try:
        async with store.unit_of_work() as uow:
            link = await uow.communities.find_link("telegram", str(GROUP_ID))
            assert link is not None
            (checkin_round,) = await uow.checkins.open_rounds(link.community_id)
            found = {}
            for answer in await uow.checkins.answers(checkin_round.id):
                member = await uow.members.get(answer.member_id)
                found[member.user_ref] = dict(answer.answers)
            later = SystemClock().now() + timedelta(days=9)  # retries included
            left = await uow.outbox.pending(later, 100)
            assert not left, [(m.reply.target, m.attempts, m.reply.text[:40]) for m in left]
        return found
    finally:
        await store.close()


@pytest.mark.parametrize(
    "taken_before_the_kill",
    [
        pytest.param(False, id="killed-between-sends"),
        pytest.param(True, id="killed-after-telegram-took-the-message"),
    ],
)
async def test_a_kill_half_way_through_a_check_in_round_sends_each_opening_once(
    tmp_path: Path, taken_before_the_kill: bool
) -> None:
    fake = FaultyBotApi()
    people = a_group(fake)
    await fake.start()
    hearth = HearthProcess(fake, tmp_path)
    await seed(hearth.database, people, people[0], schedule="checkin")
    in_flight = fake.fail("hold", match=is_opening, skip=IN_FLIGHT - 1, taken=taken_before_the_kill)
    try:
        await hearth.start()  # the overdue round opens at start-up and its fan-out begins
        await fake.wait_for(in_flight.held.is_set, 60)
        reached = openings(fake)
        assert sum(reached.values()) == IN_FLIGHT - (0 if taken_before_the_kill else 1)

        answering = [p for p in people if reached[p["id"]]][:3]
        for person in answering:
            await fake.press(person, opening_of(fake, person), "Okay")

        def next_questions_arrived() -> bool:
            return all(sum(s.chat_id == p["id"] for s in fake.sent) >= 2 for p in answering)

        await fake.wait_for(next_questions_arrived, 30)
        await hearth.kill()
        fake.release()  # the request in flight ends with nobody left to hear the answer

        await hearth.start()
        await fake.wait_for(lambda: len(openings(fake)) == MEMBERS, 60)
        assert await hearth.stop() == 0
    finally:
        await hearth.ensure_gone()
        await fake.close()

    expected = Counter({p["id"]: 1 for p in people})
    if taken_before_the_kill:  # the one message in flight, and only it, went out twice
        in_order = [s.chat_id for s in fake.sent if s.chat_id > 0 and OPENING in s.text]
        expected[in_order[IN_FLIGHT - 1]] = 2
    assert openings(fake) == expected
    answers = await answers_in_the_round(hearth.database)
    for person in answering:
        assert answers[str(person["id"])].get("food") is Answer.OKAY
    assert " ERROR hearth" not in hearth.logs(2)

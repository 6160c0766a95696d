"""Pacing within Telegram's limits on a fake clock, and 429s waited out, never dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from adapters.telegram.pacing import Pacer, Pacing
from bot.workers import Limit, LocalSendBudget
from tests.fake_time import FakeTime

# PTB itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def pacer(time: FakeTime, **limits: int) -> Pacer:
    """Exact windows: the safety margin for arrival jitter is tested on its own."""
    return Pacer(Pacing(clock=time.clock, sleep=time.sleep, margin=0.0, **limits))


async def send(pacer: Pacer, time: FakeTime, chat_id: int, endpoint: str = "sendMessage") -> float:
    async def post() -> Any:
        return time.now

    sent_at: float = await pacer.process_request(post, (), {}, endpoint, {"chat_id": chat_id}, None)
    return sent_at


async def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    time = FakeTime()
    paced = pacer(time, overall_per_second=1000)  # only the group's own limit matters here
    times = [await send(paced, time, -100) for _ in range(45)]
    assert times == [0.0] * 20 + [60.0] * 20 + [120.0] * 5


async def test_all_chats_together_get_at_most_thirty_a_second_spread_evenly() -> None:
    time = FakeTime()
    paced = pacer(time)
    times = [await send(paced, time, user) for user in range(1, 71)]
    # three every tenth of a second: thirty a second, never a one-second burst then silence
    assert times == [pytest.approx(n // 3 / 10) for n in range(70)]


async def test_a_busy_group_does_not_hold_up_another() -> None:
    time = FakeTime()
    later = asyncio.Event()

    async def wait(seconds: float) -> None:  # time stands still until the test moves it
        time.slept.append(seconds)
        await later.wait()

    paced = Pacer(Pacing(clock=time.clock, sleep=wait, margin=0.0, overall_per_second=1000))
    busy = [asyncio.create_task(send(paced, time, -100)) for _ in range(21)]
    other = asyncio.create_task(send(paced, time, -200))
    assert await other == 0.0  # the other group's message went out at once
    assert time.slept == [60.0] and sum(task.done() for task in busy) == 20
    time.now = 60.0
    later.set()
    assert (await asyncio.gather(*busy))[-1] == 60.0


async def test_reading_is_not_paced() -> None:
    time = FakeTime()
    paced = pacer(time)
    for _ in range(40):
        await send(paced, time, -100, endpoint="getChatAdministrators")
    assert time.slept == []


async def test_a_429_waits_retry_after_and_sends_the_same_request_again() -> None:
    time = FakeTime()
    paced = pacer(time)
    attempts: list[float] = []

    async def post(text: str) -> Any:
        attempts.append(time.now)
        if len(attempts) < 3:
            raise RetryAfter(5)
        return text

    data = {"chat_id": 12, "text": "hello"}
    result = await paced.process_request(post, ("hello",), {}, "sendMessage", data, None)
    assert result == "hello"
    assert attempts == [0.0, 5.0, 10.0]
    assert time.slept == [5.0, 5.0]


async def test_a_send_telegram_answered_frees_its_place_when_answered() -> None:
    """Answered, it has arrived: no margin for late arrival is kept, a full window is a second."""
    time = FakeTime()
    paced = Pacer(Pacing(clock=time.clock, sleep=time.sleep, margin=0.05, overall_per_second=10))
    times = [await send(paced, time, user) for user in range(1, 12)]
    assert times == [pytest.approx(n * 0.1) for n in range(11)]


async def test_a_send_not_yet_answered_keeps_its_place_a_margin_longer() -> None:
    """It may still arrive late, where Telegram counts it: its place is kept for the margin
    past its moment, or until its answer, however late that comes."""
    second = Limit("telegram:42:all", 2, 1.0, late=0.05)
    for answer_at, third_at in ((None, 1.05), (0.02, 1.02), (0.2, 1.2)):
        time = FakeTime()
        budget = LocalSendBudget(time.clock)
        first = await budget.reserve([second])
        quick = await budget.reserve([second])
        time.now = 0.01
        quick.answered()
        if answer_at is not None:
            time.now = answer_at
            first.answered()
        third = await budget.reserve([second])
        assert time.now + third.delay == pytest.approx(third_at)


async def test_an_answer_never_stretches_a_limit_kept_only_for_evenness() -> None:
    """A limit with no margin for late arrival counts sends at their moments: an answer coming
    back after the moment leaves its period as it is (a fan-out lost 4% of its rate so)."""
    even = Limit("telegram:42:all-tenth", 1, 0.1)
    time = FakeTime()
    budget = LocalSendBudget(time.clock)
    first = await budget.reserve([even])
    time.now = 0.05
    first.answered()
    second = await budget.reserve([even])
    assert time.now + second.delay == pytest.approx(0.1)


async def test_a_429_frees_its_place_like_an_answer() -> None:
    time = FakeTime()
    paced = Pacer(Pacing(clock=time.clock, sleep=time.sleep, margin=0.05, overall_per_second=10))
    answers: list[float] = []

    async def post() -> Any:
        answers.append(time.now)
        if len(answers) == 1:
            raise RetryAfter(1)
        return time.now

    await paced.process_request(post, (), {}, "sendMessage", {"chat_id": 1}, None)
    times = [await send(paced, time, user) for user in range(2, 11)]
    # the refused try and the one after its pause both count, neither with the margin
    assert answers == [0.0, 1.0] and times == [pytest.approx(1.0 + n * 0.1) for n in range(1, 10)]


async def test_two_workers_sharing_a_budget_keep_to_the_bots_one_limit() -> None:
    time = FakeTime()
    shared = LocalSendBudget(time.clock)  # what the database keeps for several workers
    workers = [
        Pacer(Pacing(clock=time.clock, sleep=time.sleep, margin=0.0), budget=shared, bot="42")
        for _ in range(2)
    ]
    times = [await send(workers[n % 2], time, user) for n, user in enumerate(range(1, 61))]
    assert times == [pytest.approx(n // 3 / 10) for n in range(60)]  # as if one worker sent all


async def test_a_send_woken_late_keeps_its_place_until_answered_so_none_crowd_it() -> None:
    """A loaded machine wakes the second send at 0.9 s, not at its moment 0.1 s. Counted at
    0.1 s, it would let the next two go at 1.0 and 1.15 s: three within a second as Telegram
    counts them (0.9, 1.0, 1.15), a 429. Its place lasts until its answer at 0.9 s instead,
    so the fourth waits until 1.9 s, and no second ever holds more than two."""
    time = FakeTime()
    overslept = [0.8]  # the first sleep lasts this much longer than asked

    async def loaded_sleep(seconds: float) -> None:
        await time.sleep(seconds + (overslept.pop() if overslept else 0.0))

    paced = Pacer(Pacing(clock=time.clock, sleep=loaded_sleep, overall_per_second=2))
    times = [await send(paced, time, user) for user in range(1, 5)]
    assert times == [pytest.approx(t) for t in (0.0, 0.9, 1.0, 1.9)]
    spans = [later - earlier for earlier, later in zip(times, times[2:], strict=False)]
    assert all(span >= 1.0 - 1e-9 for span in spans)  # (t - 1, t] holds two at most

"""Direct messages at a steady pace per bot: a quiet bot sends at once, a fan-out one per
interval, and two workers of one bot sharing a budget (bot.workers) together keep that pace."""

from __future__ import annotations

from adapters.discord.pacing import Pacer
from bot.workers import LocalSendBudget
from tests.fake_time import FakeTime


async def test_a_fan_out_goes_one_message_per_interval() -> None:
    time = FakeTime()
    pacer = Pacer(0.5, sleep=time.sleep, clock=time.clock)
    sent = []
    for _ in range(4):
        await pacer.wait()
        sent.append(time.now)
    assert sent == [0.0, 0.5, 1.0, 1.5]


async def test_two_workers_of_one_bot_keep_one_pace_together() -> None:
    time = FakeTime()
    shared = LocalSendBudget(time.clock)  # what the database keeps for several workers
    workers = [Pacer(0.5, sleep=time.sleep, clock=time.clock) for _ in range(2)]
    for worker in workers:
        worker.share(shared, "bot-1")
    sent = []
    for n in range(4):
        await workers[n % 2].wait()
        sent.append(time.now)
    assert sent == [0.0, 0.5, 1.0, 1.5]  # not two at a time

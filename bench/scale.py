"""What the scale benchmark (bench/run.py, scale_start_up) needs beside its seed: a platform that
takes no time to start, so the start measured is Hearth's own, and the time a check-in round
for every community at once takes through the Telegram adapter's own pacer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.telegram.pacing import Pacer, Pacing
from bot.hearth import Hearth
from bot.replies import Reply
from tests.fake_time import FakeTime

GROUPS = -1_000_000_000_000  # Telegram's supergroup ids lie below this


class StandIn:
    """An adapter whose platform starts at once and takes every reply: `hearth run` starts
    it like any other, so the span up to "started" is the store's, the timer's and the
    outbox pump's work."""

    platform = "bench"

    def __init__(self) -> None:
        self.delivered = 0

    async def start(self, hearth: Hearth) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.delivered += len(replies)


async def paced_round(
    communities: int, members: int, pacing: Pacing, *, sample: int = 100
) -> float:
    """Seconds the Telegram adapter's pacer spreads a check-in round over: in each community a
    note in the group and an opening to each member privately. `sample` communities go
    through a real Pacer on a simulated clock (Telegram answering at once), scaled up to all
    of them: the pace of a long round is even, so the time grows in proportion.

    This is the pacer's part only: the outbox pump sends one message at a time (so a crash
    repeats at most the one in flight), so a round trip to Telegram longer than 1/30 s, not
    the pacer, would set the pace."""
    time = FakeTime()
    pacer = Pacer(
        Pacing(
            overall_per_second=pacing.overall_per_second,
            group_per_minute=pacing.group_per_minute,
            margin=pacing.margin,
            clock=time.clock,
            sleep=time.sleep,
        )
    )

    async def taken() -> Any:
        return True

    async def send(chat_id: int) -> None:
        await pacer.process_request(taken, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    sample = min(sample, communities)
    for community in range(sample):
        await send(GROUPS - community)
        for member in range(members):
            await send(1 + community * members + member)
    # The last send's moment starts its own share of the limit's period.
    sends = sample * (members + 1)
    per_send = (time.now + 1 / pacing.overall_per_second) / sends
    return per_send * communities * (members + 1)

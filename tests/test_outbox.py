"""The outbox: what scheduled work decides to send is kept in the database until the platform
has taken it, so a crash in the middle of a fan-out loses nothing and repeats nothing."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.ports import Store
from bot.replies import Attachment, Reply, Target, Visibility
from storage.sqlite import SqliteStore
from tests.support import START, World, text

MEMBERS = [f"m{n:02d}" for n in range(12)]


class Crash(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even `except Exception`."""


class Platform:
    """Records deliveries; can die after some, or refuse some for a while."""

    def __init__(self, *, die_after: int | None = None, fail_first: int = 0) -> None:
        self.delivered: list[Reply] = []
        self.die_after = die_after
        self.fail_first = fail_first

    async def deliver(self, replies: Sequence[Reply]) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise ConnectionError("the platform answered 500")
        if self.die_after is not None and len(self.delivered) >= self.die_after:
            raise Crash
        self.delivered.extend(replies)
        await asyncio.sleep(0)  # a real send waits on the network: other work runs meanwhile


def first_questions(delivered: Sequence[Reply]) -> Counter[str]:
    """How many check-in openings each member was sent privately."""
    return Counter(
        r.target.user_ref or ""
        for r in delivered
        if r.visibility is Visibility.PRIVATE and "check-in" in text([r]).lower()
    )


async def _community_with_a_schedule(path: Path, clock: FakeClock) -> None:
    store = await SqliteStore.open(path)
    await _community_with_a_schedule_in(store, clock)
    await store.close()


async def _community_with_a_schedule_in(store: Store, clock: FakeClock) -> None:
    world = World(store=store, clock=clock)
    world.make_admin("ana")
    for name in MEMBERS:
        await world.say(name, "hello")
    await world.say("ana", "/schedule checkin mon 10:00")


async def test_a_crash_half_way_through_a_fan_out_sends_each_check_in_exactly_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    clock = FakeClock(START)  # Monday 09:00 UTC
    await _community_with_a_schedule(path, clock)
    clock.advance(timedelta(hours=1, minutes=1))  # the round falls due

    store = await SqliteStore.open(path)
    world = World(store=store, clock=clock)
    dying = Platform(die_after=5)
    world.hearth.outbox = dying
    with pytest.raises(Crash):
        await world.hearth.run_due()
    await store.close()  # the process is gone; nothing else of it runs

    store = await SqliteStore.open(path)
    restarted = World(store=store, clock=clock)
    healthy = Platform()
    restarted.hearth.outbox = healthy
    await restarted.hearth.run_due()  # start-up: nothing due again, the outbox drains
    await store.close()

    sent = first_questions(dying.delivered) + first_questions(healthy.delivered)
    assert sent == Counter({name: 1 for name in ["ana", *MEMBERS]})
    assert sum("Check-in time." in text([r]) for r in dying.delivered + healthy.delivered) == 1


async def test_answers_given_before_the_crash_are_all_there_after_it(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    clock = FakeClock(START)
    await _community_with_a_schedule(path, clock)
    clock.advance(timedelta(hours=1, minutes=1))
    store = await SqliteStore.open(path)
    world = World(store=store, clock=clock)
    world.hearth.outbox = Platform(die_after=3)
    with pytest.raises(Crash):
        await world.hearth.run_due()
    question = next(r for r in world.outbox.sent + world.hearth.outbox.delivered if r.choices)
    who = question.target.user_ref or ""
    await world.press(who, question.choices[0].key)
    await store.close()

    store = await SqliteStore.open(path)
    restarted = World(store=store, clock=clock)
    restarted.hearth.outbox = Platform()
    await restarted.hearth.run_due()
    shown = text(await restarted.privately(who, "/mydata"))
    assert "okay" in shown.lower()
    await store.close()


async def test_a_failing_platform_is_retried_with_backoff_and_nothing_is_lost(
    world: World,
) -> None:
    world.make_admin("ana")
    for name in MEMBERS[:3]:
        await world.say(name, "hello")
    await world.say("ana", "/schedule checkin mon 10:00")
    flaky = Platform(fail_first=2)
    world.hearth.outbox = flaky
    await world.advance(timedelta(hours=1, minutes=1))  # the round, and the retries after it
    assert first_questions(flaky.delivered) == Counter({name: 1 for name in ["ana", *MEMBERS[:3]]})


async def test_a_message_that_never_goes_through_is_given_up_loudly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.make_admin("ana")
    await world.say("ana", "/schedule reflection mon 10:00")
    world.hearth.outbox = Platform(fail_first=1000)
    with caplog.at_level(logging.ERROR):
        await world.advance(timedelta(days=2))
    assert "gave up delivering outbox_id=" in caplog.text
    assert "reflect" not in caplog.text.lower()  # ids in logs, never what was said


async def test_in_a_running_hearth_a_command_s_fan_out_waits_in_the_outbox(
    world: World,
) -> None:
    world.make_admin("ana")
    for name in MEMBERS[:4]:
        await world.say(name, "hello")
    world.hearth.deliver_in_background = True  # as bot.runtime.serve sets it
    replies = await world.say("ana", "/checkin now")
    assert all(r.target.user_ref in (None, "ana") for r in replies)
    platform = Platform()
    world.hearth.outbox = platform
    assert await world.hearth.flush_outbox() >= 4
    assert set(first_questions(platform.delivered)) >= set(MEMBERS[:4])


async def test_two_hearths_pumping_one_database_send_each_check_in_once(tmp_path: Path) -> None:
    """Two pumps drain the same outbox side by side through two connections to one file, as
    two processes would: each message is claimed by one of them, so it goes out once."""
    clock = FakeClock(START)
    path = tmp_path / "hearth.db"
    await _community_with_a_schedule(path, clock)
    stores = [await SqliteStore.open(path, exclusive=False) for _ in range(2)]
    clock.advance(timedelta(hours=1, minutes=1))  # the round falls due
    try:
        first, second = World(store=stores[0], clock=clock), World(store=stores[1], clock=clock)
        first.hearth.deliver_in_background = True  # the round waits in the outbox
        await first.hearth.run_due()
        platforms = [Platform(), Platform()]
        first.hearth.outbox, second.hearth.outbox = platforms
        await asyncio.gather(first.hearth.flush_outbox(), second.hearth.flush_outbox())
    finally:
        for store in stores:
            await store.close()

    delivered = platforms[0].delivered + platforms[1].delivered
    assert first_questions(delivered) == Counter({name: 1 for name in ["ana", *MEMBERS]})
    assert sum("Check-in time." in text([r]) for r in delivered) == 1


class SlowPlatform(Platform):
    """Each send takes two minutes, and meanwhile another pump looks for work to take."""

    def __init__(self, clock: FakeClock, rival: World) -> None:
        super().__init__()
        self.clock = clock
        self.rival = rival

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.clock.advance(timedelta(minutes=2))
        await self.rival.hearth.flush_outbox()
        await super().deliver(replies)


async def test_a_slow_pump_lets_go_before_its_lease_runs_out_so_no_message_goes_twice(
    store: Store,
) -> None:
    clock = FakeClock(START)
    await _community_with_a_schedule_in(store, clock)
    clock.advance(timedelta(hours=1, minutes=1))
    slow, rival = World(store=store, clock=clock), World(store=store, clock=clock)
    slow.hearth.deliver_in_background = True
    await slow.hearth.run_due()
    rival.hearth.outbox = quick = Platform()
    slow.hearth.outbox = slowly = SlowPlatform(clock, rival)
    await slow.hearth.flush_outbox()

    delivered = slowly.delivered + quick.delivered
    assert first_questions(delivered) == Counter({name: 1 for name in ["ana", *MEMBERS]})


async def test_a_file_kept_in_the_outbox_is_delivered_later_with_its_bytes(world: World) -> None:
    """An export or a chart the platform could not take waits in the database like any reply,
    and arrives later byte for byte, with its name, media type and alt text."""
    chart = Attachment("needs.png", "image/png", bytes(range(256)) * 8, "Food: 4 people.")
    target = Target("test", "community", user_ref="ana")
    await world.hearth.keep([Reply("Your chart.", target, Visibility.PRIVATE, files=(chart,))])
    platform = Platform()
    world.hearth.outbox = platform
    world.clock.advance(timedelta(minutes=1))  # its first retry is due
    assert await world.hearth.flush_outbox() == 1
    (delivered,) = platform.delivered
    assert delivered.text == "Your chart." and delivered.files == (chart,)

"""Open requests for a hand are counted once a day: no report lets a moderator watch one person's
request come and go, and the daily count is suppressed like every other figure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.ports import Store
from bot.services.needs.records import RequestCount, RequestSnapshot
from tests.needs_helpers import after_the_daily_count, community
from tests.support import World, text

FIVE = ("bob", "carla", "dan", "eve")  # with ana, five members


def requests_in(report: str) -> str:
    return report.split("Open requests")[1].split("Small numbers")[0]


async def test_open_request_counts_do_not_move_within_a_day(world: World) -> None:
    await community(world, *FIVE)
    await world.say("ana", "/setup privacy_threshold 2")
    await world.say("ana", "/need food")  # the moderator's own request
    await after_the_daily_count(world)

    alone = requests_in(text(await world.say("ana", "/report needs")))
    await world.say("bob", "/need food")  # exactly one other person asks...
    while_bob_asks = requests_in(text(await world.say("ana", "/report needs")))
    await world.say("bob", "/need done")  # ...and is done again the same day
    after_bob = requests_in(text(await world.say("ana", "/report needs")))

    assert alone == while_bob_asks == after_bob
    assert "as of Tue 3 Mar, 00:00" in alone
    assert "• food, " in alone and "fewer than 2 waiting, fewer than 2 with a helper" in alone
    assert ": 2 waiting" not in while_bob_asks

    # The next day's count is what was open at its start: bob asked again and is still waiting.
    await world.say("bob", "/need food")
    await after_the_daily_count(world)
    next_day = requests_in(text(await world.say("ana", "/report needs")))
    assert "as of Wed 4 Mar, 00:00" in next_day
    assert "food: 2 waiting for a helper, fewer than 2 with a helper found" in next_day


async def test_the_first_report_says_when_requests_are_first_counted(world: World) -> None:
    await community(world, *FIVE)
    first = requests_in(text(await world.say("ana", "/report needs")))
    assert "the first count is taken Tue 3 Mar, 00:00" in first
    assert "waiting" not in first
    await after_the_daily_count(world)
    assert "as of Tue 3 Mar, 00:00" in text(await world.say("ana", "/report needs"))


async def test_the_snapshot_follows_suppression(world: World) -> None:
    others = ("bob", "carla", "dan", "eve", "finn", "gus", "hal")
    await community(world, *others)  # eight members, threshold 3
    for name in others:  # all but ana ask: close to everyone, so shown as "or more"
        await world.say(name, "/need food")
    await world.say("bob", "/need housing")  # one alone: a small count
    await after_the_daily_count(world)
    counted = requests_in(text(await world.say("ana", "/report needs")))
    assert "food: 5 or more waiting for a helper, fewer than 3 with a helper" in counted
    assert "7 waiting" not in counted and "housing: 1" not in counted
    assert "housing" in counted  # among the quiet ones, like every category nobody asked in

    # A higher threshold hides the count taken under the lower one until the next count.
    await world.say("ana", "/setup privacy_threshold 4")
    hidden = requests_in(text(await world.say("ana", "/report needs")))
    assert "Not shown" in hidden and "The next count is taken Wed 4 Mar, 00:00" in hidden
    assert "waiting" not in hidden
    await after_the_daily_count(world)
    recounted = requests_in(text(await world.say("ana", "/report needs")))
    assert "food: 4 or more waiting for a helper, fewer than 4 with a helper" in recounted

    # A lower threshold reveals nothing more than the count was taken under.
    await world.say("ana", "/setup privacy_threshold 2")
    assert requests_in(text(await world.say("ana", "/report needs"))) == recounted


async def test_too_few_members_show_no_request_figures_at_all(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("bob", "/need food")
    await after_the_daily_count(world)
    counted = requests_in(text(await world.say("ana", "/report needs")))
    assert "Too few members to show open requests" in counted
    assert "waiting" not in counted


async def test_a_day_keeps_its_first_snapshot_in_both_stores(store: Store) -> None:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(
            name="Garden", timezone="UTC", language="en", now=datetime(2026, 3, 2, tzinfo=UTC)
        )
        first = RequestSnapshot(
            community.id,
            date(2026, 3, 3),
            datetime(2026, 3, 3, tzinfo=UTC),
            3,
            8,
            (RequestCount("food", 4, 0), RequestCount("rest", 0, 0)),
        )
        assert await uow.request_snapshots.add(first)
        later = RequestSnapshot(
            community.id, first.day, datetime(2026, 3, 3, 9, tzinfo=UTC), 3, 8, ()
        )
        assert not await uow.request_snapshots.add(later)  # the day's count never moves
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.request_snapshots.latest(community.id) == first
        next_day = RequestSnapshot(
            community.id, date(2026, 3, 4), datetime(2026, 3, 4, tzinfo=UTC), 2, 9, ()
        )
        assert await uow.request_snapshots.add(next_day)
        assert await uow.request_snapshots.purge_before(community.id, next_day.day) == 1
        assert await uow.request_snapshots.latest(community.id) == next_day
        assert await uow.request_snapshots.latest(community.id + 1) is None

"""/report needs: moderators see closed rounds' aggregates only, small groups suppressed."""

from __future__ import annotations

from datetime import timedelta

from tests.needs_helpers import after_the_daily_count, answer, community
from tests.support import World, text


async def test_only_moderators_see_the_report(world: World) -> None:
    await community(world, "bob")
    assert "/report is for moderators" in text(await world.say("bob", "/report needs"))
    assert "Try one of: needs" in text(await world.say("ana", "/report weather"))
    assert "at most a year" in text(await world.say("ana", "/report needs 400"))


async def test_no_live_counts_while_a_round_is_open(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("ana", "/checkin now")
    for name in ("ana", "bob", "carla", "dan"):
        await answer(world, name, "uuuuuu")
    live = text(await world.say("ana", "/report needs"))
    assert "No check-in round has closed" in live
    assert "unmet" not in live.split("Open requests")[0]
    await world.advance(timedelta(days=3))
    closed = text(await world.say("ana", "/report needs"))
    assert "Round opened Mon 2 Mar" in closed
    assert "4 checked in: too few to share anything more" in closed  # all unmet: not shown
    assert "unmet" not in closed.split("Open requests")[0]


async def test_a_round_with_too_few_answers_shows_participation_only(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("ana", "/checkin now")
    await answer(world, "bob", "uuuuuu")
    await answer(world, "carla", "uuuuuu")
    await world.advance(timedelta(days=3))
    report = text(await world.say("ana", "/report needs"))
    assert "fewer than 3 checked in: too few to share anything more" in report
    assert "food" not in report.split("Open requests")[0]


async def test_reports_span_weeks_but_never_add_rounds_together(world: World) -> None:
    others = ("bob", "carla", "dan", "eve", "finn", "gus", "hal", "ida")
    await community(world, *others)
    await world.say("ana", "/schedule checkin mon 10:00")
    for week in range(3):
        await world.advance(timedelta(hours=1))
        for number, name in enumerate(("ana", *others)):
            await answer(world, name, "soooooo"[:6] if week != 1 and number < 4 else "oooooo")
        await world.advance(timedelta(days=7) - timedelta(hours=1))
    recent = text(await world.say("ana", "/report needs 1w"))
    wider = text(await world.say("ana", "/report needs 3w"))
    assert recent.count("Round opened") == 1
    assert wider.count("Round opened") == 3
    assert "9 checked in." in recent and "food: 4 strained" in recent
    assert "8" not in wider and "12" not in wider  # no totals across rounds
    newest = recent.split("Round opened")[1].split("Open requests")[0]
    assert newest in wider


async def test_open_requests_are_counts_per_category(world: World) -> None:
    await community(world, "bob", "carla", "dan", "eve", "finn", "gus", "hal")
    for name in ("bob", "carla", "dan"):
        await world.say(name, "/need food")
    await world.say("eve", "/need housing")
    await after_the_daily_count(world)
    report = text(await world.say("ana", "/report needs"))
    assert "as of Tue 3 Mar, 00:00" in report
    assert "food: 3 waiting for a helper, fewer than 3 with a helper found" in report
    assert "housing" in report and "1 " not in report
    for name in ("bob", "carla", "dan", "eve"):
        assert name not in report


async def test_a_higher_threshold_hides_more_and_a_lower_one_reveals_nothing(
    world: World,
) -> None:
    others = ("bob", "carla", "dan", "eve", "finn", "gus", "hal")
    await community(world, *others)
    await world.say("ana", "/checkin now")
    for number, name in enumerate(("ana", *others)):
        await answer(world, name, "soooooo"[:6] if number < 3 else "oooooo")
    closed = text(await world.advance(timedelta(days=3)))
    assert "8 checked in." in closed and "food: 3 strained" in closed
    await world.say("ana", "/setup privacy_threshold 5")
    higher = text(await world.say("ana", "/report needs"))
    assert "8 checked in: too few to share anything more" in higher  # twice 5 it takes
    assert "3 strained" not in higher
    await world.say("ana", "/setup privacy_threshold 9")
    assert "fewer than 9 checked in" in text(await world.say("ana", "/report needs"))
    await world.say("ana", "/setup privacy_threshold 2")
    lower = text(await world.say("ana", "/report needs"))
    assert "food: 3 strained, fewer than 3 unmet" in lower
    assert "8 checked in." in lower

"""`/need done` with several requests open asks which one; a stale press changes nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import Store
from tests.needs_helpers import choose, community, latest_choices
from tests.support import World, text, to


async def test_need_done_asks_which_request_when_several_are_open(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("bob", "/offer housing a spare room for a week")
    await world.say("carla", "/need food for my two kids this week and next week too")
    await world.say("carla", "/need housing")

    which = await world.say("carla", "/need done")
    shown = latest_choices(which, "carla")
    assert "Which of your requests is met?" in text(which)
    assert [c.label for c in shown.choices] == [
        "food: for my two kids this week and next …",
        "housing",
        "All of them",
    ]
    assert to(which, "bob") == []
    assert "Your open requests: food, housing" in text(await world.say("carla", "/need"))

    closed = await choose(world, "carla", which, "housing")
    assert "Closed: housing" in text(to(closed, "carla"))
    assert "doesn't need your help after all" in text(to(closed, "bob"))
    assert "Your open requests: food." in text(await world.say("carla", "/need"))

    # With one request left, /need done closes it as before.
    assert "Closed: food" in text(await world.say("carla", "/need done"))
    assert "Ask privately for a hand" in text(await world.say("carla", "/need"))


async def test_all_of_them_closes_every_listed_request(world: World) -> None:
    await community(world, "carla")
    await world.say("carla", "/need food")
    await world.say("carla", "/need rest")
    closed = await choose(world, "carla", await world.say("carla", "/need done"), "All of them")
    assert "Closed: food, rest" in text(closed)
    assert "no open request" in text(await world.say("carla", "/need done"))


async def test_a_stale_need_done_press_changes_nothing(store: Store) -> None:
    world = World(store=store)  # SQLite may give a new request a freed id
    await community(world, "carla", "dan")
    await world.say("carla", "/need food")
    await world.say("carla", "/need health")
    which = await world.say("carla", "/need done")
    assert "Closed: health" in text(await choose(world, "carla", which, "health"))

    again = await choose(world, "carla", which, "health")
    assert "already closed, so nothing was changed" in text(again)
    assert "Closed" not in text(again)

    # Requests opened after the question are never closed by its buttons.
    await world.advance(timedelta(minutes=5))
    await world.say("carla", "/need health a lift to the clinic")
    assert "already closed" in text(await choose(world, "carla", which, "health"))
    refused = await world.press("dan", latest_choices(which, "carla").choices[-1].key)
    assert "meant for someone else" in text(refused)
    assert "Your open requests: food, health" in text(await world.say("carla", "/need"))

    assert "Closed: food." in text(await choose(world, "carla", which, "All of them"))
    assert "already closed" in text(await choose(world, "carla", which, "All of them"))
    assert "Your open requests: health" in text(await world.say("carla", "/need"))

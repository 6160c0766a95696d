"""A database an older Hearth made (by the numbered SQL files, before Alembic) is what most
running communities have. Every other test runs on files the baseline revision made, so this one
lives a community's flows on such a file and reads everything back after a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from storage.migrate import legacy_migrations
from storage.sqlite import SqliteStore
from tests.legacy_db import legacy_database
from tests.needs_helpers import answer, community
from tests.support import World, text

DAY = timedelta(days=1)


async def _living_community(world: World) -> None:
    await community(world, "bob", "cy", "dan")
    await world.say("ana", "/propose Community garden | Shared vegetable beds")
    await world.say("bob", "/build 1 and a tool shed we all share")
    await world.say("cy", "/concern 1 who waters the beds in August?")
    await world.say("ana", "/checkin now")
    await answer(world, "bob", "usoooo", hands=["food"], note="bob's own note")
    await world.say("dan", "/offer food soup on Sundays")
    await world.say("cy", "/buddy on")
    await world.advance(3 * DAY)
    await world.say("ana", "/consent 1 of course")


async def test_a_file_from_before_alembic_runs_every_flow_and_keeps_it_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    legacy_database(path, upto=len(legacy_migrations())).close()
    store = await SqliteStore.open(path)
    world = World(store=store)
    await _living_community(world)
    seen = {
        name: text(await world.privately(name, "/mydata")) for name in ("ana", "bob", "cy", "dan")
    }
    listed = text(await world.say("bob", "/proposals"))
    await store.close()

    assert "Community garden" in listed
    assert "bob's own note" in seen["bob"] and "soup on Sundays" in seen["dan"]
    assert "who waters the beds" in seen["cy"] and "of course" in seen["ana"]

    reopened = await SqliteStore.open(path)
    try:
        again = World(store=reopened, clock=world.clock)
        again.admins = set(world.admins)
        for name, before in seen.items():
            assert text(await again.privately(name, "/mydata")) == before, name
        assert text(await again.say("bob", "/proposals")) == listed
        shown = text(await again.say("dan", "/proposal 1"))
        assert "tool shed" in shown and "of course" in shown
    finally:
        await reopened.close()

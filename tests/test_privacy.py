"""Anyone can see and erase what Hearth holds about them."""

from __future__ import annotations

import json

from storage.sqlite import SqliteStore
from tests.peek import every_table
from tests.support import World, text, to


async def test_mydata_is_sent_privately_and_complete(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Lisbon")
    replies = await world.say("ana", "/mydata")
    private = [r for r in replies if r.target.channel_ref is None]
    assert len(private) == 1 and private[0].target.user_ref == "ana"
    shown = text(private)
    assert "name: ana" in shown
    assert "changed setting" in shown
    assert "sent you everything" in text(to(replies, "ana"))


async def test_privacy_explains_the_rules(world: World) -> None:
    shown = text(await world.say("bob", "/privacy"))
    assert "/forgetme" in shown and "totals" in shown


async def test_forgetme_asks_first_and_keeping_changes_nothing(world: World) -> None:
    asked = await world.say("bob", "/forgetme")
    assert "Shall I go ahead?" in text(asked)
    keep = asked[0].choices[1]
    assert "nothing was erased" in text(await world.press("bob", keep.key))
    assert "name: bob" in text(await world.say("bob", "/mydata"))


async def test_someone_else_cannot_press_my_forget_button(world: World) -> None:
    await world.say("carla", "hello")
    asked = await world.say("bob", "/forgetme")
    yes = asked[0].choices[0]
    assert "meant for someone else" in text(await world.press("carla", yes.key))
    assert "name: bob" in text(await world.say("bob", "/mydata"))


async def test_forgetme_leaves_no_trace_in_any_table(sqlite_store: SqliteStore) -> None:
    world = World(store=sqlite_store)
    world.make_admin("ana")
    await world.say("ana", "/setup about A neighbourhood kitchen")
    await world.say("ana", "/language en")
    asked = await world.say("ana", "/forgetme")
    done = text(await world.press("ana", asked[0].choices[0].key))
    assert "membership: 1" in done

    for table, kept in every_table(sqlite_store).items():
        for row in kept:
            assert "ana" not in [str(v).lower() for v in row.values()], f"{table} holds ana: {row}"
    audit = text(await world.say("bob", "/audit"))
    assert "a former member changed setting about" in audit


async def test_mydata_comes_as_a_json_file_of_the_same_records(world: World) -> None:
    await world.say("bob", "/propose Bread oven | Bake together on Saturdays")
    replies = await world.say("bob", "/mydata")
    (answer,) = [r for r in replies if r.target.channel_ref is None]
    (data,) = answer.files
    assert (data.name, data.media_type) == ("mydata.json", "application/json")
    assert data.alt.startswith("What Hearth holds about you in Test community")
    record = json.loads(data.data.decode("utf-8"))
    assert record["community"] == "Test community"
    assert record["sections"]["membership"]["records"][0]["name"] == "bob"
    assert "Bread oven" in json.dumps(record["sections"]["proposals"], ensure_ascii=False)
    joined = record["sections"]["membership"]["records"][0]["joined"]
    assert joined == "2026-03-02T09:00:00Z"  # ISO 8601, UTC
    assert "Bread oven" in text([answer])  # the text stays, for screen readers and the console


async def test_a_members_mydata_file_holds_nobody_elses_name_or_words(world: World) -> None:
    world.make_admin("ana")
    await world.say("zoltan", "/propose Quince orchard | Plant quinces along the wall")
    await world.say("zoltan", "/language de")
    await world.say("ana", "/setup timezone Europe/Lisbon")
    await world.say("bob", "hello")
    (answer,) = [r for r in await world.say("bob", "/mydata") if r.files]
    assert answer.target.user_ref == "bob"
    data = answer.files[0].data.lower()
    assert b'"bob"' in data
    for theirs in (b"zoltan", b"quince", b"orchard", b"lisbon", b'"ana"', b'"de"'):
        assert theirs not in data, theirs

"""/mydata shows, and /forgetme erases, everything the check-ins and mutual aid hold."""

from __future__ import annotations

from datetime import timedelta

from storage.sqlite import SqliteStore
from tests.needs_helpers import answer, choose, community
from tests.peek import every_table, member_id
from tests.support import World, text, to

WORDS = ("secret note", "bobs soup", "tea and a chat", "a room for june", "own check-in note")
ID_COLUMNS = ("member_id", "owner_id", "actor_id", "subject_id")


async def _rows(store: SqliteStore) -> dict[str, list[dict[str, object]]]:
    return every_table(store)


async def test_forgetme_leaves_no_trace_of_needs_in_any_table(sqlite_store: SqliteStore) -> None:
    world = World(store=sqlite_store)
    await community(world, "bob", "carla", "dan")
    await world.say("ana", "/checkin now")
    await answer(
        world,
        "bob",
        "usoooo",  # not a hard check-in, so bob is asked for an offer
        hands=["food"],
        offer=("connection & culture", "tea and a chat"),
        note="secret note",
    )
    for name in ("ana", "carla"):
        await answer(world, name, "uuoooo")
    await world.advance(timedelta(days=3))
    await world.say("bob", "/offer food bobs soup")
    asked = await world.say("dan", "/need food dans words")
    assert to(asked, "bob")  # bob's offer is being put to dan's request
    await world.say("bob", "/need housing a room for june")
    await world.privately("bob", "/checkin")
    await world.privately("bob", "1")
    await world.say("bob", "/pause checkins 2026-04-01")

    mine = text(await world.privately("bob", "/mydata"))
    for words in ("secret note", "tea and a chat", "bobs soup", "a room for june"):
        assert words in mine
    assert "check-ins paused until" in mine and "your own check-in" in mine

    bob_id = member_id(sqlite_store, "bob")
    before = await _rows(sqlite_store)
    assert before["checkin_answers"] and before["aid_offers"] and before["checkin_pauses"]

    asked = await world.say("bob", "/forgetme")
    done = text(await choose(world, "bob", asked, "Yes, erase it"))
    for section in ("check-ins", "requests for a hand", "offers of help"):
        assert section in done

    for table, rows in (await _rows(sqlite_store)).items():
        for row in rows:
            cells = [str(value).lower() for value in row.values()]
            assert "bob" not in cells, f"{table} still names bob: {row}"
            for words in WORDS:
                assert not any(words in cell for cell in cells), f"{table} keeps {words!r}"
            for column in ID_COLUMNS:
                assert row.get(column) != bob_id, f"{table}.{column} still points at bob"
            if table == "aid_requests":
                assert row["current_offer_id"] is None

    # The others carry on: dan's request moves on (nobody is left) and the totals remain.
    later = await world.advance(timedelta(days=1))
    assert "I've asked everyone who offered help with food" in text(to(later, "dan"))
    report = text(await world.say("ana", "/report needs"))
    assert "3 checked in: too few to share anything more" in report  # all unmet: not shown

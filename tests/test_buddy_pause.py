"""/pause covers buddying: a paused volunteer is never paired with a newcomer, keeps the
newcomers they already show around, and is back in the pairing when the pause ends."""

from __future__ import annotations

from datetime import timedelta

from storage.sqlite import SqliteStore
from tests.peek import every_table, member_id
from tests.support import World, text, to
from tests.welcome_support import button, onboard


async def test_a_paused_volunteer_is_skipped_for_the_next_one(world: World) -> None:
    await world.say("bea", "/buddy")  # the longest-standing volunteer: first in line
    await world.say("cy", "/buddy")
    paused = text(await world.say("bea", "/pause buddy 2026-03-20"))
    assert "Buddy requests are paused until Fri 20 Mar, 00:00" in paused
    assert "already showing around: 0" in paused

    seen = await onboard(world, "Sam")
    assert "Meet your buddy: cy" in text(to(seen, "sam"))
    assert to(seen, "bea") == []
    assert "A newcomer for you to welcome: Sam" in text(to(seen, "cy"))


async def test_with_every_volunteer_paused_the_newcomer_waits_until_a_pause_ends(
    world: World,
) -> None:
    world.make_admin("mo")
    await world.say("bea", "/buddy")
    await world.say("bea", "/pause buddy 3d")
    seen = await onboard(world, "Sam")
    assert "no buddy is free right now" in text(to(seen, "sam"))
    assert to(seen, "bea") == []
    report = text(await world.say("mo", "/report welcome"))
    assert "Waiting for a buddy now: 1" in report
    assert "Buddy volunteers now: 1 (pausing: 1)" in report

    assert to(await world.advance(timedelta(days=2)), "bea") == []
    later = await world.advance(timedelta(days=1))
    assert "A newcomer for you to welcome: Sam" in text(to(later, "bea"))
    assert "Good news: a buddy is free now. Meet bea" in text(to(later, "sam"))
    assert "paused" not in text(await world.say("bea", "/buddy status"))
    assert "Buddy volunteers now: 1 (pausing: 0)" in text(await world.say("mo", "/report welcome"))


async def test_pause_off_resumes_buddying_and_pairs_whoever_waited(world: World) -> None:
    await world.say("bea", "/buddy")
    await world.say("bea", "/pause buddy")
    assert "until you resume them with /pause off" in text(await world.say("bea", "/buddy status"))
    await onboard(world, "Sam")
    resumed = await world.say("bea", "/pause off")
    assert "Buddy requests are back on" in text(to(resumed, "bea"))
    assert "A newcomer for you to welcome: Sam" in text(to(resumed, "bea"))
    assert "Meet bea" in text(to(resumed, "sam"))
    # Nothing is paused any more: /pause off again has nothing to resume.
    refused = text(await world.say("bea", "/pause off"))
    assert "Neither your check-ins nor buddy requests were paused" in refused


async def test_a_paused_buddy_keeps_the_newcomer_they_already_have(world: World) -> None:
    await world.say("bea", "/buddy")
    seen = await onboard(world, "Sam")
    paused = text(await world.say("bea", "/pause buddy 1w"))
    assert "already showing around: 1" in paused and "carry on" in paused
    assert "You're showing around: Sam" in text(await world.say("bea", "/buddy status"))
    thanked = await world.press("bea", button(to(seen, "bea"), "said hello"))
    assert "Thank you" in text(thanked)
    assert "Your buddy: bea" in text(await world.say("Sam", "/buddy status"))

    await world.say("cy", "/buddy")
    tia = await onboard(world, "Tia")
    assert "Meet your buddy: cy" in text(to(tia, "tia")) and to(tia, "bea") == []


async def test_pause_status_and_off_cover_check_ins_and_buddying_together(world: World) -> None:
    assert "aren't paused" in text(await world.say("ana", "/pause"))
    assert "Buddy requests" not in text(await world.say("ana", "/pause"))  # not a volunteer
    await world.say("ana", "/buddy")
    status = text(await world.say("ana", "/pause"))
    assert "Your check-ins aren't paused" in status and "Buddy requests aren't paused" in status

    await world.say("ana", "/pause checkins 2026-04-01")
    await world.say("ana", "/pause buddy 2w")
    status = text(await world.say("ana", "/pause"))
    assert "Your check-ins are paused until Wed 1 Apr, 00:00" in status
    assert "Buddy requests are paused until Mon 16 Mar, 09:00" in status
    assert "paused until Mon 16 Mar, 09:00" in text(await world.say("ana", "/buddy"))

    resumed = text(await world.say("ana", "/pause off"))
    assert "Welcome back: you'll get the next check-in" in resumed
    assert "Buddy requests are back on" in resumed
    status = text(await world.say("ana", "/pause"))
    assert "Your check-ins aren't paused" in status and "Buddy requests aren't paused" in status


async def test_only_volunteers_pause_buddying_and_the_dates_are_checked(world: World) -> None:
    refused = text(await world.say("bob", "/pause buddy"))
    assert "You aren't volunteering as a buddy" in refused
    await world.say("bob", "/buddy")
    assert "couldn't read" in text(await world.say("bob", "/pause buddy someday"))
    assert "already past" in text(await world.say("bob", "/pause buddy 2026-01-01"))
    too_long = text(await world.say("bob", "/pause buddy 2030-01-01"))
    assert "pause buddy requests for up to a year" in too_long
    assert "Buddy requests aren't paused" in text(await world.say("bob", "/pause"))
    await world.say("bob", "/buddy off")
    assert "You aren't volunteering" in text(await world.say("bob", "/pause buddy"))


async def test_a_buddy_pause_survives_a_restart_and_shows_in_mydata(
    sqlite_store: SqliteStore,
) -> None:
    world = World(store=sqlite_store)
    await world.say("bea", "/buddy")
    await world.say("bea", "/pause buddy 2026-03-05")
    mine = text(await world.say("bea", "/mydata"))
    assert "buddy requests paused: Mon 2 Mar, 09:00" in mine
    assert "paused until: Thu 5 Mar, 00:00" in mine

    restarted = World(store=sqlite_store, clock=world.clock)
    seen = await onboard(restarted, "Sam")
    assert "no buddy is free right now" in text(to(seen, "sam"))
    later = await restarted.advance(timedelta(days=3))
    assert "A newcomer for you to welcome: Sam" in text(to(later, "bea"))
    assert "buddy requests paused" not in text(await restarted.say("bea", "/mydata"))


async def test_forgetme_erases_a_buddy_pause_and_its_timer(sqlite_store: SqliteStore) -> None:
    world = World(store=sqlite_store)
    await world.say("bea", "/buddy")
    await world.say("bea", "/pause buddy 2w")
    bea = member_id(sqlite_store, "bea")
    asked = await world.say("bea", "/forgetme")
    assert "buddies: " in text(await world.press("bea", button(asked, "Yes, erase it")))
    for table in ("buddy_volunteers", "jobs"):
        kept = every_table(sqlite_store)[table]
        assert not any(bea in (row.get("member_id"),) for row in kept), table
    assert to(await world.advance(timedelta(days=15)), "bea") == []

"""Buddies: volunteers show newcomers around; the least busy is asked first, nobody is paired
with the same person twice, a buddy may pass, and nobody waits without being told."""

from __future__ import annotations

from datetime import timedelta

from tests.support import World, text, to
from tests.welcome_support import button, onboard


async def test_a_buddy_who_passes_moves_the_newcomer_to_the_next_volunteer(world: World) -> None:
    await world.say("bea", "/buddy")
    await world.say("cy", "/buddy")
    seen = await onboard(world, "Sam")
    assert "Meet your buddy: bea" in text(to(seen, "sam"))
    intro = to(seen, "bea")
    assert "within a day" in text(intro)

    passed = await world.press("bea", button(intro, "pass"))
    assert "I'll find Sam someone else" in text(to(passed, "bea"))
    assert "meet cy" in text(to(passed, "sam"))
    assert "A newcomer for you to welcome: Sam" in text(to(passed, "cy"))
    assert "moved on" in text(await world.press("bea", button(intro, "pass")))
    assert "meant for someone else" in text(await world.press("bea", button(passed, "pass")))
    assert "You're showing around: Sam" in text(await world.say("cy", "/buddy status"))
    assert "Your buddy: cy" in text(await world.say("Sam", "/buddy status"))


async def test_with_no_volunteer_the_newcomer_is_told_and_moderators_see_them_waiting(
    world: World,
) -> None:
    world.make_admin("mo")
    seen = await onboard(world, "Sam")
    assert "no buddy is free right now" in text(to(seen, "sam"))
    assert "on the list for a buddy" in text(await world.say("Sam", "/buddy status"))
    assert "Waiting for a buddy now: 1" in text(await world.say("mo", "/report welcome"))
    assert "1 newcomer waiting for a buddy, 0 volunteers" in text(
        await world.say("mo", "/buddy status")
    )
    assert "newcomers waiting" not in text(await world.say("Sam", "/buddy status"))

    volunteered = await world.say("bea", "/buddy")
    assert "A newcomer for you to welcome: Sam" in text(to(volunteered, "bea"))
    assert "Good news" in text(to(volunteered, "sam"))
    assert "Waiting for a buddy now: 0" in text(await world.say("mo", "/report welcome"))


async def test_never_the_same_pair_twice(world: World) -> None:
    world.make_admin("mo")
    await world.say("bea", "/buddy")
    seen = await onboard(world, "Sam")
    passed = await world.press("bea", button(to(seen, "bea"), "pass"))
    assert "no other buddy is free right now" in text(to(passed, "sam"))
    assert to(passed, "bea") and "A newcomer" not in text(to(passed, "bea"))
    report = text(await world.say("mo", "/report welcome"))
    assert "Buddy pairings made: 1 (passed on to someone else: 1)" in report
    assert "Waiting for a buddy now: 1" in report
    await world.say("bea", "/buddy off")
    assert "A newcomer" not in text(await world.say("bea", "/buddy"))


async def test_the_least_busy_volunteer_is_asked_first_within_their_limit(world: World) -> None:
    world.make_admin("mo")
    assert "like one, 1 at a time" in text(await world.say("bea", "/buddy on 1"))
    await world.say("cy", "/buddy")
    buddies = {}
    for newcomer in ("Nia", "Oto", "Pia", "Quy"):
        seen = await onboard(world, newcomer)
        said = text(to(seen, newcomer))
        buddies[newcomer] = next((b for b in ("bea", "cy") if f"buddy: {b}" in said), None)
    assert buddies == {"Nia": "bea", "Oto": "cy", "Pia": "cy", "Quy": None}
    assert "Waiting for a buddy now: 1" in text(await world.say("mo", "/report welcome"))


async def test_a_buddy_gets_one_gentle_reminder_to_say_hello(world: World) -> None:
    await world.say("bea", "/buddy")
    await world.say("cy", "/buddy")
    await onboard(world, "Sam")
    seen = await onboard(world, "Tia")
    await world.press("cy", button(to(seen, "cy"), "I've said hello"))
    day = await world.advance(timedelta(days=1))
    assert "A gentle reminder: Sam would still love a hello" in text(to(day, "bea"))
    assert to(day, "cy") == []
    later = await world.advance(timedelta(days=1))
    assert "reminder" not in text(later)


async def test_when_a_buddy_leaves_the_newcomer_moves_on(world: World) -> None:
    await world.say("bea", "/buddy")
    await world.say("cy", "/buddy")
    await onboard(world, "Sam")
    left = await world.leave("bea")
    assert "meet cy" in text(to(left, "sam"))
    assert "A newcomer for you to welcome: Sam" in text(to(left, "cy"))
    gone = await world.leave("Sam")
    assert "Sam has left the community" in text(to(gone, "cy"))
    assert "You're showing around" not in text(await world.say("cy", "/buddy status"))


async def test_an_unreachable_buddy_is_passed_over(world: World) -> None:
    await world.say("bea", "/buddy")
    await world.say("cy", "/buddy")
    await onboard(world, "Sam")
    moved = await world.unreachable("bea", resume="buddy")
    assert "meet cy" in text(to(moved, "sam"))
    assert "aren't volunteering" in text(await world.say("bea", "/buddy status"))


async def test_volunteering_can_be_stopped_and_checked(world: World) -> None:
    assert "aren't volunteering" in text(await world.say("bea", "/buddy status"))
    assert "nothing to stop" in text(await world.say("bea", "/buddy off"))
    assert "between 1 and 5" in text(await world.say("bea", "/buddy on 9"))
    assert "goes with on" in text(await world.say("bea", "/buddy off 2"))
    assert "Thank you for volunteering" in text(await world.say("bea", "/buddy"))
    assert "already volunteering" in text(await world.say("bea", "/buddy on"))
    assert "at most 3 at a time" in text(await world.say("bea", "/buddy on 3"))
    await onboard(world, "Sam")
    stopped = text(await world.say("bea", "/buddy off"))
    assert "no longer volunteering" in stopped and "Pairings you already have: 1" in stopped
    assert "You're showing around: Sam" in text(await world.say("bea", "/buddy status"))

"""Matching a request with offerers: everyone is asked in turn, a late yes still helps, and
the requester hears the truth."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.replies import Reply
from tests.needs_helpers import choose, community
from tests.support import World, text, to

QUESTION = "Someone here could use a hand with food"
GOOD_NEWS = "Good news: someone who offered help with food can help"
NOBODY = "nobody is free right now"


def asked_who(replies: Sequence[Reply]) -> list[str]:
    """Who was asked whether they could help, in order."""
    return [r.target.user_ref or "" for r in replies if QUESTION in text([r])]


async def test_a_late_yes_from_an_offerer_still_helps(world: World) -> None:
    # The story from the tour: bob and cy offered food, dan asked, bob declined, cy answered
    # only after her day was over.
    await community(world, "bob", "cy", "dan")
    await world.say("bob", "/offer food soup on Fridays")
    await world.say("cy", "/offer food fresh bread")
    asked = await world.say("dan", "/need food for the weekend")
    declined = await choose(world, "bob", asked, "Not this time")
    assert asked_who(declined) == ["cy"]
    later = await world.advance(timedelta(days=1))
    assert NOBODY in text(to(later, "dan"))

    late = await choose(world, "cy", declined, "Yes, I can help")
    assert "I've asked them whether they'd like to be introduced" in text(to(late, "cy"))
    assert "moved on" not in text(late)
    again = to(late, "dan")
    assert GOOD_NEWS in text(again) and '"fresh bread"' in text(again)
    assert "cy" not in text(again).lower()  # no names before both said yes

    introduced = await choose(world, "dan", late, "Yes, introduce us")
    assert "You're introduced: cy offered" in text(to(introduced, "dan"))
    assert "You're introduced: dan would be glad" in text(to(introduced, "cy"))
    assert to(introduced, "bob") == []


async def test_the_first_yes_goes_to_the_requester_and_a_later_yes_is_thanked_kindly(
    world: World,
) -> None:
    await community(world, "bob", "cy", "dan")
    await world.say("bob", "/offer food soup on Fridays")
    await world.say("cy", "/offer food fresh bread")
    asked = await world.say("dan", "/need food")
    moved = await world.advance(timedelta(days=1))  # bob did not answer in his day
    assert asked_who(moved) == ["cy"] and to(moved, "dan") == []

    # bob's yes comes while Hearth is asking cy: it still counts, and goes to dan.
    bob_late = await choose(world, "bob", asked, "Yes, I can help")
    assert GOOD_NEWS in text(to(bob_late, "dan")) and "soup" in text(to(bob_late, "dan"))
    # cy says yes after bob: she is thanked, and told it is taken care of.
    cy_yes = await choose(world, "cy", moved, "Yes, I can help")
    assert "Someone else said yes first" in text(to(cy_yes, "cy"))
    assert to(cy_yes, "dan") == []

    # If bob's help is not the right one, cy's yes is put to dan straight away.
    other = await choose(world, "dan", bob_late, "Not this one, keep looking")
    assert "doesn't need your help after all" in text(to(other, "bob"))
    assert GOOD_NEWS in text(to(other, "dan")) and "fresh bread" in text(to(other, "dan"))
    introduced = await choose(world, "dan", other, "Yes, introduce us")
    assert "You're introduced: cy offered" in text(to(introduced, "dan"))

    # dan's old question about bob is stale now: it changes nothing.
    stale = await choose(world, "dan", bob_late, "Yes, introduce us")
    assert "moved on" in text(stale) and to(stale, "bob") == []


async def test_every_offerer_is_asked_in_turn(world: World) -> None:
    await community(world, "bob", "cy", "dan", "eve")
    for who, what in (("bob", "soup"), ("cy", "bread"), ("eve", "a spare freezer")):
        await world.say(who, f"/offer food {what}")
    seen = list(await world.say("dan", "/need food"))
    assert asked_who(seen) == ["bob"]

    seen += await choose(world, "bob", seen, "Not this time")  # a decline: the next one
    assert asked_who(seen) == ["bob", "cy"]
    seen += await world.advance(timedelta(days=1))  # no answer from cy: the next one
    assert asked_who(seen) == ["bob", "cy", "eve"]
    assert NOBODY not in text(seen)

    seen += await world.advance(timedelta(days=1))  # eve neither: now everyone was asked
    assert asked_who(seen) == ["bob", "cy", "eve"]  # each once, the requester never
    assert text(to(seen, "dan")).count(NOBODY) == 1


async def test_the_requester_is_told_the_truth_when_nobody_is_free(world: World) -> None:
    await community(world, "bob", "cy", "dan")
    await world.say("bob", "/offer food soup on Fridays")
    await world.say("cy", "/offer food fresh bread")
    asked = await world.say("dan", "/need food")
    moved = await world.advance(timedelta(days=1))  # bob: no answer; cy is asked
    bob_late = await choose(world, "bob", asked, "Yes, I can help")
    assert GOOD_NEWS in text(to(bob_late, "dan"))

    # dan would rather not: cy still has time to answer, so that is what dan hears.
    keep_looking = await choose(world, "dan", bob_late, "Not this one, keep looking")
    assert "I'm asking someone else" in text(to(keep_looking, "dan"))
    assert NOBODY not in text(keep_looking)
    assert to(await world.advance(timedelta(hours=23)), "dan") == []

    # cy's day is over and nobody else is left: now, and only now, dan hears nobody is free.
    over = await world.advance(timedelta(hours=1))
    assert text(to(over, "dan")).count(NOBODY) == 1
    assert "if one of them still says yes" in text(to(over, "dan"))
    assert await world.advance(timedelta(days=3)) == []  # said once, not repeated

    # ...and it stays true: a late yes from cy asks dan again.
    cy_late = await choose(world, "cy", moved, "Yes, I can help")
    assert GOOD_NEWS in text(to(cy_late, "dan")) and "fresh bread" in text(to(cy_late, "dan"))


async def test_a_helper_who_withdraws_while_the_requester_decides_is_replaced(
    world: World,
) -> None:
    await community(world, "bob", "cy", "dan")
    await world.say("bob", "/offer food soup on Fridays")
    await world.say("cy", "/offer food fresh bread")
    asked = await world.say("dan", "/need food")
    accepted = await choose(world, "bob", asked, "Yes, I can help")
    await choose(world, "bob", await world.say("bob", "/offers"), "Withdraw 1")
    pressed = await choose(world, "dan", accepted, "Yes, introduce us")
    assert "no longer available" in text(to(pressed, "dan"))
    assert asked_who(pressed) == ["cy"]
    assert "You're introduced" not in text(pressed)

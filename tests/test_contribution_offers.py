"""What a newcomer said they could bring becomes a proper offer, with a kind of help, from
/offers: one button for the item, one for its kind; then it can meet someone who needs it."""

from __future__ import annotations

from datetime import timedelta

from storage.sqlite import SqliteStore
from tests.needs_helpers import choose
from tests.peek import every_table
from tests.support import World, text, to
from tests.welcome_support import button, onboard


async def test_a_newcomer_makes_what_they_could_bring_an_offer_and_it_meets_a_need(
    world: World,
) -> None:
    await onboard(world, "Sam", could_bring="I can bake bread", buddy=False)
    listed = await world.privately("sam", "/offers")
    assert "What you said you could bring when you joined" in text(listed)
    assert "press its button below and choose the kind of help" in text(listed)

    kinds = await world.press("sam", button(listed, 'Offer "I can bake bread"'))
    assert 'What kind of help is "I can bake bread"?' in text(kinds)
    labels = [c.label for c in kinds[0].choices]
    assert labels[0] == "food" and labels[-1] == "something else"

    saved = await world.press("sam", button(kinds, "food"))
    assert 'Your offer for food is saved: "I can bake bread"' in text(saved)
    mine = text(await world.privately("sam", "/offers"))
    assert "1. food: I can bake bread (private)" in mine
    assert "What you said you could bring" not in mine  # listed once, as the offer it became

    asked = await world.say("carla", "/need food")
    assert "I can bake bread" in text(to(asked, "sam"))
    accepted = await choose(world, "sam", asked, "Yes, I can help")
    assert "I can bake bread" in text(to(accepted, "carla"))


async def test_only_its_author_can_make_a_contribution_an_offer(world: World) -> None:
    await onboard(world, "Sam", could_bring="Guitar lessons", buddy=False)
    await world.say("bob", "hello")
    listed = await world.privately("sam", "/offers")
    kinds = await world.press("sam", button(listed, "Guitar lessons"))
    for key in (button(listed, "Guitar lessons"), button(kinds, "connection")):
        assert "meant for someone else" in text(await world.press("bob", key))
    assert "You have no offers yet" in text(await world.privately("bob", "/offers"))
    assert "Guitar lessons" in text(await world.privately("sam", "/offers"))
    assert "Guitar lessons" not in text(await world.privately("bob", "/offers"))


async def test_pressing_twice_makes_one_offer(world: World) -> None:
    await onboard(world, "Sam", could_bring="Sewing repairs", buddy=False)
    kinds = await world.press("sam", button(await world.privately("sam", "/offers"), "Sewing"))
    await world.press("sam", button(kinds, "something else"))
    again = text(await world.press("sam", button(kinds, "something else")))
    assert "That's already an offer, or it's no longer here" in again
    mine = text(await world.privately("sam", "/offers"))
    assert "1. something else: Sewing repairs" in mine and "2." not in mine


async def test_a_contribution_already_offered_by_hand_is_kept_once(world: World) -> None:
    await onboard(world, "Sam", could_bring="Soup", buddy=False)
    await world.privately("sam", "/offer food Soup")
    kinds = await world.press("sam", button(await world.privately("sam", "/offers"), "Soup"))
    kept = text(await world.press("sam", button(kinds, "food")))
    assert "That's already one of your offers for food" in kept
    mine = text(await world.privately("sam", "/offers"))
    assert "1. food: Soup" in mine and "2." not in mine and "could bring" not in mine


async def test_a_contribution_longer_than_an_offer_is_refused_with_the_limit(world: World) -> None:
    long_words = "I can help with gardening, " * 15
    await onboard(world, "Sam", could_bring=long_words, buddy=False)
    listed = await world.privately("sam", "/offers")
    refused = text(await world.press("sam", button(listed, "I can help with gardening")))
    assert "longer than an offer can be (300 characters)" in refused
    assert "I can help with gardening" in text(await world.privately("sam", "/offers"))


async def test_once_it_is_an_offer_the_follow_up_does_not_ask_again(world: World) -> None:
    await onboard(world, "Sam", could_bring="Bike repairs", buddy=False)
    kinds = await world.press("sam", button(await world.privately("sam", "/offers"), "Bike"))
    await world.press("sam", button(kinds, "access"))
    follow_up = to(await world.advance(timedelta(days=3)), "sam")
    assert "How is it going?" in text(follow_up)
    assert all("could bring" not in c.label for r in follow_up for c in r.choices)


async def test_mydata_shows_the_offer_it_became_and_forgetme_erases_it(
    sqlite_store: SqliteStore,
) -> None:
    world = World(store=sqlite_store)
    await onboard(world, "Sam", could_bring="Sourdough starter", buddy=False)
    kinds = await world.press("sam", button(await world.privately("sam", "/offers"), "Sourdough"))
    await world.press("sam", button(kinds, "food"))
    mine = text(await world.privately("sam", "/mydata"))
    assert "Sourdough starter" in mine and "you could bring: Sourdough" not in mine

    asked = await world.privately("sam", "/forgetme")
    await world.press("sam", button(asked, "Yes, erase it"))
    for table in ("aid_offers", "welcome_contributions"):
        kept = every_table(sqlite_store)[table]
        assert not any("Sourdough" in str(row) for row in kept), table

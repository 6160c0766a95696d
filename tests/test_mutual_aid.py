"""Mutual aid: offers, private requests, and introductions only after both said yes."""

from __future__ import annotations

from datetime import timedelta

from bot.replies import Visibility
from tests.needs_helpers import choose, community, latest_choices
from tests.support import World, public, text, to
from tests.welcome_support import onboard


async def test_a_match_with_double_opt_in(world: World) -> None:
    await community(world, "bob", "carla")
    saved = await world.say("bob", "/offer food I cook extra on Sundays")
    assert "Your offer for food is saved" in text(saved)

    asked = await world.say("carla", "/need food for my two kids this week")
    assert "I'm asking someone who offered help" in text(to(asked, "carla"))
    question = to(asked, "bob")
    assert len(question) == 1 and question[0].visibility is Visibility.PRIVATE
    assert "Someone here could use a hand with food" in text(question)
    assert "carla" not in text(question).lower() and "kids" not in text(question)
    assert public(asked) == []

    accepted = await choose(world, "bob", asked, "Yes, I can help")
    assert "asked them whether they'd like to be introduced" in text(to(accepted, "bob"))
    offer_to_carla = to(accepted, "carla")
    assert "I cook extra on Sundays" in text(offer_to_carla)
    assert "bob" not in text(offer_to_carla).lower()

    introduced = await choose(world, "carla", accepted, "Yes, introduce us")
    assert "You're introduced: bob offered" in text(to(introduced, "carla"))
    assert "You're introduced: carla would be glad" in text(to(introduced, "bob"))
    assert 'In their words: "for my two kids this week"' in text(to(introduced, "bob"))
    assert all(r.visibility is not Visibility.PUBLIC for r in introduced)

    closed = await world.say("carla", "/need done")
    assert "Closed: food" in text(closed)
    assert to(closed, "bob") == []  # already introduced: nothing to call off


async def test_nobody_is_introduced_when_the_requester_says_no(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("bob", "/offer food soup on Fridays")
    asked = await world.say("carla", "/need food")
    accepted = await choose(world, "bob", asked, "Yes, I can help")
    declined = await choose(world, "carla", accepted, "I don't need it any more")
    assert "doesn't need your help after all" in text(to(declined, "bob"))
    assert "carla" not in text(to(declined, "bob"))
    assert "Closed: food" in text(to(declined, "carla"))
    assert "You have no open request" in text(await world.say("carla", "/need done"))


async def test_a_declined_offer_moves_to_the_next_offerer_never_the_requester(
    world: World,
) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("bob", "/offer food soup on Fridays")
    await world.say("carla", "/offer food I can share groceries")  # carla is the one asking
    await world.say("dan", "/offer food a spare freezer")
    asked = await world.say("carla", "/need food")
    assert to(asked, "bob") and not to(asked, "dan")

    moved = await choose(world, "bob", asked, "Not this time")
    assert "I'll ask someone else" in text(to(moved, "bob"))
    assert "a spare freezer" in text(to(moved, "dan"))
    assert to(moved, "carla") == []

    # Nobody answers for a day: with nobody left, carla hears it honestly.
    later = await world.advance(timedelta(days=1))
    honest = text(to(later, "carla"))
    assert "I've asked everyone who offered help with food" in honest
    assert "nobody is free" in honest
    assert to(later, "bob") == [] and to(later, "dan") == []

    # A new offer in that category reaches the waiting request.
    await world.say("eve", "hello")
    newcomer = await world.say("eve", "/offer food I bake bread")
    assert "could use a hand with food" in text(to(newcomer, "eve"))


async def test_the_least_recently_matched_offerer_is_asked_first(world: World) -> None:
    await community(world, "bob", "carla", "dan", "eve")
    await world.say("bob", "/offer food soup")
    await world.say("dan", "/offer food bread")
    first = await world.say("carla", "/need food")
    assert to(first, "bob")
    await choose(world, "bob", first, "Yes, I can help")
    second = await world.say("eve", "/need food")
    assert to(second, "dan") and not to(second, "bob")


async def test_an_unreachable_offerer_is_skipped_at_once(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("bob", "/offer health lifts to the clinic")
    await world.say("dan", "/offer health I'm a nurse")
    asked = await world.say("carla", "/need health")
    assert to(asked, "bob")
    moved = await world.unreachable("bob", resume="aid_offerer")
    assert "I'm a nurse" in text(to(moved, "dan"))
    assert public(moved) == []


async def test_a_request_closes_after_its_time_and_calls_off_the_question(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("ana", "/setup need_expiry 3d")
    opened = await world.say("carla", "/need access a laptop for job applications")
    assert "nobody has offered help with that yet" in text(opened)
    await world.advance(timedelta(days=2))
    asked = await world.say("bob", "/offer access I have an old laptop")
    assert "could use a hand with access" in text(to(asked, "bob"))
    expired = await world.advance(timedelta(days=1))
    assert "has closed after a while" in text(to(expired, "carla"))
    assert "doesn't need your help after all" in text(to(expired, "bob"))
    assert "no open request" in text(await world.say("carla", "/need done"))


async def test_need_done_calls_off_an_offerer_still_being_asked(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("bob", "/offer housing a spare room for a week")
    asked = await world.say("carla", "/need housing")
    done = await world.say("carla", "/need done housing")
    assert "Closed: housing" in text(to(done, "carla"))
    assert "doesn't need your help after all" in text(to(done, "bob"))
    pressed = await world.press("bob", latest_choices(asked, "bob").choices[0].key)
    assert "moved on" in text(pressed)
    # The one-day wait was called off too: nothing more happens.
    assert await world.advance(timedelta(days=2)) == []


async def test_asking_twice_in_one_category_is_refused(world: World) -> None:
    await community(world, "carla")
    await world.say("carla", "/need food")
    assert "already have an open request for food" in text(await world.say("carla", "/need food"))
    assert "Your open requests: food" in text(await world.say("carla", "/need"))


async def test_offers_are_listed_shared_and_withdrawn(world: World) -> None:
    await community(world, "bob", "carla")
    saved = await world.say("bob", "/offer food I cook extra on Sundays")
    shared = await choose(world, "bob", saved, "Show it publicly")
    assert "now public" in text(shared)
    await world.say("bob", "/offer other bike repairs")
    await world.say("carla", "/offer food private soup")

    listed = await world.say("bob", "/offers")
    shown = text(listed)
    assert "1. food: I cook extra on Sundays (public)" in shown
    assert "2. something else: bike repairs (private)" in shown
    assert "private soup" not in shown

    public_food = text(await world.say("dan", "/offers food"))
    assert "bob: I cook extra on Sundays" in public_food
    assert "private soup" not in public_food and "carla" not in public_food
    assert "Nobody has shared a public offer for health" in text(
        await world.say("dan", "/offers health")
    )

    withdrawn = await choose(world, "bob", listed, "Withdraw 1")
    assert "withdrawn" in text(withdrawn)
    assert "Nobody has shared a public offer for food" in text(
        await world.say("dan", "/offers food")
    )
    refused = await world.press("carla", latest_choices(listed, "bob").choices[3].key)
    assert "meant for someone else" in text(refused)


async def test_withdrawing_an_offer_being_asked_moves_the_request_on(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("bob", "/offer food soup")
    await world.say("dan", "/offer food bread")
    asked = await world.say("carla", "/need food")
    assert to(asked, "bob")
    listed = await world.say("bob", "/offers")
    moved = await choose(world, "bob", listed, "Withdraw 1")
    assert "bread" in text(to(moved, "dan"))


async def test_unknown_categories_and_long_texts_are_refused_kindly(world: World) -> None:
    await community(world, "bob")
    refused = text(await world.say("bob", "/offer cake I bake"))
    assert '"cake" isn\'t a kind of help I know' in refused
    assert "food, rest, housing, health, connection, access, other" in refused
    assert "I need the what" in text(await world.say("bob", "/offer food"))
    assert "a line is enough" in text(await world.say("bob", "/offer food " + "x" * 301))
    assert "You have no offers yet" in text(await world.say("bob", "/offers"))
    assert "Ask privately for a hand" in text(await world.say("bob", "/need"))
    assert "keep the details to 500" in text(await world.say("bob", "/need food " + "y" * 501))
    saved = text(await world.say("bob", "/offer Connection a cuppa and a chat"))
    assert "Your offer for connection & culture is saved" in saved


async def test_what_a_newcomer_said_they_could_bring_shows_with_their_offers(
    world: World,
) -> None:
    await onboard(world, "Sam", could_bring="I can bake bread", buddy=False)
    shown = text(await world.privately("sam", "/offers"))
    assert "You have no offers yet" in shown
    assert "What you said you could bring when you joined" in shown
    assert "I can bake bread" in shown
    await world.privately("sam", "/offer food fresh bread on Saturdays")
    shown = text(await world.privately("sam", "/offers"))
    assert "1. food: fresh bread on Saturdays" in shown and "I can bake bread" in shown
    assert "I can bake bread" not in text(await world.privately("bob", "/offers"))


async def test_kinds_of_help_are_suggested_while_typing(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", "/setup needs add childcare")
    origin = world.origin("bob")
    found = await world.hearth.suggest(origin, "offer", "category", "conn")
    assert [(s.label, s.value) for s in found] == [("connection & culture", "connection")]
    every = await world.hearth.suggest(origin, "need", "category", "")
    assert [s.value for s in every] == [
        "food",
        "rest",
        "housing",
        "health",
        "connection",
        "access",
        "childcare",
        "other",
    ]
    assert await world.hearth.suggest(origin, "offers", "category", "zzz") == []

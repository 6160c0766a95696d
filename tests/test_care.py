"""Care for the person who is struggling: a hard check-in, an unexpected private message and a
newcomer who could use a hand are each answered with warmth and the ways to get a hand, including
the community's own support text when its moderators have written one."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import CommandInvoked, MessagePosted, Origin, Person
from bot.replies import Visibility
from storage.sqlite import SqliteStore
from tests.needs_helpers import ANSWER_NUMBER, answer, choose, community, latest_choices
from tests.peek import every_table
from tests.support import PLATFORM, World, text, to
from tests.welcome_support import button, onboard

SUPPORT = "Write to Mo or Lu any time. Crisis line (24h): 0800 111 222."
OFFER_QUESTION = "anything you could offer"


async def test_a_hard_check_in_is_answered_with_warmth_and_a_way_to_get_a_hand(
    world: World,
) -> None:
    await community(world, "bob")
    await world.say("ana", "/checkin now")
    seen = []
    for letter in "uuuuuu":
        seen += await world.privately("bob", ANSWER_NUMBER[letter])
    acknowledged = text(to(seen[-1:], "bob"))
    assert "hard stretch" in acknowledged and "/need" in acknowledged
    assert "Support in" not in acknowledged  # the moderators have set no support text
    # The way to a hand is right there: a button for each need.
    hand = latest_choices(seen, "bob")
    assert "food" in [c.label for c in hand.choices]

    asked = await choose(world, "bob", seen, "food")
    assert "Nobody has offered help with food yet" in text(asked)
    after = await choose(world, "bob", asked, "That's all")
    assert OFFER_QUESTION not in text(after).lower()  # not asked to give, there and then
    assert "note for yourself" in text(after)
    done = text(await choose(world, "bob", after, "Skip"))
    assert "Thank you for checking in" in done and "/need" in done
    assert OFFER_QUESTION not in done.lower()
    assert "Your open requests: food" in text(await world.privately("bob", "/need"))


async def test_an_easier_check_in_is_still_asked_for_an_offer(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", "/checkin now")
    seen = []
    for letter in "usoooo":  # one unmet, one strained: not a hard time by Hearth's rule
        seen += await world.privately("bob", ANSWER_NUMBER[letter])
    assert "hard stretch" not in text(seen)
    offered = await choose(world, "bob", seen, "No, thanks")
    assert "Is there anything you could offer others?" in text(offered)


async def test_several_strained_needs_count_as_a_hard_check_in_too(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", "/checkin now")
    done = await answer(world, "bob", "sssooo")
    assert "hard stretch" in text(done)
    assert OFFER_QUESTION not in text(done).lower()


async def test_the_communitys_support_text_reaches_a_struggling_member(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", f"/setup support {SUPPORT}")
    await world.say("ana", "/checkin now")
    seen = []
    for letter in "uuuuuu":
        seen += await world.privately("bob", ANSWER_NUMBER[letter])
    reply = to(seen[-1:], "bob")
    assert reply[0].visibility is Visibility.PRIVATE
    assert "Support in Test community" in text(reply) and SUPPORT in text(reply)
    # Members can read it whenever they like, in /help.
    assert SUPPORT in text(await world.say("bob", "/help"))


async def test_an_unexpected_private_message_is_answered_kindly_with_the_ways_to_get_a_hand(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    world = World(store=store)
    await community(world, "bob")
    await world.say("ana", f"/setup support {SUPPORT}")
    with caplog.at_level(logging.DEBUG):
        replied = await world.privately("bob", "My landlord is threatening eviction")
    said = text(replied)
    assert [r.visibility for r in replied] == [Visibility.PRIVATE]
    assert "wasn't waiting for an answer" not in said
    assert "Thank you for writing" in said
    assert "/need" in said and "moderators of Test community" in said and SUPPORT in said
    # The words are neither kept nor logged.
    assert "eviction" not in caplog.text
    for table, kept in every_table(store).items():
        for row in kept:
            assert not any("eviction" in str(cell) for cell in row.values()), table
    await store.close()


async def test_without_a_support_text_the_kind_answer_still_names_need_and_moderators(
    world: World,
) -> None:
    said = text(await world.privately("bob", "hello?"))
    assert "/need" in said and "moderators of Test community" in said
    assert "Support in" not in said


async def test_a_message_after_a_closed_check_in_is_answered_kindly(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", "/checkin now")
    await world.advance(timedelta(days=3))
    said = text(await world.privately("bob", "things got worse this week"))
    assert "/need" in said and "moderators of Test community" in said


async def test_a_person_in_several_communities_hears_the_support_of_each(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", f"/setup support {SUPPORT}")

    def in_garden(who: str, *, admin: bool = False) -> Origin:
        person = Person(who, who, is_platform_admin=admin)
        return Origin(PLATFORM, "garden-group", person, "#plots", community_name="Garden")

    await world.hearth.handle(MessagePosted(in_garden("bob"), "hi"))
    await world.hearth.handle(
        CommandInvoked(in_garden("lu", admin=True), "setup", "support Ask Lu at the shed")
    )
    # bob's private chat is routed to one community; the support of both is named, its own first.
    said = text(await world.privately("bob", "I don't know who to ask"))
    assert "moderators of Test community" in said
    assert "Support in Test community" in said and SUPPORT in said
    assert "Support in Garden" in said and "Ask Lu at the shed" in said
    assert said.index(SUPPORT) < said.index("Ask Lu at the shed")


@pytest.mark.parametrize("buddy", [False, True])
async def test_a_newcomer_who_could_use_a_hand_hears_about_need(world: World, buddy: bool) -> None:
    world.make_admin("mo")
    await world.say("mo", f"/setup support {SUPPORT}")
    await world.say("bea", "/buddy")
    await onboard(world, "Sam", buddy=buddy)
    followup = to(await world.advance(timedelta(days=3)), "sam")
    hand = text(await world.press("Sam", button(followup, "I could use a hand")))
    assert "/need" in hand and "nobody learns it's you" in hand
    assert SUPPORT in hand
    assert ("Your buddy **bea**" in hand or "Your buddy bea" in hand) is buddy


async def test_setup_support_is_for_moderators_and_is_audited(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("bob", f"/setup support {SUPPORT}"))
    assert "for moderators" in refused
    assert "support: not set" in text(await world.say("ana", "/setup support"))

    assert SUPPORT in text(await world.say("ana", f"/setup support {SUPPORT}"))
    assert f"support: {SUPPORT}" in text(await world.say("ana", "/setup support"))
    assert "support:" in text(await world.say("ana", "/setup"))
    audit = text(await world.say("bob", "/audit"))
    assert "ana changed setting support" in audit and "0800 111 222" in audit

    too_long = text(await world.say("ana", "/setup support " + "x" * 801))
    assert "at most 800 characters" in too_long and "/setup support clear" in too_long
    assert f"support: {SUPPORT}" in text(await world.say("ana", "/setup support"))

    assert "not set" in text(await world.say("ana", "/setup support clear"))
    assert "support: not set" in text(await world.say("ana", "/setup support"))
    assert "ana changed setting support — not set" in text(await world.say("bob", "/audit"))
    assert "Support in" not in text(await world.privately("bob", "hello?"))


async def test_the_support_text_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    store = await SqliteStore.open(path)
    world = World(store=store)
    world.make_admin("ana")
    await world.say("ana", f"/setup support {SUPPORT}")
    await store.close()
    store = await SqliteStore.open(path)
    world = World(store=store, clock=world.clock)
    assert SUPPORT in text(await world.privately("bob", "is anyone there?"))
    await store.close()

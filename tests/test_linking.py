"""One community across places, one person across accounts: /link and /link me as people use
them, from a Telegram group and a Discord server on one Hearth. Every refusal says why, kindly,
and changes nothing stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.domain import CommunityLink
from bot.ports import Store
from bot.replies import Reply, Visibility
from tests.linking_support import (
    ALLOTMENT,
    GARDEN,
    KITCHEN,
    WORKSHOP,
    Place,
    Places,
    code_in,
    where_to,
)
from tests.peek import contents
from tests.support import public, text
from tests.welcome_support import button


@pytest.fixture
async def places(store: Store) -> Places:
    """ana moderates the Garden group on Telegram, dan the Workshop server on Discord; bob and
    carla are members of the Workshop."""
    world = Places(store=store)
    world.moderate("ana", GARDEN)
    world.moderate("dan", WORKSHOP)
    await world.in_place("ana", GARDEN, "hello")
    for who in ("dan", "bob", "carla"):
        await world.in_place(who, WORKSHOP, "hello")
    return world


async def place_code(world: Places, who: str, place: Place) -> str:
    asked = await world.in_place(who, place, "/link")
    return code_in(where_to(asked, place, who))


async def refused_and_unchanged(
    world: Places, who: str, place: Place, line: str, *, private: bool = False
) -> str:
    """What `who` is told when `line` is refused; nothing stored changed."""
    before = await contents(world.store)
    outcomes = world.hearth.outcomes.copy()
    replies = await world.in_place(who, place, line, private=private)
    assert world.hearth.outcomes["refused"] == outcomes["refused"] + 1, text(replies)
    assert await contents(world.store) == before
    assert all(r.target.user_ref == who.lower() for r in replies), "only the asker hears"
    return text(replies)


# -- /link alone -------------------------------------------------------------------------------


async def test_link_alone_lists_the_place_and_gives_a_moderator_a_code_privately(
    places: Places,
) -> None:
    asked = await places.in_place("ana", GARDEN, "/link")
    said = text(where_to(asked, GARDEN, "ana"))
    assert "This community is in these places:\n• Telegram: Garden group" in said
    private = [r for r in asked if r.target.channel_ref is None and not r.confirms_private]
    assert "works once, for 15 minutes" in text(private)
    assert "sends /link " + code_in(private) + " there" in text(private)
    assert "I've sent you a code to link another place" in text(asked)


async def test_a_member_sees_the_places_but_gets_no_code(places: Places) -> None:
    asked = await places.in_place("bob", WORKSHOP, "/link")
    assert "• Discord: Workshop server" in text(asked)
    assert "code" not in text(asked)
    assert not (await contents(places.store))["link_codes"]


async def test_help_shows_link(places: Places) -> None:
    shown = text(await places.in_place("bob", WORKSHOP, "/help"))
    assert "/link" in shown and "links your own accounts" in shown


# -- the four refusals the issue names ----------------------------------------------------------


async def test_a_code_sent_by_a_non_moderator_is_refused(places: Places) -> None:
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "bob", WORKSHOP, f"/link {code}")
    assert said == (
        "Only moderators can link places. If you'd like this place linked with another,"
        " ask a moderator here."
    )


async def test_an_expired_code_is_refused(places: Places) -> None:
    code = await place_code(places, "ana", GARDEN)
    places.clock.advance(timedelta(minutes=15, seconds=1))
    said = await refused_and_unchanged(places, "dan", WORKSHOP, f"/link {code}")
    assert said == (
        "That code has run out: codes work for 15 minutes. Get a new one where it came from."
    )


async def test_a_code_for_a_place_already_linked_elsewhere_is_refused(places: Places) -> None:
    """The Workshop's community already spans a console place too: it cannot join the
    Garden's."""
    async with places.store.unit_of_work() as uow:
        workshop = await uow.communities.find_link(WORKSHOP.platform, WORKSHOP.ref)
        assert workshop is not None
        await uow.communities.add_link(
            CommunityLink(workshop.community_id, "console", "pantry", "#pantry", {})
        )
        await uow.commit()
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "dan", WORKSHOP, f"/link {code}")
    assert said == (
        "This community already spans more than one place (console: Workshop server,"
        " Discord: Workshop server), so it can't join another. A moderator there can send"
        " /unlink in a place to split it off first."
    )


async def test_a_code_typed_wrong_is_refused(places: Places) -> None:
    await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "dan", WORKSHOP, "/link ABCDEFGH")
    assert said == (
        "I don't know that code. Check it was copied whole, or get a new one where it came from."
    )


# -- the other refusals -------------------------------------------------------------------------


async def test_a_code_sent_in_its_own_community_is_refused(places: Places) -> None:
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "ana", GARDEN, f"/link {code}")
    assert "That code comes from this same community." in said


async def test_a_second_place_on_the_same_platform_is_refused(places: Places) -> None:
    places.moderate("ana", ALLOTMENT)
    await places.in_place("ana", ALLOTMENT, "hello")
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "ana", ALLOTMENT, f"/link {code}")
    assert said == (
        "Garden group already has a place on Telegram, and a community has one place on each"
        " platform, so this one can't join it."
    )


@pytest.mark.parametrize("side", ["home", "joining"])
async def test_an_open_check_in_round_on_either_side_holds_the_link(
    places: Places, side: str
) -> None:
    if side == "home":
        await places.in_place("ana", GARDEN, "/checkin now")
    else:
        await places.in_place("dan", WORKSHOP, "/checkin now")
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "dan", WORKSHOP, f"/link {code}")
    place = "Telegram: Garden group" if side == "home" else "Discord: Workshop server"
    assert said == (
        f"A check-in round is open in {place}. Let's link once it has closed,"
        " so nobody is asked twice or counted apart."
    )


async def test_a_person_code_does_not_link_places(places: Places) -> None:
    mine = await places.privately_in("dan", WORKSHOP, "/link me")
    said = await refused_and_unchanged(places, "ana", GARDEN, f"/link {code_in(mine)}")
    assert said.startswith("That code links a person's own accounts, not places")


# -- /link me -----------------------------------------------------------------------------------


async def test_link_me_in_a_group_says_to_write_privately(places: Places) -> None:
    said = await refused_and_unchanged(places, "bob", WORKSHOP, "/link me")
    assert said == (
        "Linking your accounts happens in a private chat with me, so nobody else sees your"
        " code. Write to me privately and send /link me there."
    )


async def test_link_me_gives_a_code_for_the_other_account(places: Places) -> None:
    given = await places.privately_in("bob", WORKSHOP, "/link me")
    code = code_in(given)
    assert f"send me /link me {code} in a private chat within 15 minutes" in text(given)
    assert "nothing changes until you say yes" in text(given)


async def test_a_place_code_does_not_link_accounts(places: Places) -> None:
    code = await place_code(places, "ana", GARDEN)
    said = await refused_and_unchanged(places, "bob", GARDEN, f"/link me {code}", private=True)
    assert said.startswith("That code links places, not accounts")


async def test_link_me_refuses_the_same_account_and_an_unknown_code(places: Places) -> None:
    code = code_in(await places.privately_in("bob", WORKSHOP, "/link me"))
    same = await refused_and_unchanged(places, "bob", WORKSHOP, f"/link me {code}", private=True)
    assert same.startswith("That code is from this same account.")
    unknown = await refused_and_unchanged(places, "bob", GARDEN, "/link me ZZZZ2222", private=True)
    assert unknown.startswith("I don't know that code.")


async def link_me_asked(places: Places) -> tuple[str, list[str]]:
    """bob (Workshop, Discord) gives a code; his Telegram account sends it: the question goes
    to his Discord account only, with its Yes/No buttons (their keys returned)."""
    code = code_in(await places.privately_in("bob", WORKSHOP, "/link me"))
    sent = await places.privately_in("bob", GARDEN, f"/link me {code}")
    telegram = where_to(sent, GARDEN, "bob")
    assert text(telegram) == (
        "I've asked the account that gave you the code to confirm, in its private chat with me."
        " Nothing changes until it says yes."
    )
    question = where_to(sent, WORKSHOP, "bob")
    assert len(question) == 1 and question[0].target.channel_ref is None
    assert text(question).startswith(
        "The Telegram account bob sent me the code you got with /link me. Should it become you too?"
    )
    assert [c.label for c in question[0].choices] == ["Yes, that's me", "No"]
    return code, [c.key for c in question[0].choices]


async def people_and_accounts(store: Store) -> tuple[object, ...]:
    seen = await contents(store)
    return seen["people"], seen["accounts"], seen["members"]


async def test_no_at_the_confirmation_links_nothing_and_says_so_kindly(places: Places) -> None:
    _, (_, no) = await link_me_asked(places)
    before = await people_and_accounts(places.store)
    answered = await places.press_in("bob", WORKSHOP, no)
    assert text(where_to(answered, WORKSHOP, "bob")) == (
        "All right: nothing is linked, and the other account was told."
    )
    assert text(where_to(answered, GARDEN, "bob")) == (
        "The account that gave the code said no, so nothing is linked. If that was a mistake,"
        " start again with /link me."
    )
    assert await people_and_accounts(places.store) == before
    again = await places.press_in("bob", WORKSHOP, no)
    assert "No link is waiting for your answer any more" in text(again)


async def test_an_unconfirmed_code_links_nothing_and_a_late_yes_is_refused(
    places: Places,
) -> None:
    code, (yes, _) = await link_me_asked(places)
    before = await people_and_accounts(places.store)
    places.clock.advance(timedelta(minutes=15, seconds=1))
    late = await places.press_in("bob", WORKSHOP, yes)
    assert text(late) == (
        "This question has run out: it lasts 15 minutes. Start again with /link me if you like."
    )
    assert await people_and_accounts(places.store) == before
    # The code was spent when the other account sent it: nobody can send it again.
    reused = await refused_and_unchanged(places, "carla", GARDEN, f"/link me {code}", private=True)
    assert reused.startswith("That code was used already")


async def test_only_the_account_that_gave_the_code_can_say_yes(places: Places) -> None:
    _, (yes, _) = await link_me_asked(places)
    before = await people_and_accounts(places.store)
    # The account that sent the code presses the issuer's button (a forged press).
    refused = await places.press_in("bob", GARDEN, yes)
    assert "meant for someone else" in text(refused)
    assert await people_and_accounts(places.store) == before


async def test_a_persons_codes_show_in_mydata_and_go_with_forgetme(places: Places) -> None:
    await places.privately_in("carla", WORKSHOP, "/link me")
    mine = text(await places.privately_in("carla", WORKSHOP, "/mydata"))
    assert "link codes you asked for" in mine and "a code to link your accounts" in mine
    asked = await places.privately_in("carla", WORKSHOP, "/forgetme")
    await places.press_in("carla", WORKSHOP, button(asked, "Yes, erase it"))
    assert (await contents(places.store))["link_codes"] == []


async def test_with_a_reflection_round_open_on_both_sides_home_s_carries_on_for_everyone(
    places: Places,
) -> None:
    # A reflection round stays open until the next one, so it never holds a link; the
    # joining side's closes with its digest in its own place, and home's is everyone's.
    await places.in_place("ana", GARDEN, "/reflect_now")
    await places.in_place("dan", WORKSHOP, "/reflect_now")
    await places.in_place("carla", WORKSHOP, "/reflect shared Sawdust everywhere, happily.")
    code = await place_code(places, "ana", GARDEN)
    done = await places.in_place("dan", WORKSHOP, f"/link {code}")
    digest = [r for r in where_to(done, WORKSHOP) if "Sawdust everywhere" in r.text]
    assert digest and all(r.visibility is Visibility.PUBLIC for r in digest)
    asked = text(await places.in_place("carla", WORKSHOP, "/reflect Glad to be one group."))
    assert "replaces" not in asked and "already gone out" not in asked  # the open round
    async with places.store.unit_of_work() as uow:
        link = await uow.communities.find_link(WORKSHOP.platform, WORKSHOP.ref)
        assert link is not None
        rounds = await uow.reflections.rounds(link.community_id)
    assert [(r.number, r.is_open) for r in rounds] == [(1, True), (2, False)]


# -- success: two places, one community ------------------------------------------------------

GARDEN_IDEA = "/propose Seed swap | Bring seeds in spring, take others home."
WORKSHOP_IDEA = "/propose Tool library | Lend drills and saws from one shelf."


async def linked(places: Places) -> list[Reply]:
    """ana's Garden group (Telegram) is home; dan sends its code in the Workshop (Discord)."""
    code = await place_code(places, "ana", GARDEN)
    return await places.in_place("dan", WORKSHOP, f"/link {code}")


async def test_two_places_become_one_community(places: Places) -> None:
    await places.in_place("ana", GARDEN, GARDEN_IDEA)
    await places.in_place("dan", WORKSHOP, WORKSHOP_IDEA)
    done = await linked(places)

    told = (
        "Discord: Workshop server has joined Garden group: one community now, in Discord:"
        " Workshop server, Telegram: Garden group. Proposals, check-ins, reflections, offers and"
        " the audit log are shared."
    )
    for place in (GARDEN, WORKSHOP):
        posted = [r for r in public(done) if r.target.platform == place.platform]
        assert len(posted) == 1 and text(posted).startswith(told), place
    assert "Done: this place is part of Garden group now" in text(where_to(done, WORKSHOP, "dan"))
    issuer = text(where_to(done, GARDEN, "ana"))
    assert issuer.startswith(
        "Your code was used: Discord: Workshop server has joined your community."
    )

    # The Workshop's #1 comes after the Garden's #1, and its history says what it was.
    listed = text(await places.in_place("bob", WORKSHOP, "/proposals"))
    assert "#1 Seed swap" in listed and "#2 Tool library" in listed
    shown = text(await places.in_place("bob", WORKSHOP, "/proposal 2"))
    assert "noted it was #1 in Discord: Workshop server before the places were linked" in shown
    assert "Seed swap" in text(await places.in_place("ana", GARDEN, "/proposal 1"))

    audit = text(await places.in_place("ana", GARDEN, "/audit"))
    assert "dan linked Discord: Workshop server into this community" in audit
    assert "language en" in audit

    both = text(await places.in_place("carla", WORKSHOP, "/link"))
    assert "• Discord: Workshop server\n• Telegram: Garden group" in both
    # One community: a round started in the Garden asks the Workshop's members too.
    asked = await places.in_place("ana", GARDEN, "/checkin now")
    for who, platform in (("bob", "discord"), ("carla", "discord"), ("dan", "discord")):
        assert asked_privately(asked, who) == [platform], who


class Delivered:
    """Stands in for the platforms' adapters behind the outbox: what reached each of them."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.replies.extend(replies)


async def test_while_running_a_link_sent_on_discord_is_announced_in_the_telegram_group(
    places: Places,
) -> None:
    """A running Hearth answers the asker through the adapter they wrote on, which delivers
    its own platform only: the announcement for the other place goes through the outbox (it
    was dropped before, found by tests/test_two_places.py)."""
    code = await place_code(places, "ana", GARDEN)
    places.hearth.deliver_in_background = True  # as bot.runtime.serve sets it
    done = await places.in_place("dan", WORKSHOP, f"/link {code}")
    assert {r.target.platform for r in done} == {"discord"}
    delivered = Delivered()
    places.hearth.outbox = delivered
    await places.hearth.flush_outbox()
    in_group = [r for r in public(delivered.replies) if r.target.platform == "telegram"]
    assert text(in_group).startswith("Discord: Workshop server has joined Garden group")
    assert text(where_to(delivered.replies, GARDEN, "ana")).startswith("Your code was used")


async def test_a_code_used_twice_is_refused(places: Places) -> None:
    code = await place_code(places, "ana", GARDEN)
    await places.in_place("dan", WORKSHOP, f"/link {code}")
    places.moderate("kim", KITCHEN)
    await places.in_place("kim", KITCHEN, "hello")
    said = await refused_and_unchanged(places, "kim", KITCHEN, f"/link {code}")
    assert said == (
        "That code was used already: each code works once. Get a new one where it came from."
    )


async def test_a_place_linked_elsewhere_cannot_join_a_third(places: Places) -> None:
    await linked(places)
    places.moderate("kim", KITCHEN)
    code = await place_code(places, "kim", KITCHEN)
    said = await refused_and_unchanged(places, "ana", GARDEN, f"/link {code}")
    assert said == (
        "This community already spans more than one place (Discord: Workshop server,"
        " Telegram: Garden group), so it can't join another. A moderator there can send"
        " /unlink in a place to split it off first."
    )


# -- success: two accounts, one person ---------------------------------------------------------


async def one_bob(places: Places) -> None:
    """The places are linked; bob is on both, then says his Telegram account is him too."""
    await linked(places)
    await places.in_place("bob", GARDEN, "hello")
    _, (yes, _) = await link_me_asked(places)
    answered = await places.press_in("bob", WORKSHOP, yes)
    assert text(where_to(answered, WORKSHOP, "bob")).startswith(
        "Done: the Telegram account is you too now."
    )
    assert text(where_to(answered, GARDEN, "bob")).startswith(
        "Done: your Discord account said yes, so this account is the same person now."
    )


def asked_privately(replies: list[Reply], who: str) -> list[str]:
    """The platforms on which `who` was asked something privately (one for one person)."""
    return sorted(
        {
            r.target.platform
            for r in replies
            if r.target.user_ref == who and r.target.channel_ref is None and r.choices
        }
    )


async def test_two_accounts_become_one_person(places: Places) -> None:
    await one_bob(places)
    mine = text(await places.privately_in("bob", WORKSHOP, "/mydata"))
    assert "discord" in mine and "telegram" in mine and mine.count("name: bob") == 1

    # One member: a round asks him once, on the account he gave the code from.
    first = await places.in_place("ana", GARDEN, "/checkin now")
    assert asked_privately(first, "bob") == ["discord"]
    await places.advance(timedelta(days=3))

    # He writes from Telegram: that is where he is reached from now on.
    await places.privately_in("bob", GARDEN, "/help")
    second = await places.in_place("ana", GARDEN, "/checkin now")
    assert asked_privately(second, "bob") == ["telegram"]
    await places.advance(timedelta(days=3))

    # He pins Discord; a later word from Telegram no longer moves it.
    pinned = await places.privately_in("bob", WORKSHOP, "/link me here")
    assert text(pinned).startswith("From now on I'll write to you privately here, on Discord")
    await places.privately_in("bob", GARDEN, "/help")
    third = await places.in_place("ana", GARDEN, "/checkin now")
    assert asked_privately(third, "bob") == ["discord"]


async def test_a_moderator_on_both_sides_links_them_as_one_member(places: Places) -> None:
    """ana moderates the Garden on Telegram and, with a Discord account she linked to it, the
    Workshop: linking the places folds her two memberships into one, the Garden's."""
    places.moderate("ana", WORKSHOP)
    await places.in_place("ana", WORKSHOP, "hello")
    code = code_in(await places.privately_in("ana", GARDEN, "/link me"))
    asked = await places.privately_in("ana", WORKSHOP, f"/link me {code}")
    yes = where_to(asked, GARDEN, "ana")[0].choices[0].key
    await places.press_in("ana", GARDEN, yes)

    done = await places.in_place(
        "ana", WORKSHOP, f"/link {await place_code(places, 'ana', GARDEN)}"
    )
    assert "Done: this place is part of Garden group now" in text(where_to(done, WORKSHOP, "ana"))
    seen = await contents(places.store)
    assert [m["user_ref"] for m in seen["members"]].count("ana") == 1
    assert len(seen["communities"]) == 1
    audit = text(await places.in_place("ana", WORKSHOP, "/audit"))
    assert "ana linked Discord: Workshop server into this community" in audit

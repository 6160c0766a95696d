"""A shared reflection grows into a proposal or an offer, by its author's hand only."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from bot.ports import Store
from bot.services.handoffs import title_from
from bot.services.proposals.records import TITLE_LIMIT
from tests.needs_helpers import choose
from tests.support import World, public, text, to
from tests.welcome_support import button

BREAD = (
    "Honestly? I could run a weekly bread-baking morning for anyone who wants to learn. "
    "We could use the community kitchen on Saturdays, and share what we bake."
)


async def shared_reflection(world: World, who: str = "sam", words: str = BREAD) -> None:
    """A moderator opens a round and `who` answers it, shared: it is reflection 1."""
    world.make_admin("mo")
    await world.say("mo", "/reflect_now")
    saved = await world.say(who, f"/reflect shared {words}")
    assert "Answer 1 is shared" in text(saved)


async def audit_log(world: World) -> str:
    return text(await world.say("mo", "/audit"))


async def test_a_shared_reflection_becomes_a_proposal_that_remembers_where_it_came_from(
    store: Store,
) -> None:
    world = World(store=store)
    await shared_reflection(world)
    own_view = text(await world.say("sam", "/reflection 1"))
    assert "/propose from answer 1 makes it a proposal" in own_view
    assert "/offer <kind> from answer 1 makes it an offer" in own_view

    opened = await world.say("sam", "/propose from reflection 1")
    title = "Honestly? I could run a weekly bread-baking morning for anyone who wants to learn"
    assert f"Your answer 1 is now proposal #1: {title}" in text(to(opened, "sam"))
    announced = text(public(opened))
    assert f"New proposal #1: {title} by sam, from their reflection answer 1" in announced
    assert "share what we bake." in announced  # the whole answer is the details

    shown = text(await world.say("bea", "/proposal 1"))
    assert f"#1 {title}" in shown and "incubating" in shown
    assert "sam proposed it, from their reflection answer 1" in shown
    assert BREAD in shown
    assert "sam opened proposal #1 — from their reflection answer 1" in await audit_log(world)

    # It incubates like any other proposal: builds from others count as perspectives.
    await world.say("bea", "/build 1 and a jar of starter for everyone to take home")
    await world.say("cy", "/concern 1 the oven timetable on Saturdays")
    started = await world.advance(timedelta(days=3))
    assert "The consent round on #1" in text(public(started))


async def test_the_title_is_a_short_opening_and_the_details_keep_every_word(
    world: World,
) -> None:
    long_answer = " ".join(["We could share the big pots and pans between households"] * 8) + "."
    await shared_reflection(world, words=long_answer)
    opened = text(to(await world.say("sam", "/propose from reflection 1"), "sam"))
    title = opened.split("proposal #1: ", 1)[1].split(", posted in", 1)[0]
    assert len(title) <= TITLE_LIMIT and title.endswith("…")
    assert title.startswith("We could share the big pots and pans between households")
    assert long_answer in text(await world.say("sam", "/proposal 1"))


async def test_the_author_may_give_their_own_title(world: World) -> None:
    await shared_reflection(world)
    too_long = "x" * (TITLE_LIMIT + 1)
    refused = await world.say("sam", f"/propose from reflection 1 {too_long}")
    assert "120" in text(refused) and public(refused) == []
    opened = await world.say("sam", "/propose from reflection #1 Saturday bread mornings")
    assert "New proposal #1: Saturday bread mornings by sam" in text(public(opened))


async def test_only_the_author_may_hand_on_a_shared_answer_and_a_refusal_stores_nothing(
    world: World,
) -> None:
    await shared_reflection(world)
    await world.say("bea", "/reflect private I worry about the rent.")  # reflection 2
    before = await audit_log(world)

    refusals = {
        ("bea", "/propose from reflection 1"): "Only the person who wrote answer 1",
        ("bea", "/offer food from reflection 1"): "Only the person who wrote answer 1",
        ("sam", "/propose from reflection 2"): "can't find a shared reflection number 2",
        ("bea", "/propose from reflection 2"): "Answer 2 is private",
        ("bea", "/offer other from reflection 2"): "Answer 2 is private",
        ("sam", "/propose from reflection 99"): "can't find a shared reflection number 99",
        ("sam", "/propose from reflection seven"): '"seven" isn\'t an answer number',
        ("sam", "/offer from reflection 1"): "Which kind of help would answer 1 offer?",
        ("sam", "/offer fun from reflection 1"): '"fun" isn\'t a kind of help I know',
    }
    for (who, line), expected in refusals.items():
        replies = await world.say(who, line)
        assert expected in text(replies), line
        assert public(replies) == [], line

    assert "No proposals to show" in text(await world.say("sam", "/proposals all"))
    assert "You have no offers yet" in text(await world.say("sam", "/offers"))
    assert "You have no offers yet" in text(await world.say("bea", "/offers"))
    assert await audit_log(world) == before
    # Someone else reading the shared answer sees it, without the author's hint.
    assert "/propose from answer" not in text(await world.say("bea", "/reflection 1"))
    assert "/propose from answer" not in text(await world.say("bea", "/reflection 2"))


async def test_a_private_answer_shows_no_hint_until_it_is_shared(world: World) -> None:
    world.make_admin("mo")
    await world.say("mo", "/reflect_now")
    await world.say("sam", "/reflect private Soup on Sundays.")
    own_view = await world.say("sam", "/reflection 1")
    assert "/propose from answer" not in text(own_view)
    await world.press("sam", button(own_view, "Share it"))
    assert "/propose from answer 1" in text(await world.say("sam", "/reflection 1"))


async def test_a_reflection_becomes_one_proposal_until_that_one_is_withdrawn(
    world: World,
) -> None:
    await shared_reflection(world)
    await world.say("sam", "/propose from reflection 1")
    again = text(await world.say("sam", "/propose from reflection 1"))
    assert "Answer 1 is already proposal #1" in again
    await world.say("sam", "/withdraw 1 I want to rethink it")
    reopened = await world.say("sam", "/propose from reflection 1 Bread mornings, take two")
    assert "New proposal #2: Bread mornings, take two by sam" in text(public(reopened))


async def test_a_shared_reflection_becomes_an_offer_someone_can_be_matched_with(
    world: World,
) -> None:
    await shared_reflection(world, words="I have a car and could drive people to the clinic.")
    saved = text(await world.say("sam", "/offer access from reflection 1"))
    assert "Your offer for access (internet, tools, transport) is saved" in saved
    assert "drive people to the clinic" in saved
    again = text(await world.say("sam", "/offer from reflection 1 access"))  # the other order
    assert "That's already one of your offers for access" in again
    mine = text(await world.say("sam", "/offers"))
    assert "1. access (internet, tools, transport): I have a car" in mine
    assert "2." not in mine

    asked = await world.say("bea", "/need access a lift on Thursday")
    assert "could drive people to the clinic" in text(to(asked, "sam"))
    accepted = await choose(world, "sam", asked, "Yes, I can help")
    assert "I have a car" in text(to(accepted, "bea"))


async def test_an_offer_keeps_a_line_of_a_long_answer_and_the_reflection_keeps_it_all(
    world: World,
) -> None:
    long_answer = "I could mend clothes and teach others to mend. " * 20
    await shared_reflection(world, words=long_answer)
    saved = text(await world.say("sam", "/offer other from reflection 1"))
    what = saved.split('is saved: "', 1)[1].split('"', 1)[0]
    assert len(what) <= 300 and what.endswith("…")
    assert long_answer.strip() in text(await world.say("sam", "/reflection 1"))


def test_titles_from_answers_read_well() -> None:
    assert title_from("We need a tool library.") == "We need a tool library"
    assert title_from("Why not? Let's share the ladders and drills.") == (
        "Why not? Let's share the ladders and drills"
    )
    assert title_from("Rest!\nMore on a second line.") == "Rest!"
    assert title_from("A garden... maybe") == "A garden... maybe"


@example(".")
@given(st.text(min_size=1).filter(lambda s: s.strip()))
def test_a_title_from_any_answer_fits_and_comes_from_its_first_line(answer: str) -> None:
    title = title_from(answer)
    assert 0 < len(title) <= TITLE_LIMIT
    first_line = " ".join(next(line for line in answer.splitlines() if line.strip()).split())
    assert title.rstrip("…").strip() in first_line

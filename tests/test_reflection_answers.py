"""Members answer with /reflect: private unless they say so, shared answers in the digest only."""

from __future__ import annotations

from bot.errors import Refusal
from bot.replies import Visibility
from bot.services.reflections import shared_reflection_text
from storage.sqlite import SqliteStore
from tests.peek import every_table
from tests.reflection_support import digests, reflect_now
from tests.support import World, public, text, to

LONG = (
    "What kept me going was the Thursday soup evening. I came tired and left with a full "
    "stomach and two new ideas for the garden, and somebody offered to lend me a ladder for "
    "the gutter I have been worrying about since autumn. Small things, but they add up."
)


async def started(world: World) -> World:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    return world


async def test_an_answer_without_a_choice_stays_private_and_asks_to_share(world: World) -> None:
    await started(world)
    replies = await world.say("bo", "/reflect The compost finally smells like soil.")
    assert public(replies) == []
    [reply] = to(replies, "bo")
    assert reply.visibility is Visibility.EPHEMERAL
    assert "just for you" in text([reply])
    assert [c.label for c in reply.choices] == ["Share it", "Keep it private"]
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "compost" not in digest


async def test_pressing_share_puts_the_answer_in_the_digest(world: World) -> None:
    await started(world)
    asked = await world.say("bo", "/reflect The compost finally smells like soil.")
    shared = await world.press("bo", asked[0].choices[0].key, where="#general")
    assert "will be in the digest when round #1 closes" in text(shared)
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "bo (answer 1): The compost finally smells like soil." in digest


async def test_only_the_author_can_share_an_answer(world: World) -> None:
    await started(world)
    await world.say("cy", "hello")
    asked = await world.say("bo", "/reflect The compost finally smells like soil.")
    refused = await world.press("cy", asked[0].choices[0].key, where="#general")
    assert "meant for someone else" in text(refused)
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "compost" not in digest


async def test_a_digest_shows_shared_answers_and_never_private_ones(world: World) -> None:
    await started(world)
    await world.say("bo", "/reflect shared I asked my neighbour for help and it went fine.")
    await world.say("cy", "/reflect private I am scared about my landlord.")
    await world.say("di", "/reflect I have not slept properly in weeks.")
    everything = await world.say("ana", "/reflect_now")
    [digest] = digests(everything)
    assert "3 people reflected on this." in digest
    assert "I asked my neighbour for help and it went fine." in digest
    every_public_word = text(public(everything) + public(world.outbox.sent))
    assert "landlord" not in every_public_word and "slept" not in every_public_word
    assert "cy" not in digest and "di" not in digest


async def test_a_long_answer_is_shortened_with_a_way_to_read_it_all(world: World) -> None:
    await started(world)
    await world.say("bo", f"/reflect shared {LONG}")
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert LONG not in digest
    assert "…" in digest and "Read it all with /reflection 1" in digest
    assert LONG in text(await world.say("cy", "/reflection 1"))


async def test_a_private_answer_cannot_be_read_by_anyone_else(world: World) -> None:
    await started(world)
    await world.say("bo", "/reflect private Money is tight this month.")
    assert "can't find a shared reflection number 1" in text(await world.say("cy", "/reflection 1"))
    mine = text(await world.say("bo", "/reflection 1"))
    assert "Money is tight this month." in mine and "only you can see it" in mine


async def test_an_author_can_make_a_shared_answer_private_again(world: World) -> None:
    await started(world)
    await world.say("bo", "/reflect shared The repair café was a joy.")
    shown = await world.say("bo", "/reflection 1")
    [make_private] = shown[0].choices
    assert "stays private" in text(await world.press("bo", make_private.key, where="#general"))
    assert "can't find" in text(await world.say("cy", "/reflection 1"))
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "repair" not in digest


async def test_answering_again_replaces_the_earlier_answer(world: World) -> None:
    await started(world)
    await world.say("bo", "/reflect shared First thought.")
    again = text(await world.say("bo", "/reflect shared Second, better thought."))
    assert "replaces your earlier answer" in again
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "Second, better thought." in digest and "First thought." not in digest
    assert "One person reflected" in digest


async def test_reflect_alone_shows_the_current_prompt(world: World) -> None:
    assert "no reflection prompt in this community yet" in text(await world.say("bo", "/reflect"))
    await started(world)
    shown = text(await world.say("bo", "/reflect"))
    assert "Reflection round #1" in shown and 'Start with "shared"' in shown
    await world.say("bo", "/reflect private Quiet week.")
    assert "answered this one already (answer 1, private)" in text(
        await world.say("bo", "/reflect")
    )


async def test_bad_answers_are_refused_and_nothing_is_saved(world: World) -> None:
    assert "no reflection prompt to answer yet" in text(await world.say("bo", "/reflect Hello"))
    await started(world)
    assert "Write your reflection" in text(await world.say("bo", "/reflect shared"))
    assert "at most 1500" in text(await world.say("bo", "/reflect " + "x" * 1501))
    assert "haven't written any reflections" in text(await world.say("bo", "/reflection"))
    assert "isn't an answer number" in text(await world.say("bo", "/reflection soon"))


async def test_an_answer_after_the_digest_is_kept_and_says_so(world: World) -> None:
    await started(world)
    await world.say("ana", "/setup reflection digest 1h")
    await reflect_now(world)  # round 2 has a one-hour window
    from datetime import timedelta

    await world.advance(timedelta(hours=2))
    late = text(await world.say("bo", "/reflect shared Late, but here."))
    assert "digest for round #2 has already gone out" in late
    assert "Late, but here." in text(await world.say("cy", "/reflection 1"))


async def test_a_round_lists_all_its_shared_answers(world: World) -> None:
    await started(world)
    for name in ("bo", "cy", "di"):
        await world.say(name, f"/reflect shared {name} noticed the tomatoes.")
    await world.say("eve", "/reflect private eve kept this one.")
    listed = text(await world.say("bo", "/reflection round 1"))
    assert listed.count("noticed the tomatoes") == 3 and "eve" not in listed
    assert "no reflection round #9" in text(await world.say("bo", "/reflection round 9"))


async def test_my_reflections_are_listed_for_me_only(world: World) -> None:
    await started(world)
    await world.say("bo", "/reflect private A private note.")
    await world.say("ana", "/reflect_now")
    await world.say("bo", "/reflect shared A shared note.")
    mine = text(await world.say("bo", "/reflection"))
    assert "1 (round #1, private): A private note." in mine
    assert "2 (round #2, shared): A shared note." in mine


async def test_the_author_can_hand_a_shared_answer_to_another_feature(world: World) -> None:
    """The seam for `/propose from reflection K` (and offers)."""
    await started(world)
    await world.say("bo", "/reflect shared We could start a tool library.")
    await world.say("cy", "/reflect private Something only for me.")
    async with world.store.unit_of_work() as uow:
        bo = await uow.members.find(1, "test", "bo")
        cy = await uow.members.find(1, "test", "cy")
        assert bo is not None and cy is not None
        assert await shared_reflection_text(uow, bo, 1) == "We could start a tool library."
        refusals = []
        for member, number in ((cy, 1), (cy, 2), (bo, 2), (bo, 99)):
            try:
                await shared_reflection_text(uow, member, number)
            except Refusal as refusal:
                refusals.append(refusal.key)
    assert refusals == [
        "reflection_handoff_not_yours",
        "reflection_handoff_private",
        "reflection_not_found",
        "reflection_not_found",
    ]


async def test_mydata_holds_my_reflections_and_forgetme_erases_them(
    sqlite_store: SqliteStore,
) -> None:
    world = await started(World(store=sqlite_store))
    await world.say("bo", "/reflect private Rest more, worry less.")
    await world.say("bo", "/suggest_prompt What did you repair this month? sharing")
    data = text(await world.say("bo", "/mydata"))
    assert "reflections you wrote" in data and "Rest more, worry less." in data
    assert "shared: no, private" in data
    assert "What did you repair this month?" in data

    asked = await world.say("bo", "/forgetme")
    erased = text(await world.press("bo", asked[0].choices[0].key))
    assert "reflections you wrote: 1" in erased
    assert "reflection prompts you added or suggested: 1" in erased
    assert every_table(sqlite_store)["reflections"] == []
    # The prompt stays in the deck, no longer linked to bo.
    listed = text(await world.say("ana", "/prompt_add list"))
    assert "What did you repair this month?" in listed and "suggested by bo" not in listed


async def test_only_the_exact_words_shared_or_private_choose_and_the_reply_echoes(
    world: World,
) -> None:
    await started(world)
    said = text(await world.say("bo", "/reflect Public transport got me to the market."))
    assert 'answer 1: "Public transport got me to the market."' in said
    assert "just for you" in said
    said = text(await world.say("cy", "/reflect Shared: the seed swap was lovely."))
    assert 'shared: "the seed swap was lovely."' in said


async def test_a_busy_round_keeps_its_digest_brief_and_points_to_the_rest(world: World) -> None:
    await started(world)
    names = [f"member{n}" for n in range(9)]
    for name in names:
        await world.say(name, f"/reflect shared {name} says: {LONG}")
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "9 people reflected on this." in digest
    assert sum(f"{name} (answer" in digest for name in names) == 8
    assert "… and 1 more. /reflection round 1 shows them all." in digest
    assert len(digest) < 2000  # fits one message on every platform
    listed = text(await world.say("bo", "/reflection round 1"))
    assert all(f"{name} (answer" in listed for name in names)

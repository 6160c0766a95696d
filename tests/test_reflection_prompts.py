"""A community's own prompts: moderators add and remove them, members suggest them."""

from __future__ import annotations

from bot.services.reflections import load_deck
from bot.services.reflections.community_prompts import split_theme
from tests.reflection_support import prompts_posted, start_rounds
from tests.support import World, public, text, to

DECK_SIZE = len(load_deck())
SUGGESTION = "Which meal reminds you of someone you love?"


async def test_a_member_suggestion_is_in_the_deck_at_once(world: World) -> None:
    said = text(await world.say("bo", f"/suggest_prompt {SUGGESTION} gratitude"))
    assert "in the deck now as c1 (gratitude and care)" in said
    world.make_admin("ana")
    listed = text(await world.say("ana", "/prompt_add list"))
    assert f"c1: {SUGGESTION} (gratitude and care; suggested by bo)" in listed
    # Within one pass through the deck the suggestion comes up, crediting its author.
    posted = await start_rounds(world, DECK_SIZE + 1)
    assert SUGGESTION in prompts_posted(posted)
    assert len(set(prompts_posted(posted))) == DECK_SIZE + 1
    assert "suggested by bo" in text([r for r in posted if SUGGESTION in r.text])


async def test_a_suggestion_made_mid_cycle_still_comes_up_in_that_cycle(world: World) -> None:
    first = prompts_posted(await start_rounds(world, 10))
    await world.say("bo", f"/suggest_prompt {SUGGESTION}")
    rest = prompts_posted(await start_rounds(world, DECK_SIZE - 10 + 1))
    assert SUGGESTION in rest
    assert len(set(first + rest)) == DECK_SIZE + 1


async def test_moderators_add_prompts_with_a_theme(world: World) -> None:
    world.make_admin("ana")
    added = text(
        await world.say("ana", "/prompt_add Who did you laugh with this week? [gratitude]")
    )
    assert "Added to this community's deck as c1 (gratitude and care)" in added
    added = text(await world.say("ana", "/prompt_add What are you curious about at the moment?"))
    assert "as c2 (from this community)" in added
    assert "added reflection prompt" in text(await world.say("ana", "/audit"))


async def test_prompts_that_look_like_list_or_remove_are_still_added(world: World) -> None:
    world.make_admin("ana")
    added = text(
        await world.say("ana", "/prompt_add Remove one thing from your plate: what is it?")
    )
    assert "as c1" in added
    added = text(await world.say("ana", "/prompt_add List three things that went well."))
    assert "as c2" in added


async def test_moderators_remove_a_suggestion_and_its_author_is_told_why(world: World) -> None:
    await world.say("bo", f"/suggest_prompt {SUGGESTION}")
    world.make_admin("ana")
    replies = await world.say("ana", "/prompt_add remove c1 we had a very similar one last month")
    assert "Removed c1 from the deck" in text(to(replies, "ana"))
    [note] = [r for r in replies if r.target.user_ref == "bo"]
    assert "took your suggested prompt c1 out of the deck" in text([note])
    assert "we had a very similar one last month" in text([note])
    assert public(replies) == []
    assert "no prompts of its own yet" in text(await world.say("ana", "/prompt_add list"))
    posted = prompts_posted(await start_rounds(world, DECK_SIZE))
    assert SUGGESTION not in posted


async def test_built_in_prompts_stay_and_unknown_ones_are_refused(world: World) -> None:
    world.make_admin("ana")
    assert "built-in prompts, so it stays" in text(
        await world.say("ana", "/prompt_add remove needs-01")
    )
    assert 'no prompt "c7"' in text(await world.say("ana", "/prompt_add remove c7"))


async def test_members_suggest_but_cannot_add_or_remove(world: World) -> None:
    assert "is for moderators" in text(await world.say("bo", "/prompt_add A question for all?"))
    assert "is for moderators" in text(await world.say("bo", "/prompt_add remove c1"))


async def test_duplicates_and_odd_lengths_are_refused(world: World) -> None:
    built_in = load_deck().prompts[0]
    refused = text(await world.say("bo", f"/suggest_prompt {built_in.text('en').upper()}"))
    assert f"already in the deck (as {built_in.id})" in refused
    await world.say("bo", f"/suggest_prompt {SUGGESTION}")
    assert "already in the deck (as c1)" in text(
        await world.say("cy", f"/suggest_prompt {SUGGESTION.rstrip('?')}")
    )
    assert "between 10 and 300" in text(await world.say("bo", "/suggest_prompt Why?"))
    assert "I need the prompt" in text(await world.say("bo", "/suggest_prompt"))


async def test_one_member_cannot_flood_the_deck(world: World) -> None:
    for n in range(5):
        said = text(
            await world.say("bo", f"/suggest_prompt What is your favourite tool number {n}?")
        )
        assert f"as c{n + 1}" in said
    refused = text(await world.say("bo", "/suggest_prompt What is your favourite song lately?"))
    assert "5 suggestions waiting for their turn" in refused
    assert "as c6" in text(await world.say("cy", "/suggest_prompt What is your favourite song?"))


def test_a_theme_at_the_end_is_read_in_any_of_its_forms() -> None:
    assert split_theme("Who helped you? gratitude") == ("Who helped you?", "gratitude")
    assert split_theme("Who helped you? [Gratitude]") == ("Who helped you?", "gratitude")
    assert split_theme("Who helped you? #scale") == ("Who helped you?", "scale")
    assert split_theme("What are your needs") == ("What are your needs", None)
    assert split_theme("What are your [needs]") == ("What are your", "needs")
    assert split_theme("What  do you   need?") == ("What do you need?", None)
    assert split_theme("Where do you feel Gratitude") == ("Where do you feel Gratitude", None)

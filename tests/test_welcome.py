"""Newcomers are greeted publicly, asked privately what brings them and what they could bring,
and checked on after a few days; moderators shape the welcome and see how it goes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.replies import Visibility
from bot.services.welcome import contributions
from storage.sqlite import SqliteStore
from tests.peek import every_table, member_id, table_names
from tests.support import World, public, text, to
from tests.welcome_support import button, onboard, settle


async def test_a_newcomers_whole_journey_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    store = await SqliteStore.open(path)
    world = World(store=store)
    world.make_admin("mo")
    await world.say("mo", "/setup about A neighbourhood kitchen that cooks together")
    await world.say("bea", "/buddy")

    joined = await world.join("Sam")
    assert public(joined) == []  # the public welcome waits briefly for others joining too
    private = to(joined, "sam")
    assert [r.visibility for r in private] == [Visibility.PRIVATE]
    assert private[0].resume == "onboarding"
    said = text(private)
    assert "A neighbourhood kitchen that cooks together" in said
    assert "build on each other's ideas" in said and "Asking for help is normal" in said
    assert "What brings you here?" in said

    welcomed = await settle(world)
    assert "Welcome to Test community, Sam!" in text(public(welcomed))

    asked = await world.privately("Sam", "Meeting neighbours who like to cook")
    assert "What could you bring?" in text(asked)
    assert "I don't know yet" in [c.label for c in asked[0].choices]
    await store.close()

    # Hearth restarts: a new process on the same database and the same (simulated) time.
    store = await SqliteStore.open(path)
    world = World(store=store, clock=world.clock)
    resumed = await world.privately("Sam", "/welcome")
    assert "Welcome back" in text(resumed) and "What could you bring?" in text(resumed)
    buddy_question = await world.privately("Sam", "I bake bread and can fix bikes")
    assert "That's valuable" in text(buddy_question)
    assert "Would you like a buddy?" in text(buddy_question)

    done = await world.press("Sam", button(buddy_question, "Yes, please"))
    assert "Meet your buddy: bea" in text(to(done, "sam"))
    assert "That's everything" in text(to(done, "sam"))
    assert "A newcomer for you to welcome: Sam" in text(to(done, "bea"))
    async with store.unit_of_work() as uow:
        offered = await contributions(uow, 1)
    assert [(c.text, c.source) for c in offered] == [
        ("I bake bread and can fix bikes", "onboarding")
    ]

    first = await world.advance(timedelta(days=3))
    assert "for a few days now" in text(to(first, "sam"))
    second = await world.advance(timedelta(days=11))
    assert "A couple of weeks" in text(to(second, "sam"))
    assert "buddy time with Sam has come to a close" in text(to(second, "bea"))
    await store.close()


async def test_three_joins_within_a_minute_give_one_welcome(world: World) -> None:
    for who, gap in (("Ana", 0), ("Ben", 20), ("Cy", 30)):
        await world.advance(timedelta(seconds=gap))
        assert public(await world.join(who)) == []
    sent = await settle(world)
    welcomes = public(sent)
    assert len(welcomes) == 1
    assert "Ana, Ben and Cy" in text(welcomes)

    await world.join("Dee")
    later = public(await settle(world))
    assert len(later) == 1 and "Dee" in text(later) and "Ana" not in text(later)


async def test_someone_who_leaves_before_the_welcome_is_not_named(world: World) -> None:
    await world.join("Ana")
    await world.join("Ben")
    await world.leave("Ben")
    welcomes = public(await settle(world))
    assert "Ana!" in text(welcomes) and "Ben" not in text(welcomes)


async def test_the_same_join_never_fires_the_welcome_twice(world: World) -> None:
    first = await world.join("Sam")
    again = await world.join("Sam")
    assert to(first, "sam") and again == []
    assert len(public(await settle(world))) == 1
    assert public(await settle(world)) == []


async def test_a_welcome_with_an_unknown_placeholder_is_refused(world: World) -> None:
    world.make_admin("mo")
    refused = text(await world.say("mo", "/welcome_set Hello {nickname}, welcome to {community}"))
    assert "I can't fill in {nickname}" in refused
    assert "{name}, {community}" in refused
    assert "I can't fill in {name.__class__}" in text(
        await world.say("mo", "/welcome_set Hi {name.__class__}")
    )
    assert "doesn't close" in text(await world.say("mo", "/welcome_set Hi {name"))
    assert "Hearth's default" in text(await world.say("mo", "/welcome_set"))
    assert "welcome message" not in text(await world.say("mo", "/audit"))


async def test_moderators_write_show_and_reset_the_welcome(world: World) -> None:
    world.make_admin("mo")
    set_ = text(await world.say("mo", "/welcome_set Hi **{name}**, this is {community}. Say hi!"))
    assert "Hi Sam, this is Test community. Say hi!" in set_
    shown = text(await world.say("mo", "/welcome_set"))
    assert "Hi **{name}**, this is {community}. Say hi!" in shown
    await world.join("Ana")
    assert "Hi Ana, this is Test community. Say hi!" in text(public(await settle(world)))

    assert "back to the default" in text(await world.say("mo", "/welcome_set reset"))
    assert "already is the default" in text(await world.say("mo", "/welcome_set reset"))
    await world.join("Ben")
    assert "Welcome to Test community, Ben!" in text(public(await settle(world)))
    audit = text(await world.say("mo", "/audit"))
    assert "changed the welcome message" in audit and "reset the welcome message" in audit
    assert "for moderators" in text(await world.say("ana", "/welcome_set Hi"))


async def test_a_member_who_left_gets_no_follow_up(world: World) -> None:
    await world.join("Sam")
    await world.join("Tia")
    await world.leave("Sam")
    sent = await world.advance(timedelta(days=15))
    assert to(sent, "sam") == []
    assert len(to(sent, "tia")) == 2


async def test_an_unreachable_newcomer_is_offered_the_onboarding_in_the_channel(
    world: World,
) -> None:
    await world.join("Sam")
    offered = await world.unreachable("Sam", resume="onboarding")
    assert [(r.visibility, r.target.channel_ref, r.target.user_ref) for r in offered] == [
        (Visibility.EPHEMERAL, "#general", "sam")
    ]
    assert "couldn't reach you" in text(offered)
    assert await world.unreachable("Sam", resume="onboarding") == []  # offered once, not nagged

    started = await world.press("Sam", button(offered, "Start here"), where="#general")
    assert [r.visibility for r in started] == [Visibility.EPHEMERAL]
    assert "What brings you here?" in text(started)
    answered = await world.say("Sam", "Looking for friends", where="#general")
    assert "What could you bring?" in text(to(answered, "sam"))
    assert all(r.target.channel_ref == "#general" for r in answered)


async def test_chatting_in_a_channel_is_not_taken_as_an_answer(world: World) -> None:
    await world.join("Sam")
    assert await world.say("Sam", "hi all!") == []
    await world.privately("Sam", "Cooking with others")
    mydata = text(await world.privately("Sam", "/mydata"))
    assert "what brings you here: Cooking with others" in mydata
    assert "hi all" not in mydata


async def test_i_dont_know_yet_is_a_fine_answer_and_asked_again_gently(world: World) -> None:
    seen = await world.join("Sam")
    seen += await world.privately("Sam", "Curious")
    unsure = await world.press("Sam", button(seen, "I don't know yet"))
    assert "That's completely fine" in text(unsure)
    done = await world.press("Sam", button(unsure, "No, thanks"))
    assert "No buddy then" in text(done)

    followup = to(await world.advance(timedelta(days=3)), "sam")
    assert "something has come to mind" in text(followup)
    asked = await world.press("Sam", button(followup, "I know what I could bring"))
    assert "Tell me in a message" in text(asked)
    assert "That's valuable" in text(await world.privately("Sam", "I can lend my ladder"))
    async with world.store.unit_of_work() as uow:
        offered = await contributions(uow, 1, 1)
    assert [(c.text, c.source) for c in offered] == [("I can lend my ladder", "followup")]
    again = to(await world.advance(timedelta(days=11)), "sam")
    assert "something has come to mind" not in text(again)


async def test_typed_answers_that_mean_a_button_count_as_that_button(world: World) -> None:
    await world.join("Sam")
    await world.privately("Sam", "Skip!")
    assert "That's completely fine" in text(await world.privately("Sam", "I don't know."))
    assert "yes or a no" in text(await world.privately("Sam", "maybe"))
    assert "No buddy then" in text(await world.privately("Sam", "No thanks"))
    mydata = text(await world.privately("Sam", "/mydata"))
    assert "what you could bring: I don't know yet" in mydata
    assert "what brings you here" not in mydata
    async with world.store.unit_of_work() as uow:
        assert await contributions(uow, 1) == []


async def test_a_follow_up_lets_a_newcomer_ask_for_a_buddy_later(world: World) -> None:
    await world.say("bea", "/buddy")
    await onboard(world, "Sam", buddy=False)
    followup = to(await world.advance(timedelta(days=3)), "sam")
    hand = await world.press("Sam", button(followup, "I could use a hand"))
    assert "Asking for help is normal" in text(hand)
    found = await world.press("Sam", button(hand, "Find me a buddy"))
    assert "Meet your buddy: bea" in text(to(found, "sam"))
    assert "moved on" in text(await world.press("Sam", button(hand, "Find me a buddy")))


async def test_intro_is_posted_only_with_consent(world: World) -> None:
    await world.say("carla", "hello")
    preview = await world.say("ana", "/intro I grow tomatoes and _love_ soup")
    assert public(preview) == []
    assert "Shall I post it?" in text(to(preview, "ana"))
    assert "meant for someone else" in text(await world.press("carla", button(preview, "Yes")))
    posted = await world.press("ana", button(preview, "Yes, post it"))
    assert "ana introduces themselves:\nI grow tomatoes and _love_ soup" in text(public(posted))
    assert "moved on" in text(await world.press("ana", button(preview, "Yes, post it")))

    second = await world.say("ana", "/intro Second thoughts")
    kept_back = await world.press("ana", button(second, "No, don't post it"))
    assert public(kept_back) == [] and "haven't kept it" in text(kept_back)
    assert "Second thoughts" not in text(await world.say("ana", "/mydata"))
    assert "Usage: /intro <few words about you>" in text(await world.say("ana", "/intro"))


async def test_moderators_see_the_welcome_report(world: World) -> None:
    world.make_admin("mo")
    await world.say("bea", "/buddy")
    await onboard(world, "Sam")
    await world.join("Tia")
    report = text(await world.say("mo", "/report welcome"))
    assert "Joined: 2" in report
    assert "Finished the welcome questions: 1" in report
    assert "Buddy pairings made: 1 (passed on to someone else: 0)" in report
    assert "Waiting for a buddy now: 0" in report and "Buddy volunteers now: 1" in report

    await world.advance(timedelta(days=3))
    assert "Joined: 0" in text(await world.say("mo", "/report welcome 2d"))
    assert "Joined: 2" in text(await world.say("mo", "/report welcome 1w"))
    assert "couldn't read" in text(await world.say("mo", "/report welcome soon"))
    kinds = text(await world.say("mo", "/report"))
    assert "Choose one of:" in kinds and "welcome" in kinds
    assert "for moderators" in text(await world.say("sam", "/report welcome"))


async def test_moderators_set_the_follow_up_days(world: World) -> None:
    world.make_admin("mo")
    assert "2, 7 days after joining" in text(await world.say("mo", "/setup followups 2 7"))
    for bad in ("14 3", "0", "1 2 3 4", "soon"):
        assert "in increasing order" in text(await world.say("mo", f"/setup followups {bad}"))
    await world.join("Sam")
    assert to(await world.advance(timedelta(days=1)), "sam") == []
    assert "for a few days now" in text(to(await world.advance(timedelta(days=1)), "sam"))
    assert "A couple of weeks" in text(to(await world.advance(timedelta(days=5)), "sam"))


async def test_forgetme_leaves_no_trace_of_welcome_data(sqlite_store: SqliteStore) -> None:
    world = World(store=sqlite_store)
    await world.say("bea", "/buddy")
    await onboard(world, "Sam", brings="A quiet cup of tea", could_bring="Sourdough lessons")
    preview = await world.say("Sam", "/intro Tea lover")
    await world.press("Sam", button(preview, "Yes, post it"))
    mydata = text(await world.privately("Sam", "/mydata"))
    assert "A quiet cup of tea" in mydata and "Sourdough lessons" in mydata
    assert "Tea lover" in mydata and "buddy pairing as: newcomer" in mydata

    asked = await world.privately("Sam", "/forgetme")
    done = text(await world.press("Sam", button(asked, "Yes, erase it")))
    assert "welcome and onboarding: " in done and "buddies: " in done

    tables = table_names(sqlite_store, "welcome_%") + table_names(sqlite_store, "buddy_%")
    assert len(tables) == 7
    bea = member_id(sqlite_store, "bea")
    everything = every_table(sqlite_store)
    for table in tables:
        for row in everything[table]:
            people = {row.get(k) for k in ("member_id", "newcomer_id", "buddy_id")} - {None}
            assert people <= {bea}, f"{table} still points at someone forgotten: {row}"
            assert not {"Tea", "Sourdough"} & set(" ".join(map(str, row.values())).split())
    assert "buddy pairing" not in text(await world.privately("bea", "/mydata"))

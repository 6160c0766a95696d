"""Reach, in the core, on every SQL engine: the public notice when a private message is refused, and
the community a private chat is about. Kept in the database, so a restart changes neither."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.events import MemberLeft, Origin, Unreachable
from bot.hearth import Hearth
from bot.ports import Store
from bot.reach import NOTICE_EVERY, Reach
from tests.support import COMMUNITY, PLATFORM, World, text

OTHER = "hearth-other"


async def refused(hearth: Hearth, who: str, flow: str, *, present: bool = False) -> Reach:
    return await hearth.handle_unreachable(
        Unreachable(PLATFORM, COMMUNITY, who, payload={"resume": flow}, present=present)
    )


async def test_the_unreachable_notice_is_posted_once_per_group_and_flow_even_across_a_restart(
    store: Store,
) -> None:
    world = World(store=store)
    for name in ("Ana", "Bob", "Carla"):
        await world.say(name, "/help")

    assert (await refused(world.hearth, "bob", "checkin")).notice
    assert not (await refused(world.hearth, "carla", "checkin")).notice  # the same fan-out
    assert (await refused(world.hearth, "carla", "onboarding")).notice  # another flow

    restarted = World(store=store, clock=world.clock)  # a new process, the same database
    assert not (await refused(restarted.hearth, "bob", "checkin")).notice

    world.clock.advance(NOTICE_EVERY - timedelta(minutes=1))
    assert not (await refused(restarted.hearth, "bob", "checkin")).notice
    world.clock.advance(timedelta(minutes=1))
    assert (await refused(restarted.hearth, "bob", "checkin")).notice  # hours later: again


async def test_someone_answered_where_they_asked_needs_no_public_notice(store: Store) -> None:
    world = World(store=store)
    await world.say("Bob", "/help")
    assert not (await refused(world.hearth, "bob", "checkin", present=True)).notice
    assert (await refused(world.hearth, "bob", "checkin")).notice  # the others still get it


async def test_a_private_chat_after_a_restart_is_about_the_community_hearth_last_wrote_about(
    store: Store,
) -> None:
    world = World(store=store)
    await world.say("Bob", "/help")
    await world.hearth.register(other_origin(world))
    hearth = world.hearth
    assert await hearth.community_for_private(PLATFORM, "bob") is None  # two: unclear

    await hearth.wrote_privately(PLATFORM, "bob", OTHER)
    world.clock.advance(timedelta(minutes=5))
    await hearth.wrote_privately(PLATFORM, "bob", COMMUNITY)
    restarted = World(store=store, clock=world.clock)
    assert await restarted.hearth.community_for_private(PLATFORM, "bob") == COMMUNITY

    world.clock.advance(timedelta(minutes=5))
    await restarted.hearth.wrote_privately(PLATFORM, "bob", OTHER)
    assert await restarted.hearth.community_for_private(PLATFORM, "bob") == OTHER


async def test_a_private_chat_is_never_about_a_community_the_person_left(store: Store) -> None:
    world = World(store=store)
    await world.say("Bob", "/help")
    await world.hearth.register(other_origin(world))
    await world.hearth.wrote_privately(PLATFORM, "bob", OTHER)
    await world.hearth.handle(MemberLeft(other_origin(world)))
    assert await world.hearth.community_for_private(PLATFORM, "bob") == COMMUNITY  # the one left

    await world.hearth.wrote_privately(PLATFORM, "bob", OTHER)  # not a member there: ignored
    assert await world.hearth.community_for_private(PLATFORM, "bob") == COMMUNITY
    assert await world.hearth.community_for_private(PLATFORM, "stranger") is None


async def test_private_answers_that_went_out_at_once_are_each_noted_and_kept(
    store: Store,
) -> None:
    world = World(store=store)
    for name in ("Bob", "Carla"):
        await world.say(name, "/help")
        await world.hearth.register(other_origin(world, name))
    hearth = world.hearth
    await asyncio.gather(
        hearth.wrote_privately(PLATFORM, "bob", OTHER),
        hearth.wrote_privately(PLATFORM, "stranger", COMMUNITY),  # not a member: ignored
        hearth.wrote_privately(PLATFORM, "carla", COMMUNITY),
    )
    restarted = World(store=store, clock=world.clock)  # noted before each call returned
    assert await restarted.hearth.community_for_private(PLATFORM, "bob") == OTHER
    assert await restarted.hearth.community_for_private(PLATFORM, "carla") == COMMUNITY
    assert await restarted.hearth.community_for_private(PLATFORM, "stranger") is None


def other_origin(world: World, name: str = "Bob") -> Origin:
    """Someone (Bob) in a second community on the same platform."""
    return replace(world.origin(name), community_ref=OTHER, community_name="Other")


async def test_what_hearth_remembers_about_a_private_chat_is_in_mydata_and_forgotten(
    store: Store,
) -> None:
    world = World(store=store)
    await world.say("Bob", "/help")
    await world.hearth.wrote_privately(PLATFORM, "bob", COMMUNITY)
    mine = text(await world.privately("Bob", "/mydata"))
    assert "your private chat with Hearth (which community it is about)" in mine
    assert "last written to you" in mine

    erase = await world.privately("Bob", "/forgetme")
    await world.press("Bob", next(c.key for r in erase for c in r.choices if "yes" in c.key))
    assert await world.hearth.community_for_private(PLATFORM, "bob") is None

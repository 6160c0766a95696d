"""/start and the core facts adapters need for private chats: memberships and reachability."""

from __future__ import annotations

import pytest

from bot.events import MessagePosted, Origin, Person
from bot.ports import Store
from storage.memory import MemoryStore
from storage.sqlite import SqliteStore
from tests.support import PLATFORM, World, text


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, sqlite_store: SqliteStore) -> Store:
    return MemoryStore() if request.param == "memory" else sqlite_store


async def test_start_says_hello_privately(world: World) -> None:
    hello = text(await world.privately("bob", "/start"))
    assert "I'm Hearth, the helper of Test community" in hello


async def test_start_resumes_a_flow_by_its_command(world: World) -> None:
    resumed = await world.privately("bob", "/start mydata")
    assert "What Hearth holds about you" in text(resumed)
    assert "I'm Hearth" in text(await world.privately("bob", "/start no_such_flow"))


async def test_start_does_not_bypass_roles(world: World) -> None:
    refused = await world.privately("bob", "/start setup")
    assert "/setup is for moderators" in text(refused)


async def test_memberships_span_communities_and_end_when_leaving(store: Store) -> None:
    world = World(store=store)
    await world.say("bob", "hello")
    other = Origin(PLATFORM, "garden", Person("bob", "Bob"), "#main", community_name="Garden")
    await world.hearth.handle(MessagePosted(other, "hello"))
    await world.say("carla", "hello")

    found = await world.hearth.memberships(PLATFORM, "bob")
    assert sorted((m.community_ref, m.community_name) for m in found) == [
        ("garden", "Garden"),
        ("hearth-test", "Test community"),
    ]
    await world.leave("bob")
    assert [m.community_ref for m in await world.hearth.memberships(PLATFORM, "bob")] == ["garden"]
    assert await world.hearth.memberships("elsewhere", "bob") == []


async def test_reachable_again_clears_the_mark(store: Store) -> None:
    world = World(store=store)
    await world.say("bob", "hello")
    await world.unreachable("bob")

    async def mark() -> object:
        async with world.store.unit_of_work() as uow:
            link = await uow.communities.find_link(PLATFORM, "hearth-test")
            assert link is not None
            member = await uow.members.find(link.community_id, PLATFORM, "bob")
            assert member is not None
            return member.unreachable_since

    assert await mark() == world.clock.now()
    await world.hearth.reachable(PLATFORM, "bob")
    assert await mark() is None

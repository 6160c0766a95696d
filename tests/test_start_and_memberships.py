"""/start and the core facts adapters need for private chats: memberships and reachability."""

from __future__ import annotations

from bot.events import MessagePosted, Origin, Person
from bot.feature import Feature
from bot.ports import Store
from tests.support import PLATFORM, World, text


async def test_start_says_hello_privately(world: World) -> None:
    hello = text(await world.privately("bob", "/start"))
    assert "I'm Hearth, the helper of Test community" in hello


def _resumable(world: World, flow: str, line: str) -> None:
    feature = Feature(f"resumes_{flow}")
    feature.resumes[flow] = line
    world.hearth.install(feature)


async def test_start_resumes_a_declared_flow(world: World) -> None:
    _resumable(world, "data_flow", "mydata")
    resumed = await world.privately("bob", "/start data_flow")
    assert "What Hearth holds about you" in text(resumed)


async def test_start_never_runs_a_command_that_merely_shares_the_flows_name(world: World) -> None:
    assert "I'm Hearth" in text(await world.privately("bob", "/start mydata"))
    assert "I'm Hearth" in text(await world.privately("bob", "/start no_such_flow"))


async def test_start_resumes_the_onboarding(world: World) -> None:
    await world.join("bob")
    resumed = text(await world.privately("bob", "/start onboarding"))
    assert "1 of 3 · What brings you here?" in resumed


async def test_start_does_not_bypass_roles(world: World) -> None:
    _resumable(world, "admin_flow", "setup timezone UTC")
    refused = await world.privately("bob", "/start admin_flow")
    assert "/setup is for moderators" in text(refused)
    world.make_admin("ana")
    done = await world.privately("ana", "/start admin_flow")
    assert "Done: timezone is now UTC" in text(done)


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

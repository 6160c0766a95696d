"""Who may do what: member < moderator < owner, decided by the core."""

from __future__ import annotations

from bot.roles import Role, decide_role
from tests.support import World, text, to


async def test_member_cannot_use_a_moderator_command_and_nothing_changes(world: World) -> None:
    await world.say("bob", "hello")
    replies = await world.say("bob", "/setup timezone Europe/Berlin")

    assert "/setup is for moderators" in text(to(replies, "bob"))
    async with world.store.unit_of_work() as uow:
        link = await uow.communities.find_link("test", "hearth-test")
        assert link is not None
        assert (await uow.communities.get(link.community_id)).timezone == "UTC"
        assert await uow.audit.latest(link.community_id, 10) == []


async def test_platform_admin_is_a_moderator(world: World) -> None:
    world.make_admin("ana")
    replies = await world.say("ana", "/setup timezone Europe/Berlin")
    assert "timezone is now Europe/Berlin" in text(replies)


async def test_moderator_grants_the_role_and_it_shows_in_the_audit_log(world: World) -> None:
    world.make_admin("ana")
    await world.say("bob", "hello")
    assert "bob is now a moderator" in text(await world.say("ana", "/mods add @bob"))
    assert "timezone is now Asia/Tokyo" in text(
        await world.say("bob", "/setup timezone Asia/Tokyo")
    )
    assert "bob" in text(await world.say("ana", "/mods list"))

    audit = text(await world.say("carla", "/audit"))
    assert "ana granted moderator to bob" in audit
    assert "bob changed setting timezone" in audit


async def test_removing_a_moderator_takes_the_role_away(world: World) -> None:
    world.make_admin("ana")
    await world.say("bob", "hi")
    await world.say("ana", "/mods add bob")
    assert "no longer a Hearth moderator" in text(await world.say("ana", "/mods remove bob"))
    assert "is for moderators" in text(await world.say("bob", "/schedule"))


async def test_granting_an_unknown_member_is_refused_kindly(world: World) -> None:
    world.make_admin("ana")
    replies = await world.say("ana", "/mods add @nobody")
    assert 'couldn\'t find a member called "nobody"' in text(replies)


def test_roles_are_ordered_and_platform_facts_decide_first() -> None:
    assert Role.MEMBER < Role.MODERATOR < Role.OWNER
    assert decide_role(is_platform_owner=True, is_platform_admin=False, granted=None) is Role.OWNER
    assert (
        decide_role(is_platform_owner=False, is_platform_admin=False, granted=Role.MODERATOR)
        is Role.MODERATOR
    )
    assert (
        decide_role(is_platform_owner=False, is_platform_admin=False, granted=None) is Role.MEMBER
    )

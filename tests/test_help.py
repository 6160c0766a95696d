"""/help shows each person what they may use."""

from __future__ import annotations

from tests.support import World, text


async def test_member_sees_member_commands_only(world: World) -> None:
    shown = text(await world.say("bob", "/help"))
    assert "/privacy" in shown and "/mydata" in shown and "/forgetme" in shown
    assert "/setup" not in shown and "/mods" not in shown


async def test_moderator_sees_moderator_commands_too(world: World) -> None:
    world.make_admin("ana")
    shown = text(await world.say("ana", "/help"))
    assert "/setup" in shown and "/schedule" in shown and "/mods" in shown


async def test_help_explains_one_command(world: World) -> None:
    shown = text(await world.say("bob", "/help schedule"))
    assert shown.startswith("/schedule [") and "reflection" in shown.splitlines()[0]
    assert "moderators and up" in shown


async def test_help_for_an_unknown_command(world: World) -> None:
    assert "I don't know the command /dance" in text(await world.say("bob", "/help dance"))

"""Moderators shape their community with /setup; invalid values are refused with what is valid."""

from __future__ import annotations

from tests.support import World, text


async def test_setup_shows_every_setting(world: World) -> None:
    world.make_admin("ana")
    shown = text(await world.say("ana", "/setup"))
    for key in ("name", "timezone", "language", "about", "channel"):
        assert f"{key}:" in shown


async def test_unknown_timezone_is_refused_with_examples_and_nothing_changes(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("ana", "/setup timezone Mars/Olympus"))
    assert "isn't a timezone I know" in refused
    assert "Europe/Berlin" in refused
    assert "timezone: UTC" in text(await world.say("ana", "/setup timezone"))


async def test_timezone_is_matched_without_regard_to_case(world: World) -> None:
    world.make_admin("ana")
    assert "Europe/Berlin" in text(await world.say("ana", "/setup timezone europe/berlin"))


async def test_channels_are_set_per_role(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup channel proposals #ideas")
    shown = text(await world.say("ana", "/setup channel"))
    assert "proposals: #ideas" in shown
    assert "welcome: #general" in shown
    refused = text(await world.say("ana", "/setup channel kitchen #food"))
    assert "The channels are: welcome, proposals, reflections, announcements" in refused


async def test_unknown_setting_and_language_are_refused(world: World) -> None:
    world.make_admin("ana")
    assert "settings are: name" in text(await world.say("ana", "/setup colour blue"))
    refused = text(await world.say("ana", "/setup language xx"))
    assert "Available: Deutsch (de), English (en), español (es)" in refused


async def test_member_chooses_their_own_language(world: World) -> None:
    assert "speaking English (en)" in text(await world.say("bob", "/language"))
    assert "Available: Deutsch (de), English (en), español (es)" in text(
        await world.say("bob", "/language tlh")
    )

"""Telegram command menus: administrators of every group see the moderator commands from the
start, a moderator granted with /mods gets a menu of their own in that group, and nothing is
sent again while nothing changed. The real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.commands import Args
from bot.context import CommandContext
from bot.domain import CommunityLink
from bot.events import Origin, Person
from bot.feature import Feature
from bot.ports import Store
from bot.roles import Role
from bot.services.moderators import Granted, granted_on
from tests.conftest import ENGINES, engine_store
from tests.telegram_support import GROUP_ID, TelegramWorld, texts

ADMINISTRATORS = {"type": "all_chat_administrators"}
DEFAULT = {"type": "default"}


@pytest.fixture(params=ENGINES)
async def tg(request: pytest.FixtureRequest) -> AsyncIterator[TelegramWorld]:
    """On both engines: on PostgreSQL every statement waits on the network, so a stop lands
    in the middle of a menu check if anything lets it."""
    async with engine_store(request.param) as store:
        world = TelegramWorld(store=store)
        await world.start()
        yield world
        await world.close()


def bobs_menu(tg: TelegramWorld) -> dict[str, Any]:
    return {"type": "chat_member", "chat_id": GROUP_ID, "user_id": tg.bob["id"]}


async def test_administrators_see_moderator_commands_before_their_group_says_anything(
    tg: TelegramWorld,
) -> None:
    assert tg.handled == {}  # no group has sent Hearth anything since it started
    admins = tg.fake.menu(ADMINISTRATORS)
    everyone = tg.fake.menu(DEFAULT)
    assert {"setup", "mods", "report", "schedule", "help"} <= set(admins)
    assert "help" in everyone and "setup" not in everyone and "mods" not in everyone
    assert [scope["type"] for _, scope in tg.fake.menu_calls()] == [
        "default",
        "all_chat_administrators",
    ]


async def test_each_language_gets_its_own_menu_and_an_unchanged_one_is_not_sent_again(
    tg: TelegramWorld,
) -> None:
    for language, words in (("es", "Pide una mano en privado"), ("de", "Privat um Hilfe bitten")):
        assert [scope for _, scope in tg.fake.menu_calls(language)] == [DEFAULT, ADMINISTRATORS]
        described = {
            c["command"]: c["description"] for c in tg.fake.menu_described(DEFAULT, language)
        }
        assert set(described) == set(tg.fake.menu(DEFAULT))  # the same commands
        assert words in described["need"]  # in that language's words
    english = {c["command"]: c["description"] for c in tg.fake.menu_described(DEFAULT)}
    assert english["need"].startswith("Ask privately for a hand")

    before = {language: len(tg.fake.menu_calls(language)) for language in ("es", "de")}
    await tg.restart()
    assert {language: len(tg.fake.menu_calls(language)) for language in ("es", "de")} == before


async def test_a_restart_with_unchanged_commands_sends_nothing_again(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "hello")
    before = len(tg.fake.menu_calls())
    await tg.restart()
    await tg.say(tg.bob, "hello again")
    assert tg.fake.menu_calls()[before:] == []

    # A new command changes both menus: each is sent once more, and only those.
    tg.features.append(_tidy_feature())
    await tg.restart()
    assert [scope for _, scope in tg.fake.menu_calls()[before:]] == [DEFAULT, ADMINISTRATORS]
    assert "tidy" in tg.fake.menu(DEFAULT) and "tidy" in tg.fake.menu(ADMINISTRATORS)


async def test_a_moderator_granted_with_mods_gets_the_moderator_menu_in_that_group(
    tg: TelegramWorld,
) -> None:
    await tg.say(tg.bob, "hello")
    added = await tg.say(tg.ana, "/mods add Bob")
    assert "Bob is now a moderator" in texts(added)
    await tg.fake.wait_for(lambda: "setup" in tg.fake.menu(bobs_menu(tg)))
    assert {"setup", "mods", "report"} <= set(tg.fake.menu(bobs_menu(tg)))

    # Bob keeps his menu across a restart, without it being sent again.
    before = len(tg.fake.menu_calls())
    await tg.restart()
    assert tg.fake.menu_calls()[before:] == []

    await tg.say(tg.ana, "/mods remove Bob")
    await tg.fake.wait_for(lambda: ("deleteMyCommands", bobs_menu(tg)) in tg.fake.menu_calls())
    assert tg.fake.menu(bobs_menu(tg)) == []
    assert tg.fake.menu_calls()[-1] == ("deleteMyCommands", bobs_menu(tg))  # nothing else sent


async def test_menus_an_older_hearth_set_per_group_are_deleted_once() -> None:
    world = TelegramWorld()
    # An older Hearth knew the group and set its administrators' menu there; that menu would
    # outrank the one for all administrators.
    person = Person(user_ref=str(world.bob["id"]), display_name="Bob")
    await world.hearth.register(
        Origin("telegram", str(GROUP_ID), person, str(GROUP_ID), community_name="Kitchen")
    )
    try:
        await world.start()
        group_menu = {"type": "chat_administrators", "chat_id": GROUP_ID}
        assert ("deleteMyCommands", group_menu) in world.fake.menu_calls()
        before = len(world.fake.menu_calls())
        await world.restart()
        assert world.fake.menu_calls()[before:] == []
    finally:
        await world.close()


async def test_granted_moderators_are_found_per_platform_in_both_stores(store: Store) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    async with store.unit_of_work() as uow:
        garden = await uow.communities.add(name="Garden", timezone="UTC", language="en", now=now)
        for platform, ref in (("telegram", "-100"), ("discord", "g1")):
            await uow.communities.add_link(CommunityLink(garden.id, platform, ref, ref, {}))
        for platform, name in (("telegram", "11"), ("telegram", "12"), ("discord", "13")):
            member = await uow.members.add(
                community_id=garden.id,
                platform=platform,
                user_ref=name,
                display_name=name,
                language=None,
                now=now,
            )
            member.granted_role = Role.MODERATOR
            member.left_at = now if name == "12" else None  # left the group: no menu there
            await uow.members.save(member)
        await uow.commit()
    assert await granted_on(store, "telegram") == [Granted("-100", "11", Role.MODERATOR)]
    async with store.unit_of_work() as uow:
        assert [link.community_ref for link in await uow.communities.links_on("telegram")] == [
            "-100"
        ]


def _tidy_feature() -> Feature:
    feature = Feature("tidy")

    async def tidy(ctx: CommandContext, args: Args) -> None:
        ctx.say("help_intro")

    feature.command("tidy", about="Tidy up.")(tidy)
    return feature

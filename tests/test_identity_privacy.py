"""A person's accounts are their data: /mydata shows them, /forgetme takes them once no
community needs them, and forgetting yourself in one community keeps you in another."""

from __future__ import annotations

from bot.events import ChoicePressed, CommandInvoked, Origin, Person
from bot.replies import Reply
from tests.support import MAIN, PLATFORM, World, text


async def _in_kitchen(world: World, who: str, line: str = "", key: str = "") -> list[Reply]:
    """The same person, on the same platform, in a second community."""
    origin = Origin(PLATFORM, "kitchen", Person(user_ref=who, display_name=who), MAIN)
    if key:
        return await world.hearth.handle(ChoicePressed(origin, key))
    name, _, rest = line[1:].partition(" ")
    return await world.hearth.handle(CommandInvoked(origin, name, rest, confidential=True))


async def test_mydata_names_the_account_you_use(world: World) -> None:
    shown = text(await world.say("ana", "/mydata"))
    assert "your platform accounts" in shown
    assert f"platform: {PLATFORM}; account: ana" in shown


async def test_forgetting_yourself_in_one_community_keeps_you_in_another(world: World) -> None:
    await world.say("ana", "hello")
    await _in_kitchen(world, "ana", "/mydata")

    asked = await world.say("ana", "/forgetme")
    done = text(await world.press("ana", asked[0].choices[0].key))
    assert "membership: 1" in done
    assert "accounts" not in done  # the kitchen still knows ana through it

    kept = text(await _in_kitchen(world, "ana", "/mydata"))
    assert "name: ana" in kept and "account: ana" in kept

    asked = await _in_kitchen(world, "ana", "/forgetme")
    done = text(await _in_kitchen(world, "ana", key=asked[0].choices[0].key))
    assert "membership: 1" in done and "your platform accounts" in done
    async with world.store.unit_of_work() as uow:
        assert await uow.people.account(PLATFORM, "ana") is None

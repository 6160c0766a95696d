"""Buttons are personal: each is sent to one member, and only that member's press does anything.

The matrix below takes every choice prefix Hearth registers, makes a real button of it for its
owner, and has it pressed by the owner, by another member, by someone Hearth has never seen and
by a moderator. Anyone but the owner is refused kindly with nothing stored
changed, and nobody becomes a member by pressing. A new kind of button fails here until it has
a scenario below, so the matrix always covers every button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.app import build_hearth
from bot.clock import FakeClock
from bot.hearth import Defaults
from bot.ports import Store
from bot.replies import Reply, Visibility
from tests.linking_support import code_in
from tests.peek import contents
from tests.stores import closing_fresh_stores, fresh_store
from tests.support import MAIN, PLATFORM, START, World, text, to
from tests.welcome_support import button, onboard

OWNER, MEMBER, STRANGER, MODERATOR = "owner", "another member", "a non-member", "a moderator"
PRESSERS = (OWNER, MEMBER, STRANGER, MODERATOR)


@dataclass(frozen=True)
class Button:
    owner: str
    key: str
    where: str | None  # the channel it was sent in; None for a private chat


Scenario = Callable[[World], Awaitable[list[Reply]]]


async def _forget(world: World) -> list[Reply]:
    return await world.privately("bob", "/forgetme")


async def _checkin(world: World) -> list[Reply]:
    return await world.privately("bob", "/checkin")


async def _buddy(world: World) -> list[Reply]:
    await world.say("bob", "/buddy")
    return await onboard(world, "Sam")  # bob is asked to show Sam around


async def _reflection(world: World) -> list[Reply]:
    await world.say("ana", "/reflect_now")
    return await world.say("bob", "/reflect The soup pot is never empty")


async def _reflect_now_confirm(world: World) -> list[Reply]:
    world.make_admin("dan")  # a moderator other than ana, who presses as "a moderator"
    await world.say("dan", "/reflect_now")
    return await world.say("dan", "/reflect_now")  # nobody answered yet: dan is asked first


async def _onboarding(world: World) -> list[Reply]:
    return await world.join("Sam")


async def _intro(world: World) -> list[Reply]:
    return await world.say("bob", "/intro I fix bikes")


async def _followup(world: World) -> list[Reply]:
    await onboard(world, "Sam", buddy=False)
    return await world.advance(timedelta(days=4))


async def _aid(world: World) -> list[Reply]:
    return await world.say("bob", "/offer food Soup on Sundays")


async def _aid_offerer_asked(world: World) -> list[Reply]:
    await world.say("bob", "/offer food Soup on Sundays")
    await world.say("dan", "hello")
    return await world.say("dan", "/need food")  # bob is asked whether he can help


async def _aid_requester_asked(world: World) -> list[Reply]:
    await world.say("dan", "/offer food Soup on Sundays")
    asked = await world.say("bob", "/need food")
    return await world.press("dan", button(to(asked, "dan"), "Yes"))  # bob: be introduced?


async def _aid_which_need_is_met(world: World) -> list[Reply]:
    await world.say("bob", "/need food")
    await world.say("bob", "/need rest")
    return await world.say("bob", "/need done")


async def _aid_own_offers(world: World) -> list[Reply]:
    await world.say("bob", "/offer food Soup on Sundays")
    return await world.say("bob", "/offers")


async def _link_me(world: World) -> list[Reply]:
    """bob's code, sent from another account of his: the question goes to bob."""
    given = await world.privately("bob", "/link me")
    return await world.privately("bobby", f"/link me {code_in(given)}")


# prefix (or prefix:kind, for a prefix whose buttons act on different things) -> (the owner of
# the button, how they come to be sent one)
SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "forget": ("bob", _forget),
    "ci": ("bob", _checkin),
    "bud": ("bob", _buddy),
    "reflect": ("bob", _reflection),
    "reflectnow": ("dan", _reflect_now_confirm),
    "onb": ("Sam", _onboarding),
    "intro": ("bob", _intro),
    "fup": ("Sam", _followup),
    "aid": ("bob", _aid),
    "aid:o": ("bob", _aid_offerer_asked),  # carries a request id
    "aid:r": ("bob", _aid_requester_asked),  # carries a request id and an offer id
    "aid:d": ("bob", _aid_which_need_is_met),  # carries a request id, or a member id
    "aid:w": ("bob", _aid_own_offers),  # carries an offer id
    "lme": ("bob", _link_me),
}


def _buttons_to_try() -> list[str]:
    """Every prefix in Hearth's registry, plus the kinds listed for some of them."""
    with closing_fresh_stores():
        hearth = build_hearth(store=fresh_store(), clock=FakeClock(START), defaults=Defaults())
    kinds = [name for name in SCENARIOS if name.split(":")[0] in hearth.choices and ":" in name]
    return sorted([*hearth.choices, *kinds])


async def _community(world: World) -> None:
    """ana moderates; bob and carla are members Hearth knows; mallory it has never seen."""
    world.make_admin("ana")
    for name in ("ana", "bob", "carla"):
        await world.say(name, "hello")


async def _button_for(world: World, prefix: str) -> Button:
    if prefix not in SCENARIOS:
        pytest.fail(f"the button prefix {prefix!r} has no scenario in the forged-button matrix")
    owner, scenario = SCENARIOS[prefix]
    for reply in reversed(to(await scenario(world), owner)):
        for choice in reply.choices:
            if choice.key.startswith(f"{prefix}:"):
                return Button(owner, choice.key, reply.target.channel_ref)
    raise AssertionError(f"the {prefix!r} scenario sent {owner} no {prefix!r} button")


async def snapshot(store: Store) -> Any:
    """Everything the store holds, to compare before and after a press."""
    return await contents(store)


def _presser(pressed_by: str, owner: str) -> str:
    return {OWNER: owner, MEMBER: "carla", STRANGER: "mallory", MODERATOR: "ana"}[pressed_by]


@pytest.mark.parametrize("pressed_by", PRESSERS)
@pytest.mark.parametrize("prefix", _buttons_to_try())
async def test_a_button_pressed_by_anyone_but_its_owner_changes_nothing(
    store: Store, prefix: str, pressed_by: str
) -> None:
    world = World(store=store)
    await _community(world)
    found = await _button_for(world, prefix)
    who = _presser(pressed_by, found.owner)
    before = await snapshot(store)
    outcomes = world.hearth.outcomes.copy()

    replies = await world.press(who, found.key, where=found.where)

    if pressed_by == OWNER:
        assert world.hearth.outcomes["ok"] == outcomes["ok"] + 1, text(replies)
        assert "meant for someone else" not in text(replies)
        return
    assert world.hearth.outcomes["refused"] == outcomes["refused"] + 1, text(replies)
    assert len(replies) == 1 and replies == to(replies, who), "only the presser hears of it"
    assert await snapshot(store) == before
    if pressed_by == STRANGER:
        assert text(replies) == (
            "That button isn't for you: it works only for the member of Test community it was"
            " sent to. I hold nothing about you there and changed nothing."
        )
        assert await world.hearth.memberships(PLATFORM, "mallory") == []


async def test_a_forged_button_makes_nobody_a_member(world: World) -> None:
    """The reported attack: a stranger sends `fup:good:<the next member id>` on a group message,
    hoping to become that member, be asked in the next check-in and be counted."""
    await _community(world)
    for key in ("fup:good:4", "ci:1:n:0:o", "forget:yes:4", "onb:here:go:4"):
        refused = await world.press("mallory", key, where=MAIN)
        assert "That button isn't for you" in text(refused)
    assert await world.hearth.memberships(PLATFORM, "mallory") == []

    world.make_admin("ana")
    started = await world.say("ana", "/checkin now")
    asked = {r.target.user_ref for r in started if r.visibility is Visibility.PRIVATE}
    assert asked == {"ana", "bob", "carla"}  # the stranger is not invited

    joined = await world.join("Mallory")  # the platform's own join does make a member
    assert "What brings you here?" in text(to(joined, "mallory"))
    assert [m.community_name for m in await world.hearth.memberships(PLATFORM, "mallory")] == [
        "Test community"
    ]


async def test_a_moderator_cannot_press_a_members_button_either(world: World) -> None:
    await _community(world)
    asked = await world.privately("bob", "/forgetme")
    refused = await world.press("ana", button(asked, "Yes, erase it"), where=None)
    assert "meant for someone else" in text(refused)
    assert "name: bob" in text(await world.privately("bob", "/mydata"))


async def test_a_leave_from_someone_never_seen_makes_nobody_a_member(world: World) -> None:
    """Only the platform's join, a word in the group or a link Hearth issued makes a member;
    a leave notice about a stranger is answered by nothing and stored nowhere."""
    await _community(world)
    before = await snapshot(world.store)
    assert await world.leave("mallory") == []
    assert await world.hearth.memberships(PLATFORM, "mallory") == []
    assert await snapshot(world.store) == before

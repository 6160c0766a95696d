"""A member a private check-in could not reach, who then opens a private chat with Hearth
(Telegram: starts the bot, maybe through the deep link): from then on they count as reached.
"""

from __future__ import annotations

from datetime import timedelta

from bot.replies import Visibility
from tests.needs_helpers import answer, community
from tests.support import PLATFORM, World, public, text, to


async def test_opening_the_check_in_through_the_link_brings_the_one_reminder(
    world: World,
) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("ana", "/checkin now")
    for name in ("bob", "carla", "dan"):
        await world.unreachable(name, resume="checkin")
    started = await world.privately("bob", "/start checkin")  # looks, and leaves it for later
    assert "food (1 of 6)" in text(started)

    reminded = await world.advance(timedelta(hours=24))
    assert sorted(r.target.user_ref or "" for r in reminded) == ["ana", "bob"]
    assert "gentle nudge" in text(to(reminded, "bob"))
    closed = text(public(await world.advance(timedelta(days=2))))
    assert "couldn't be reached" not in closed  # bob was reached: two left, under 3


async def test_starting_the_bot_without_asking_brings_the_reminder_too(world: World) -> None:
    await community(world, "bob")
    await world.say("ana", "/checkin now")
    await world.unreachable("bob", resume="checkin")
    await answer(world, "ana", "oooooo")
    await world.hearth.reachable(PLATFORM, "bob")  # e.g. pressed Start with no link

    reminded = await world.advance(timedelta(hours=24))
    assert [r.target.user_ref for r in reminded] == ["bob"]
    assert "food (1 of 6)" in text(reminded)
    assert await world.advance(timedelta(hours=24)) == []  # one reminder, never a second


async def test_a_refused_reminder_counts_the_member_unreachable_again(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    await world.say("ana", "/checkin now")
    for name in ("bob", "carla", "dan"):
        await world.unreachable(name, resume="checkin")
        await world.hearth.reachable(PLATFORM, name)
    await answer(world, "ana", "oooooo")
    reminded = await world.advance(timedelta(hours=24))
    assert sorted(r.target.user_ref or "" for r in reminded) == ["bob", "carla", "dan"]
    for name in ("bob", "carla", "dan"):  # ...but their private chats refuse it again
        assert public(await world.unreachable(name, resume="checkin")) == []  # told once

    closed = text(public(await world.advance(timedelta(days=2))))
    assert "3 couldn't be reached privately." in closed


async def test_the_note_that_the_check_in_went_privately_is_marked_as_such(world: World) -> None:
    # An adapter whose platform refuses the private message leaves the note out (Telegram
    # then answers with a deep link instead), so nobody is told something that is not so.
    await community(world, "bob")
    asked = await world.say("bob", "/checkin")
    note = [r for r in asked if r.visibility is Visibility.EPHEMERAL]
    assert [(text(note), r.confirms_private) for r in note] == [
        ("I've sent you the check-in privately.", True)
    ]
    assert not any(r.confirms_private for r in asked if r not in note)
    shown = await world.say("bob", "/mydata")
    assert [r.confirms_private for r in shown] == [False, True]

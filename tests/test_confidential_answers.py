"""A typed answer that only Hearth saw (a Discord modal) is a private answer, even though it came
from a channel; what people say openly in a channel never is."""

from __future__ import annotations

from bot.events import ChoicePressed, MessagePosted
from bot.replies import Reply, Visibility
from tests.support import COMMUNITY, PLATFORM, World, text, to


async def typed(world: World, who: str, line: str, *, confidential: bool) -> list[Reply]:
    """A plain message in the main channel: said openly, or typed where only Hearth reads it."""
    return await world.hearth.handle(
        MessagePosted(world.origin(who), line, confidential=confidential)
    )


async def press(world: World, who: str, shown: list[Reply], label: str) -> list[Reply]:
    """Press, in the channel, the button with this label on what `who` was shown last."""
    choices = [c for r in to(shown, who) for c in r.choices]
    key = next(c.key for c in choices if c.label == label)
    return await world.hearth.handle(ChoicePressed(world.origin(who), key))


async def test_a_check_in_answered_in_the_channel_takes_confidential_typing_only(
    world: World,
) -> None:
    world.make_admin("mia")
    await world.say("ana", "/help")
    shown = to(await world.say("mia", "/checkin now"), "ana")
    for _ in range(6):
        shown = await press(world, "ana", shown, "Okay")
    shown = await press(world, "ana", shown, "No, thanks")
    shown = await press(world, "ana", shown, "food")
    assert "What could you offer with food?" in text(shown)
    assert all(r.visibility is Visibility.EPHEMERAL for r in shown)  # in the channel, for her

    assert await typed(world, "ana", "I could bake bread", confidential=False) == []
    saved = await typed(world, "ana", "I could bake bread", confidential=True)
    assert "Your offer for food is saved" in text(saved)
    assert all(r.visibility is Visibility.EPHEMERAL for r in saved)
    offers = text(await world.say("ana", "/offers"))
    assert offers.count("I could bake bread") == 1  # kept once: the open remark was not


async def test_a_follow_up_contribution_typed_in_confidence_is_kept(world: World) -> None:
    await world.say("ana", "/help")
    async with world.store.unit_of_work() as uow:
        link = await uow.communities.find_link(PLATFORM, COMMUNITY)
        assert link is not None
        ana = await uow.members.find(link.community_id, PLATFORM, "ana")
        assert ana is not None
    asked = await world.press("ana", f"fup:bring:{ana.id}", where="#general")
    assert "Tell me in a message what you could bring" in text(asked)

    assert await typed(world, "ana", "Chatting about the weather", confidential=False) == []
    kept = await typed(world, "ana", "Bike repairs", confidential=True)
    assert "Bike repairs" not in text(kept) and to(kept, "ana")
    mine = text(await world.privately("ana", "/mydata"))
    assert "Bike repairs" in mine and "weather" not in mine

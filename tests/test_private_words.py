"""Private words that arrive where others read them (a Telegram group's command text, a
console channel): the core keeps them as the person asked, asks the adapter to remove the
message, and never calls them private; replies that hold what is one person's are marked so."""

from __future__ import annotations

from bot.replies import (
    Reply,
    SourceMessage,
    Target,
    asks_removal,
    reply_from_dict,
    reply_to_dict,
    settle_removal,
)
from tests.needs_helpers import community
from tests.reflection_support import digests
from tests.support import World, text, to

PRIVATELY = ("Nobody else will see it", "just for you", "nobody else can see it")


def claims_privacy(replies: list[Reply]) -> bool:
    return any(words in text(replies) for words in PRIVATELY)


async def started(world: World) -> World:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    return world


async def test_a_private_reflection_typed_in_public_is_kept_out_of_the_digest_not_called_private(
    world: World,
) -> None:
    await started(world)
    said = await world.say("bo", "/reflect private I am scared about my landlord.", in_public=True)
    assert asks_removal(said)
    removed = settle_removal(said, removed=True)
    visible = settle_removal(said, removed=False)
    assert "removed your message" in text(removed) and "may have read it" in text(removed)
    assert "still visible to everyone here" in text(visible)
    assert not claims_privacy(said) and "landlord" not in text(said)
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "landlord" not in digest


async def test_the_same_words_seen_by_hearth_alone_are_called_private(world: World) -> None:
    await started(world)
    slash = await world.say("bo", "/reflect private I am scared about my landlord.")
    assert not asks_removal(slash) and "Nobody else will see it" in text(slash)
    chat = await world.privately("cy", "/reflect private Money is tight.")
    assert not asks_removal(chat) and "Nobody else will see it" in text(chat)


async def test_a_reflection_typed_in_public_without_a_choice_can_still_be_shared(
    world: World,
) -> None:
    await started(world)
    said = await world.say("bo", "/reflect The compost smells like soil.", in_public=True)
    [visible] = settle_removal(said, removed=False)
    assert [c.label for c in visible.choices] == ["Share it", "Keep it private"]
    await world.press("bo", visible.choices[0].key, where="#general")
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "The compost smells like soil." in digest


async def test_words_meant_to_be_shared_are_left_where_they_were_typed(world: World) -> None:
    await started(world)
    said = await world.say("bo", "/reflect shared The soup evening kept me going.", in_public=True)
    assert not asks_removal(said) and "is shared" in text(said)


async def test_a_need_typed_in_public_is_recorded_and_the_person_told_it_was_seen(
    world: World,
) -> None:
    await community(world, "bob", "carla")
    await world.say("bob", "/offer housing I know the tenants' union")
    asked = await world.say("carla", "/need housing landlord trouble", in_public=True)
    assert asks_removal(asked)
    told = to(asked, "carla")
    assert "noted your request" in text(settle_removal(told, removed=True))
    assert "still visible to everyone here" in text(settle_removal(told, removed=False))
    assert "nobody learns it's you" not in text(told)  # the group may already know
    assert "Someone here could use a hand with housing" in text(to(asked, "bob"))
    assert "Your open requests: housing" in text(await world.privately("carla", "/need"))


async def test_an_offer_typed_in_public_is_not_called_private(world: World) -> None:
    await community(world, "bob")
    said = await world.say("bob", "/offer food I cook extra on Sundays", in_public=True)
    assert "Your offer for food is saved" in text(said)
    assert "It's private" not in text(said) and "where others can read it" in text(said)
    assert not asks_removal(said)


async def test_replies_holding_what_is_one_persons_are_marked_for_them_alone(
    world: World,
) -> None:
    await started(world)
    await world.say("bo", "/reflect private I miss my sister.")
    await world.say("bo", "/offer food I cook extra on Sundays")
    await world.say("bo", "/need rest")
    for line in ("/reflection", "/reflection 1", "/offers", "/need"):
        [reply] = await world.say("bo", line)
        assert reply.confidential, line
    await world.say("cy", "/reflect shared The garden is thriving.")
    [shared] = await world.say("cy", "/reflection 2")
    assert not shared.confidential  # shared with everyone already


def test_what_became_of_the_message_survives_the_outbox() -> None:
    target = Target("test", "c1", "#general", "bo")
    reply = Reply("noted", target, only_if=SourceMessage.VISIBLE, confidential=True)
    assert reply_from_dict(reply_to_dict(reply)) == reply

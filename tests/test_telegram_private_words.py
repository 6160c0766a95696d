"""Private words typed in a Telegram group, where everyone reads the command text: Hearth
removes the message when Telegram lets it, never calls it private, and keeps what is for one
person out of the group. The real PTB Application runs against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.telegram_fake import BOT_USERNAME
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PRIVATELY = ("Nobody else will see it", "just for you", "only you can see")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld()
    await world.start()
    await world.say(world.ana, "/reflect_now")  # Ana owns the group: a round is open
    yield world
    await world.close()


def claims_privacy(text: str) -> bool:
    return any(words in text for words in PRIVATELY)


async def test_private_words_typed_in_a_group_are_removed_and_not_called_private(
    tg: TelegramWorld,
) -> None:
    said = await tg.say(tg.bob, "/reflect private I am scared about my landlord.")
    typed = tg.last["message"]["message_id"]
    assert tg.fake.deleted == [(GROUP_ID, typed)]  # Hearth is an admin that may delete
    [note] = said  # Bob never started the bot: a reply in the group, saying what happened
    assert note.chat_id == GROUP_ID and "landlord" not in note.text
    assert "removed your message" in note.text and "may have read it" in note.text
    assert not claims_privacy(note.text)
    assert note.button("Open a private chat with me")["url"].startswith(
        f"https://t.me/{BOT_USERNAME}?start="
    )

    await tg.dm(tg.carla, "hi")  # Carla started the bot: her note comes privately
    asked = await tg.say(tg.carla, "/need housing landlord trouble")
    assert tg.fake.deleted[-1] == (GROUP_ID, tg.last["message"]["message_id"])
    assert [s.chat_id for s in asked] == [tg.carla["id"]]
    assert "noted your request and removed your message" in asked[0].text
    assert not claims_privacy(texts(asked))
    mine = await tg.dm(tg.carla, "/need")
    assert "Your open requests: housing" in texts(mine)  # recorded all the same


async def test_when_hearth_may_not_delete_it_says_the_words_are_visible(
    tg: TelegramWorld,
) -> None:
    tg.group.withheld.add("can_delete_messages")  # an administrator without that right
    said = await tg.say(tg.bob, "/reflect private I am scared about my landlord.")
    assert tg.fake.deleted == []
    assert any(method == "deleteMessage" for method, _ in tg.fake.calls)  # it tried
    [note] = in_chat(said, GROUP_ID)
    assert "still visible to everyone here" in note.text and "couldn't remove it" in note.text
    assert not claims_privacy(note.text) and "removed your message" not in note.text
    assert note.labels == ["Open a private chat with me"]

    shared = await tg.say(tg.bob, "/reflect shared The soup evening kept me going.")
    assert "is shared" in texts(shared)
    assert tg.fake.deleted == []  # words meant to be shared are left where they are
    assert not any("visible to everyone" in s.text for s in shared)


async def test_a_reply_meant_only_for_the_asker_is_never_posted_in_a_telegram_group(
    tg: TelegramWorld,
) -> None:
    await tg.say(tg.carla, "hello")
    await tg.dm(tg.carla, "/reflect private Money is tight this month.")
    await tg.say(tg.bob, "hello")
    await tg.dm(tg.bob, "/reflect private I miss my sister.")
    tg.fake.started.discard(tg.bob["id"])  # Bob blocks the bot again: no private chat
    shown = await tg.say(tg.bob, "/reflection")  # his own, private answers
    [neutral] = shown
    assert neutral.chat_id == GROUP_ID and "sister" not in neutral.text
    assert "for you alone, so I won't post it in the group" in neutral.text
    assert neutral.labels == ["Open a private chat with me"]

    hers = await tg.say(tg.carla, "/reflection")  # Carla's chat is open: it goes there
    assert [s.chat_id for s in hers] == [tg.carla["id"]]
    assert "Money is tight" in hers[0].text

"""Files on Telegram, through the real PTB against the fake Bot API: each arrives after its
reply's text, in the same chat, as a photo (images) or a document, its alt as the caption."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.telegram.session import PLATFORM
from bot.replies import Attachment, Reply, Target, Visibility
from tests.files_support import CHART, CHART_ALT, EXPORT, EXPORT_SENT, file_sender
from tests.telegram_fake import Sent
from tests.telegram_faults import FaultyBotApi
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld(features=[file_sender()], fake=FaultyBotApi())
    world.request_timeout = 0.3  # a stalled upload times out quickly
    await world.start()
    yield world
    await world.close()


def files(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.file is not None]


async def test_a_moderators_file_arrives_in_their_private_chat_with_its_name_and_bytes(
    tg: TelegramWorld,
) -> None:
    await tg.dm(tg.ana, "hi")  # Ana (the group's creator) has started the bot
    sent = await tg.say(tg.ana, "/test_export")
    mine = in_chat(sent, tg.ana["id"])
    # The text, then the file; the note that it was sent comes privately too (Telegram has
    # no replies only the asker sees in a group).
    assert [s.file is None for s in mine] == [True, False, True]
    assert mine[0].text == "Here is the export." and mine[2].text == EXPORT_SENT
    document = mine[1].file
    assert document is not None and document.kind == "document"
    assert (document.name, document.data) == (EXPORT.name, EXPORT.data)
    assert mine[1].text == EXPORT.alt  # its caption
    assert mine[1].raw["document"]["file_name"] == "export.zip"
    assert in_chat(sent, GROUP_ID) == []


async def test_a_chart_asked_for_privately_shows_as_a_photo_with_its_alt_text(
    tg: TelegramWorld,
) -> None:
    await tg.say(tg.ana, "hello")  # Ana is known as the group's creator
    sent = await tg.dm(tg.ana, "/test_chart")
    assert "Needs over the last rounds" in sent[0].text
    photo = sent[1].file
    assert photo is not None and photo.kind == "photo" and photo.data == CHART.data
    assert sent[1].text == CHART_ALT and sent[1].raw["photo"][0]["width"] == 4


async def test_a_refused_private_chat_keeps_the_file_out_of_the_group(tg: TelegramWorld) -> None:
    """Ana never started the bot: the group gets the link to start it, never her file."""
    sent = await tg.say(tg.ana, "/test_export")
    assert files(sent) == []
    assert in_chat(sent, tg.ana["id"]) == []
    assert "t.me/" in json.dumps([s.keyboard for s in in_chat(sent, GROUP_ID)])


async def test_mydata_arrives_as_a_json_file_beside_the_text(tg: TelegramWorld) -> None:
    await tg.say(tg.carla, "Carla's soup recipe is a secret")
    await tg.say(tg.bob, "hello")
    await tg.dm(tg.bob, "hi")  # Bob has started the bot
    sent = await tg.dm(tg.bob, "/mydata")
    assert [s.chat_id for s in sent] == [tg.bob["id"]] * 2
    assert "What Hearth holds about you" in sent[0].text
    data = sent[1].file
    assert data is not None and (data.kind, data.name) == ("document", "mydata.json")
    record = json.loads(data.data.decode("utf-8"))
    assert record["sections"]["membership"]["records"][0]["name"] == "Bob"
    assert b"Carla" not in data.data and b"soup" not in data.data


async def test_a_file_telegram_could_not_take_is_kept_and_sent_later_without_the_text_again(
    tg: TelegramWorld,
) -> None:
    faulty = tg.fake
    assert isinstance(faulty, FaultyBotApi)
    await tg.dm(tg.ana, "hi")
    faulty.fail("stall", method="sendDocument", seconds=1.0)  # the upload's answer never comes
    sent = await tg.say(tg.ana, "/test_export")
    assert files(sent) == [] and "Here is the export." in texts(in_chat(sent, tg.ana["id"]))
    later = await tg.advance(timedelta(minutes=1))  # the outbox tries again
    assert [s.file is not None for s in later] == [True]  # the file alone, not the text again
    assert later[0].file is not None and later[0].file.data == EXPORT.data


async def test_a_long_alt_text_is_shortened_to_a_caption_telegram_accepts(
    tg: TelegramWorld,
) -> None:
    await tg.dm(tg.ana, "hi")
    table = Attachment("needs.csv", "text/csv", b"need,people\nfood,4\n", "A long table. " * 100)
    to_ana = Target(PLATFORM, str(GROUP_ID), user_ref=str(tg.ana["id"]))
    assert tg.adapter is not None
    await tg.adapter.deliver([Reply("The table.", to_ana, Visibility.PRIVATE, files=(table,))])
    shown = files(in_chat(tg.fake.sent, tg.ana["id"]))
    assert len(shown) == 1 and shown[0].text.startswith("A long table.")
    assert 1000 < len(shown[0].text) <= 1024 and shown[0].text.endswith("…")

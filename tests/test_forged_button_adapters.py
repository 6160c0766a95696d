"""Forged buttons through the real platform libraries: a Telegram callback from someone who is
not in the group, and a Discord button whose custom id names another server."""

from __future__ import annotations

import pytest

from bot.events import CommandInvoked, Origin, Person
from tests.discord_support import RunningBot
from tests.fake_discord import FakeDiscord
from tests.telegram_support import TelegramWorld

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_a_forged_callback_from_outside_the_group_makes_nobody_a_member(
    tg: TelegramWorld,
) -> None:
    await tg.say(tg.bob, "/help")  # Hearth knows Ana and Bob; the next member would be no. 3
    asked = await tg.say(tg.ana, "/forgetme")  # buttons in the group: Ana never started the bot
    mallory = tg.fake.user(66, "Mallory")  # not in the group
    forged = asked[0]
    for row in (forged.keyboard, forged.raw["reply_markup"]["inline_keyboard"]):
        row[0][0]["callback_data"] = "fup:good:3"

    sent = await tg.press(mallory, forged, "Yes, erase it")

    assert sent == []
    popup = tg.fake.answers[-1]
    assert popup["show_alert"] is True
    assert popup["text"] == (
        "That button isn't for you: it works only for the member of Kitchen it was sent to."
        " I hold nothing about you there and changed nothing."
    )
    assert await tg.hearth.memberships("telegram", "66") == []

    started = await tg.say(tg.ana, "/checkin now")
    assert started and all(s.chat_id != mallory["id"] for s in tg.fake.sent)
    assert await tg.hearth.memberships("telegram", "66") == []


async def test_a_button_naming_another_server_acts_in_the_presser_s_own(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    other = "424242424242424242"  # another server Hearth serves, where Zed is a member
    zed = Origin("discord", other, Person("777", "Zed"), "1", community_name="Elsewhere")
    asked = await bot.hearth.handle(CommandInvoked(zed, "forgetme"))
    zeds_button = asked[0].choices[0].key  # forget:yes:<Zed's member id>

    mia = fake.add_member("Mia")
    await fake.slash(mia, "checkin")  # a check-in in her DMs, with buttons
    await bot.settle()
    message = [m for m in fake.dms(mia) if m.custom_ids()][-1]
    forged = f"@{other}:{zeds_button}"  # the form DM buttons once had: a server, then the key
    message.components[0]["components"][0]["custom_id"] = forged

    pressed = await fake.press(mia, message, forged)
    await bot.settle()

    answers = [c["data"].get("content", "") for c in pressed.callbacks if "data" in c]
    assert any("meant for someone else" in a for a in answers), answers
    assert [m.community_ref for m in await bot.hearth.memberships("discord", mia["id"])] == [
        str(fake.guild_id)
    ]
    assert [m.community_name for m in await bot.hearth.memberships("discord", "777")] == [
        "Elsewhere"
    ]
    mydata = await bot.hearth.handle(CommandInvoked(zed, "mydata"))
    assert "name: Zed" in "\n".join(r.text for r in mydata)


async def test_a_direct_message_from_someone_in_no_shared_server_makes_nobody_a_member(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mallory = fake._user(fake.new_id(), "Mallory")  # shares no server with Hearth
    await fake.dm_from(mallory, "/need food let me in")
    await bot.settle()
    assert await bot.hearth.memberships("discord", mallory["id"]) == []

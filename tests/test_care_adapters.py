"""An unexpected private message through the real platform libraries gets the kind answer, with
the community's support text, in the person's private chat and nowhere else."""

from __future__ import annotations

import re

import pytest

from tests.discord_support import RunningBot
from tests.fake_discord import FakeDiscord
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts

SUPPORT = "Write to Mia any time. Crisis line (24h): 0800 111 222."
WORDS = "My landlord is threatening eviction"

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def shown(content: str) -> str:
    """What a person reads: Discord's Markdown rendered away (bold, italics, escapes)."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*+", "", content))


async def test_an_unexpected_telegram_message_is_answered_kindly_in_the_private_chat(
    tg: TelegramWorld,
) -> None:
    await tg.say(tg.ana, f"/setup support {SUPPORT}")
    await tg.say(tg.bob, "hello")
    answered = await tg.dm(tg.bob, WORDS)
    assert in_chat(answered, GROUP_ID) == []
    said = texts(in_chat(answered, tg.bob["id"]))
    assert "Thank you for writing" in said and "/need" in said
    assert "moderators of Kitchen" in said and SUPPORT in said
    assert "eviction" not in said


async def test_an_unexpected_discord_dm_is_answered_kindly_in_the_dm(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    await fake.slash(mia, "setup", key="support", value=SUPPORT)
    await fake.slash(ana, "help")  # Hearth knows her
    await bot.settle()
    general = len(fake.in_channel(fake.general))
    await fake.dm_from(ana, WORDS)
    await bot.settle()
    (answer,) = fake.dms(ana)
    said = shown(answer.content)
    assert "Thank you for writing" in said and "/need" in said
    assert "moderators of Hearth Test" in said and SUPPORT in said
    assert len(fake.in_channel(fake.general)) == general  # nothing in the server

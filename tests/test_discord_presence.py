"""A Discord server that removes Hearth pauses its community; inviting Hearth again resumes it.

The real discord.py against the fake Discord (GUILD_DELETE / GUILD_CREATE), on SQLite.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.discord_support import RunningBot
from tests.fake_discord import FakeDiscord


async def removed_during_a_round(fake: FakeDiscord, bot: RunningBot) -> dict[str, Any]:
    """A weekly check-in is scheduled and a round is open when the server removes Hearth."""
    ana = fake.add_member("Ana", manager=True)
    fake.add_member("Bo")
    await fake.slash(ana, "schedule", kind="checkin", when="mon 18:00")
    await fake.slash(ana, "checkin", now="now")
    await bot.settle()
    assert any("Check-in time" in m.content for m in fake.in_channel(fake.general))
    await fake.remove_bot()
    await bot.settle()
    return ana


async def test_a_removed_hearth_sends_nothing_on_the_servers_behalf(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    await removed_during_a_round(fake, bot)
    before = len(fake.everything())
    await bot.advance(timedelta(days=10))  # a reminder, the close and next Monday's round
    assert fake.everything()[before:] == []


async def test_an_added_again_hearth_resumes_and_says_so(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    await removed_during_a_round(fake, bot)
    await bot.advance(timedelta(days=10))
    before = len(fake.everything())

    await fake.add_bot()
    await bot.settle()
    await bot.advance(timedelta(seconds=1))  # the timer wakes for what was held
    said = [m.content for m in fake.everything()[before:]]
    assert sum("I'm back" in text for text in said) == 1
    assert any("The check-in has closed" in text for text in said)  # held, not lost
    assert not any("Check-in time" in text for text in said)  # missed runs do not pile up

    before = len(fake.everything())
    await bot.advance(timedelta(days=6))  # on to the next Monday, 18:00
    assert any("Check-in time" in m.content for m in fake.everything()[before:])

"""Files on Discord, through the real discord.py against the fake Discord: attached to the
reply's message in a DM or in an interaction's answer (ephemeral ones too), each with its
alt text as the attachment's description."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from storage.sqlite import SqliteStore
from tests.discord_support import RunningBot
from tests.fake_discord import FakeDiscord, Sent
from tests.files_support import CHART, CHART_ALT, EXPORT, EXPORT_SENT, file_sender


@pytest.fixture
async def bot(fake: FakeDiscord, sqlite_store: SqliteStore) -> AsyncIterator[RunningBot]:
    running = RunningBot(fake, sqlite_store, [file_sender()])
    await running.start()
    yield running
    await running.stop()


def attached(messages: list[Sent]) -> list[tuple[str, bytes, str | None]]:
    return [(f.filename, f.data, f.description) for m in messages for f in m.attachments]


async def test_a_moderators_file_arrives_in_their_dm_with_its_name_and_bytes(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    asked = await fake.slash(mia, "test_export")
    await bot.settle()
    (dm,) = fake.dms(mia)
    assert dm.content == "Here is the export."
    assert attached([dm]) == [(EXPORT.name, EXPORT.data, EXPORT.alt)]
    answers = fake.answers(asked)
    assert [a.content for a in answers] == [EXPORT_SENT] and answers[0].ephemeral
    assert attached(answers) == [] and attached(fake.in_channel(fake.general)) == []


async def test_a_chart_comes_with_the_ephemeral_answer_for_the_asker_alone(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    asked = await fake.slash(mia, "test_chart")
    await bot.settle()
    (answer,) = fake.answers(asked)
    assert answer.ephemeral and "Needs over the last rounds" in answer.content
    assert attached([answer]) == [(CHART.name, CHART.data, CHART_ALT)]
    assert fake.in_channel(fake.general) == []  # nobody else sees it


async def test_a_slow_answer_brings_its_file_in_the_follow_up(
    fake: FakeDiscord, sqlite_store: SqliteStore
) -> None:
    gate = asyncio.Event()
    slow = RunningBot(fake, sqlite_store, [file_sender(gate)], defer_after=0.01)
    await slow.start()
    try:
        mia = fake.add_member("Mia", manager=True)
        asked = await fake.slash(mia, "test_chart")
        await fake.wait_for(lambda: asked.callbacks)  # "thinking…": the answer is deferred
        gate.set()
        await slow.settle()
        assert asked.first_type == 5
        followups = [a for a in fake.answers(asked) if a.via == "followup"]
        assert attached(followups) == [(CHART.name, CHART.data, CHART_ALT)]
        assert all(a.ephemeral for a in followups)
    finally:
        await slow.stop()


async def test_closed_dms_show_the_file_to_its_moderator_alone_in_the_channel(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    fake.closed_dms.add(int(mia["id"]))  # Discord answers 50007 to a DM for her
    asked = await fake.slash(mia, "test_export")
    await bot.settle()
    answers = fake.answers(asked)
    assert not fake.dms(mia) and all(a.ephemeral for a in answers)
    assert attached(answers) == [(EXPORT.name, EXPORT.data, EXPORT.alt)]
    assert attached(fake.in_channel(fake.general)) == []


async def test_mydata_comes_as_a_json_file_in_the_dm_with_nobody_elses_data(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    zed = fake.add_member("Zed")
    await fake.slash(zed, "propose", title_and_details="Zed's orchard | Plant quinces by the wall")
    await bot.settle()
    await fake.slash(ana, "mydata")
    await bot.settle()
    (dm,) = fake.dms(ana)
    ((name, data, _),) = attached([dm])
    assert name == "mydata.json"
    record = json.loads(data)
    assert record["sections"]["membership"]["records"][0]["name"] == "Ana"
    assert b"Zed" not in data and b"quinces" not in data

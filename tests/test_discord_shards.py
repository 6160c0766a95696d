"""Discord shards across processes (HEARTH_DISCORD_SHARDS): each worker runs its shards of the
common count against the fake Discord, which routes a server's events to its shard only and
direct messages to shard 0 only.

Two workers are two Hearths in this test process, each with its own connection to one SQLite
file (opened with exclusive=False, as two processes would share a database): what one worker
learns, the other reads from the store, never from memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from bot.cli import _configured_adapters
from bot.replies import Reply, Target, Visibility
from bot.settings import Settings, SettingsProblem, load_settings
from bot.shards import ShardRange, parse_shards
from storage.sqlite import SqliteStore
from tests.discord_features import HOW_ARE_YOU, Observed, check_in, notes, observer
from tests.discord_support import RunningBot, serving_fake
from tests.fake_discord import FakeDiscord, Sent


def only(messages: Sequence[Sent]) -> Sent:
    assert len(messages) == 1, [m.content for m in messages]
    return messages[0]


def said(messages: Sequence[Sent]) -> str:
    return "\n".join(m.content for m in messages)


class Worker:
    """One `hearth run` with its own shards, store connection and what its features saw."""

    def __init__(
        self, fake: FakeDiscord, store: SqliteStore, shards: str, dev_guild: int | None
    ) -> None:
        self.seen = Observed()
        features = [observer(self.seen), check_in(self.seen), notes(self.seen)]
        self.bot = RunningBot(
            fake, store, features, shards=parse_shards(shards), dev_guild=dev_guild
        )


@asynccontextmanager
async def workers(
    fake: FakeDiscord, path: Path, *ranges: str, dev_guild: int | None = None
) -> AsyncIterator[list[Worker]]:
    """Workers on one database file, not started yet; all stopped and closed afterwards."""
    stores = [await SqliteStore.open(path, exclusive=False) for _ in ranges]
    made = [
        Worker(fake, store, shards, dev_guild) for store, shards in zip(stores, ranges, strict=True)
    ]
    try:
        yield made
    finally:
        for worker in made:
            await worker.bot.stop()
        for store in stores:
            await store.close()


async def settle(*running: Worker) -> None:
    for worker in running:
        await worker.bot.settle()


async def test_each_worker_serves_its_shards_and_the_one_with_shard_0_the_direct_messages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with (
        serving_fake(monkeypatch, guild_shard=(1, 2)) as fake,
        workers(fake, tmp_path / "hearth.db", "0/2", "1/2") as (first, second),
    ):
        await second.bot.start()
        assert fake.syncs == []  # without shard 0 it never writes the global commands
        await first.bot.start()
        assert [scope for scope, _ in fake.syncs] == ["global"]
        assert sorted(session.shard for session in fake.sessions) == [(0, 2), (1, 2)]

        ana = await fake.join("Ana")  # the server is on shard 1: only the second worker hears
        await settle(first, second)
        assert (first.seen.joined, second.seen.joined) == ([], ["Ana"])

        asked = await fake.slash(ana, "test")
        await settle(first, second)
        assert asked.shards == [1]
        question = only(fake.answers(asked))
        assert question.content == HOW_ARE_YOU
        await fake.press(ana, question, "test:fine")
        await settle(first, second)
        assert (first.seen.answers, second.seen.answers) == ([], [("Ana", "fine")])

        started = await fake.slash(ana, "test_note")  # the second worker waits for her answer
        await settle(first, second)
        assert "What would you like to note?" in said(fake.answers(started))
        await fake.dm_from(ana, "bring soup")  # DMs arrive on shard 0: the first worker
        await settle(first, second)
        assert (first.seen.notes, second.seen.notes) == (["bring soup"], [])
        assert "Noted: bring soup" in said(fake.dms(ana))


async def test_the_development_server_is_synced_by_the_worker_holding_its_shard(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with serving_fake(monkeypatch, guild_shard=(1, 2)) as fake:
        path = tmp_path / "hearth.db"
        async with workers(fake, path, "0/2", "1/2", dev_guild=fake.guild_id) as (first, second):
            await first.bot.start()
            assert fake.syncs == []  # shard 0 alone does not write another shard's server
            await second.bot.start()
            assert [scope for scope, _ in fake.syncs] == [f"guild:{fake.guild_id}"]
            ana = fake.add_member("Ana")
            asked = await fake.slash(ana, "privacy")
            await settle(first, second)
            assert "Your privacy with Hearth" in said(fake.answers(asked))


async def test_a_sharded_worker_without_the_members_intent_says_what_to_enable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with (
        serving_fake(monkeypatch) as fake,
        workers(fake, tmp_path / "hearth.db", "0/1") as (worker,),
    ):
        fake.members_intent_enabled = False
        with pytest.raises(ValueError, match="Server Members intent"):
            await worker.bot.start()


async def test_one_worker_with_every_shard_is_ready_once_all_its_shards_are(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with (
        serving_fake(monkeypatch, guild_shard=(1, 2)) as fake,
        workers(fake, tmp_path / "hearth.db", "0-1/2") as (both,),
    ):
        await both.bot.start()
        assert sorted(session.shard for session in fake.sessions) == [(0, 2), (1, 2)]
        assert both.bot.adapter.client.get_guild(fake.guild_id) is not None  # shard 1's server
        assert [scope for scope, _ in fake.syncs] == ["global"]
        ana = fake.add_member("Ana")
        started = await fake.slash(ana, "test_note")
        await both.bot.settle()
        assert "What would you like to note?" in said(fake.answers(started))
        await fake.dm_from(ana, "fix the gate")
        await both.bot.settle()
        assert both.seen.notes == ["fix the gate"]


async def test_a_worker_posts_to_a_server_on_another_workers_shard(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Scheduled posts and outbox rows go out from whichever worker takes them: the main
    channel of a server it has no cache of is looked up over REST, once for a while."""
    async with (
        serving_fake(monkeypatch, guild_shard=(1, 2)) as fake,
        workers(fake, tmp_path / "hearth.db", "0/2") as (first,),
    ):
        await first.bot.start()
        assert first.bot.adapter.client.get_guild(fake.guild_id) is None
        community = str(fake.guild_id)
        await first.bot.adapter.deliver(
            [
                Reply("Soup at six.", Target("discord", community), Visibility.PUBLIC),
                Reply("Ideas welcome.", Target("discord", community, "#ideas"), Visibility.PUBLIC),
            ]
        )
        assert said(fake.in_channel(fake.general)) == "Soup at six."
        assert said(fake.in_channel(fake.ideas)) == "Ideas welcome."
        assert fake.lookups == [f"GET guild {community}", f"GET channels {community}"]


async def test_too_few_shards_for_discords_recommendation_are_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        serving_fake(monkeypatch) as fake,
        workers(fake, tmp_path / "hearth.db", "0/1") as (only_worker,),
    ):
        fake.recommended_shards = 2
        with caplog.at_level(logging.WARNING, logger="hearth.discord"):
            await only_worker.bot.start()
        assert "HEARTH_DISCORD_SHARDS counts 1 shards; Discord recommends 2" in caplog.text


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("0-1", "'0-1' is not a shard range; write FIRST-LAST/COUNT or SHARD/COUNT, e.g. 0-1/4"),
        ("a/4", "'a/4' is not a shard range; write FIRST-LAST/COUNT or SHARD/COUNT"),
        ("0/0", "the shard count must be at least 1, not 0"),
        ("3-4/4", "shard 4 is outside 0..3: 4 shards are numbered from 0"),
        ("4/4", "shard 4 is outside 0..3"),
        ("3-1/4", "the range 3-1 is empty; write the lower shard first"),
    ],
)
def test_a_wrong_shard_range_is_one_clear_line(
    value: str, line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("HEARTH_DISCORD_SHARDS", value)
    with pytest.raises(SettingsProblem) as problem:
        load_settings()
    assert str(problem.value).startswith(f"setting HEARTH_DISCORD_SHARDS: {line}")
    assert "\n" not in str(problem.value)


@pytest.mark.parametrize(
    ("value", "shards"),
    [
        ("0-1/4", ShardRange(0, 1, 4)),
        (" 2 / 4 ", ShardRange(2, 2, 4)),
        ("0-3/4", ShardRange(0, 3, 4)),
        ("", None),
    ],
)
def test_the_shard_range_reaches_the_discord_adapter(
    value: str, shards: ShardRange | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEARTH_DISCORD_TOKEN", "abc")
    monkeypatch.setenv("HEARTH_DISCORD_SHARDS", value)
    (adapter,) = _configured_adapters(load_settings())
    assert isinstance(adapter, DiscordAdapter) and adapter.shards == shards


def test_unset_shards_keep_discord_pys_single_connection() -> None:
    (adapter,) = _configured_adapters(Settings(_env_file=None, discord_token="abc"))
    assert isinstance(adapter, DiscordAdapter) and adapter.shards is None

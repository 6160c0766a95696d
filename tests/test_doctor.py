"""`hearth doctor`, as an organizer runs it before members notice: one line per check, ok or what
to do, and exit 1 when something needs fixing. Against the loopback fakes, through the real
python-telegram-bot and discord.py, on real SQLite and PostgreSQL; beside a running Hearth (the
SQLite file's lock held) it still looks, and changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.domain import CommunityLink
from storage.migrate import head
from storage.sqlite import SqliteStore
from tests import postgres
from tests.discord_support import serving_fake
from tests.fake_discord import (
    ATTACH_FILES,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    FakeDiscord,
)
from tests.fake_discord import TOKEN as DISCORD_TOKEN
from tests.telegram_fake import TOKEN as TELEGRAM_TOKEN
from tests.telegram_fake import Chat, FakeBotApi

GROUP_ID = -1001000000001
INVITED_WITH = VIEW_CHANNEL | SEND_MESSAGES | SEND_MESSAGES_IN_THREADS | ATTACH_FILES
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _setup_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings from this test alone: no HEARTH_* from outside, no .env, hearth.db here."""
    for key in list(os.environ):
        if key.startswith("HEARTH_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEARTH_DATABASE", "hearth.db")


@pytest.fixture
async def telegram(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    monkeypatch.setenv("HEARTH_TELEGRAM_BASE_URL", await fake.start())
    monkeypatch.setenv("HEARTH_TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    yield fake
    await fake.close()


@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with serving_fake(monkeypatch) as fake:
        monkeypatch.setenv("HEARTH_DISCORD_TOKEN", DISCORD_TOKEN)
        yield fake


@pytest.fixture
async def running_hearth(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """The database of a Hearth running now (its lock held) that knows the group "Kitchen"."""
    store = await SqliteStore.open(tmp_path / "hearth.db")
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(
            name="Kitchen", timezone="UTC", language="en", now=NOW
        )
        link = CommunityLink(community.id, "telegram", str(GROUP_ID), str(GROUP_ID))
        await uow.communities.add_link(link)
        await uow.commit()
    yield store
    await store.close()


def kitchen(fake: FakeBotApi, status: str = "administrator") -> Chat:
    group = fake.group(GROUP_ID, "Kitchen")
    group.statuses[4242] = status
    return group


async def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """`hearth doctor` as typed (its own event loop, beside the fakes'); its lines on stdout,
    and nothing at all on stderr."""
    code = await asyncio.to_thread(main, ["doctor"])
    printed = capsys.readouterr()
    assert printed.err == ""
    return code, printed.out.splitlines()


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_setup_with_everything_right_is_all_ok_even_while_hearth_runs(
    telegram: FakeBotApi,
    discord_fake: FakeDiscord,
    running_hearth: SqliteStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kitchen(telegram)
    discord_fake.bot_role(INVITED_WITH)
    code, lines = await doctor(capsys)
    assert lines == [
        "ok    settings: the HEARTH_* settings load (Telegram and Discord set up)",
        "ok    database: hearth.db is reachable and its schema is up to date",
        "ok    Telegram: the token works: the bot is @hearth_test_bot",
        "ok    Telegram privacy mode: on, which is fine: Hearth is an administrator in every"
        " group it knows, and Telegram shows administrators every message",
        'ok    Telegram group "Kitchen": Hearth is an administrator and may delete messages',
        "ok    Discord: the token works: the bot is Hearth",
        "ok    Discord members intent: on: Hearth sees members join and leave, for the welcome",
        'ok    Discord server "Hearth Test": Hearth may see, write, write in threads and attach'
        " files in its 2 text channels",
    ]
    assert code == 0
    assert TELEGRAM_TOKEN not in "\n".join(lines) and DISCORD_TOKEN not in "\n".join(lines)
    # It only read: nothing was sent, set or deleted on either platform.
    assert {method for method, _ in telegram.calls} == {"getMe", "getChatMember"}
    assert telegram.sent == [] and discord_fake.sent == [] and discord_fake.syncs == []
    assert discord_fake.sessions == []  # no gateway connection either


async def test_three_things_to_fix_in_one_run_as_the_readme_shows(
    telegram: FakeBotApi,
    discord_fake: FakeDiscord,
    running_hearth: SqliteStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kitchen(telegram).withheld.add("can_delete_messages")
    discord_fake.members_intent_enabled = False
    role = discord_fake.bot_role(INVITED_WITH)
    discord_fake.overwrite(discord_fake.ideas, role, deny=ATTACH_FILES)
    code, lines = await doctor(capsys)
    assert [line for line in lines if line.startswith("fix")] == [
        'fix   Telegram group "Kitchen": Hearth is an administrator but may not delete'
        " messages, so a command typed there with words meant for Hearth alone (such as"
        " /reflect private …) stays visible to everyone; in the group's settings →"
        ' Administrators → Hearth, turn on "Delete messages"',
        "fix   Discord members intent: off: Hearth cannot start without it, as it needs members"
        " joining and leaving for the welcome; in the Discord Developer Portal open the"
        " application → Bot → Privileged Gateway Intents and turn on Server Members Intent",
        'fix   Discord server "Hearth Test", #ideas: Hearth may not Attach Files there; allow it'
        " for Hearth (or its role) in the channel's settings → Permissions",
    ]
    assert len(lines) == 8 and code == 1


async def test_a_token_telegram_refuses_is_one_line_without_the_token(
    telegram: FakeBotApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_TELEGRAM_TOKEN", "4242:a-token-revoked-in-botfather")
    code, lines = await doctor(capsys)
    assert lines[2:] == [
        "fix   Telegram: Telegram refused HEARTH_TELEGRAM_TOKEN; copy the token @BotFather gave"
        " you (send /mybots to @BotFather, choose the bot, then API Token)"
    ]
    assert code == 1
    assert "revoked" not in "\n".join(lines)


async def test_a_token_discord_refuses_is_one_line_without_the_token(
    discord_fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HEARTH_DISCORD_TOKEN", "a-token-reset-in-the-portal")
    code, lines = await doctor(capsys)
    assert lines[2:] == [
        "fix   Discord: Discord refused HEARTH_DISCORD_TOKEN; in the Discord Developer Portal"
        " open the application → Bot → Reset Token, and put the new token in the setting"
    ]
    assert code == 1
    assert "reset-in" not in "\n".join(lines)


async def test_privacy_mode_matters_where_hearth_is_not_an_administrator(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    kitchen(telegram, status="member")
    code, lines = await doctor(capsys)
    assert lines[3:] == [
        "note  Telegram privacy mode: on: in a group where Hearth is not an administrator it"
        " sees only commands, buttons and replies to its own messages, so members there cannot"
        " answer it by typing. If they should, make Hearth an administrator there, or send"
        " /setprivacy to @BotFather, choose this bot and Disable, then remove Hearth from the"
        " group and add it again",
        'fix   Telegram group "Kitchen": Hearth is not an administrator, so Telegram does not'
        " tell it when members join or leave, and it cannot delete a command typed there with"
        " words meant for it alone (such as /reflect private …); in the group, open its"
        ' settings → Administrators → Add Admin, choose Hearth and keep "Delete messages" on',
    ]
    assert code == 1


async def test_privacy_mode_off_is_ok(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    kitchen(telegram, status="member")
    telegram.bot["can_read_all_group_messages"] = True
    _, lines = await doctor(capsys)
    assert lines[3] == (
        "ok    Telegram privacy mode: off: Hearth sees what members type in groups, so they can"
        " answer there"
    )


async def test_an_administrator_that_may_not_delete_messages(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    kitchen(telegram).withheld.add("can_delete_messages")
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        'fix   Telegram group "Kitchen": Hearth is an administrator but may not delete'
        " messages, so a command typed there with words meant for Hearth alone (such as"
        " /reflect private …) stays visible to everyone; in the group's settings →"
        ' Administrators → Hearth, turn on "Delete messages"'
    ]
    assert code == 1


async def test_a_group_that_removed_hearth_is_a_line_not_a_traceback(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    kitchen(telegram, status="kicked")
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        'fix   Telegram group "Kitchen": Hearth is no longer in this group; add it again as an'
        " administrator if the community should go on"
    ]
    assert code == 1


async def test_a_group_hearth_knows_it_was_removed_from_is_a_note(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    kitchen(telegram, status="left")
    async with running_hearth.unit_of_work() as uow:  # as Hearth notes it when it is removed
        (link,) = await uow.communities.links_on("telegram")
        link.away_since = NOW
        await uow.communities.save_link(link)
        await uow.commit()
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        'note  Telegram group "Kitchen": Hearth was removed from this group; its community is'
        " paused until someone adds Hearth again"
    ]
    assert code == 0


async def test_a_group_telegram_no_longer_knows(
    telegram: FakeBotApi, running_hearth: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = await doctor(capsys)  # no such chat on the fake: Telegram answers 400
    assert lines[4:] == [
        'fix   Telegram group "Kitchen": Telegram cannot find this group (Chat not found); it'
        " may have been deleted, or Hearth removed from it"
    ]
    assert code == 1


# PTB itself reads the deprecated int form of retry_after when it builds a RetryAfter.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_telegram_asking_to_wait_is_one_line(
    telegram: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.flood("getMe", retry_after=5)
    code, lines = await doctor(capsys)
    assert lines[2:] == [
        "fix   Telegram: Telegram did not answer as expected (Flood control exceeded. Retry in 5"
        " seconds); try again soon"
    ]
    assert code == 1


async def test_an_unreachable_telegram_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("HEARTH_TELEGRAM_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    code, lines = await doctor(capsys)
    assert lines[2:] == [
        "fix   Telegram: could not reach the Telegram Bot API (aiohttp.ClientConnectorError);"
        " check this machine's network connection (and HEARTH_TELEGRAM_BASE_URL if set)"
    ]
    assert code == 1


async def test_the_discord_members_intent_switched_off(
    discord_fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    discord_fake.bot_role(INVITED_WITH)
    discord_fake.members_intent_enabled = False
    code, lines = await doctor(capsys)
    assert lines[3] == (
        "fix   Discord members intent: off: Hearth cannot start without it, as it needs members"
        " joining and leaving for the welcome; in the Discord Developer Portal open the"
        " application → Bot → Privileged Gateway Intents and turn on Server Members Intent"
    )
    assert code == 1


async def test_a_channel_permission_hearth_lacks(
    discord_fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    role = discord_fake.bot_role(INVITED_WITH)
    discord_fake.overwrite(discord_fake.ideas, role, deny=ATTACH_FILES | SEND_MESSAGES_IN_THREADS)
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        'fix   Discord server "Hearth Test", #ideas: Hearth may not Send Messages in Threads or'
        " Attach Files there; allow them for Hearth (or its role) in the channel's settings →"
        " Permissions"
    ]
    assert code == 1


async def test_the_permissions_hearth_was_invited_without(
    discord_fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = await doctor(capsys)  # no role of its own: only @everyone's permissions
    missing = (
        "Hearth may not Send Messages in Threads or Attach Files there; allow them for Hearth"
        " (or its role) in the channel's settings → Permissions"
    )
    assert lines[4:] == [
        f'fix   Discord server "Hearth Test", #general: {missing}',
        f'fix   Discord server "Hearth Test", #ideas: {missing}',
    ]
    assert code == 1


async def test_a_channel_closed_to_hearth_is_a_note_and_its_own_overwrite_opens_it(
    discord_fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    role = discord_fake.bot_role(INVITED_WITH)
    everyone = discord_fake.guild_id
    discord_fake.overwrite(discord_fake.ideas, everyone, deny=VIEW_CHANNEL)
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        'ok    Discord server "Hearth Test": Hearth may see, write, write in threads and attach'
        " files in its text channel",
        'note  Discord server "Hearth Test": Hearth cannot see #ideas; that is fine if it should'
        " stay out, else allow View Channels for Hearth there",
    ]
    assert code == 0
    discord_fake.overwrite(discord_fake.ideas, role, allow=VIEW_CHANNEL)  # roles after @everyone
    _, lines = await doctor(capsys)
    assert lines[4:] == [
        'ok    Discord server "Hearth Test": Hearth may see, write, write in threads and attach'
        " files in its 2 text channels"
    ]


async def test_a_server_that_removed_hearth_leaves_an_invitation(
    discord_fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    discord_fake.bot_removed = True
    code, lines = await doctor(capsys)
    assert lines[4:] == [
        "note  Discord servers: Hearth is in no server yet; invite it with"
        f" https://discord.com/oauth2/authorize?client_id={discord_fake.app_id}"
        "&scope=bot+applications.commands&permissions=274877942784"
    ]
    assert code == 0


async def test_an_unreachable_discord_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    monkeypatch.setenv("HEARTH_DISCORD_TOKEN", DISCORD_TOKEN)
    code, lines = await doctor(capsys)
    assert lines[2:] == [
        "fix   Discord: could not reach Discord (ClientConnectorError); check this machine's"
        " network connection"
    ]
    assert code == 1


async def test_a_bad_setting_is_the_line_hearth_run_gives(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_TIMEZONE", "Mars/Olympus")
    code, lines = await doctor(capsys)
    assert lines == [
        "fix   settings: setting HEARTH_TIMEZONE: unknown timezone 'Mars/Olympus'; use a name"
        " like Europe/Berlin or UTC; nothing else was checked"
    ]
    assert code == 1


async def test_no_token_and_no_database_yet(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = await doctor(capsys)
    assert lines == [
        "note  settings: the HEARTH_* settings load, but no platform token is set"
        " (HEARTH_TELEGRAM_TOKEN, HEARTH_DISCORD_TOKEN): `hearth run` would start the console"
        " community",
        "note  database: hearth.db does not exist yet; Hearth creates it when it starts",
    ]
    assert code == 0
    assert "hearth.db" not in os.listdir()  # the doctor made nothing


async def test_an_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://hearth:secret-password@127.0.0.1:{closed_port()}/hearth"
    monkeypatch.setenv("HEARTH_DATABASE", url)
    code, lines = await doctor(capsys)
    port = url.split(":")[-1].split("/")[0]
    assert lines[1:] == [
        f"fix   database: postgresql://hearth:***@127.0.0.1:{port}/hearth cannot be used"
        f" ([Errno 111] Connect call failed ('127.0.0.1', {port})); check that the server is"
        " running, the database exists and HEARTH_DATABASE names it with a user that may use it"
    ]
    assert "secret-password" not in lines[1]
    assert code == 1


async def _set_revision(tmp_path: Path, revision: str) -> None:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    store.conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    await store.close()


async def test_a_database_ahead_of_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _set_revision(tmp_path, "9999_from_a_newer_hearth")
    code, lines = await doctor(capsys)
    assert lines[1] == (
        "fix   database: hearth.db was set up by a newer Hearth (schema 9999_from_a_newer_hearth)"
        f" than this one ({head()}); upgrade Hearth to the version that last ran on it, or"
        " restore a backup made by this version"
    )
    assert code == 1


async def test_a_database_behind_the_code_is_migrated_at_the_next_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _set_revision(tmp_path, "0017_baseline")
    code, lines = await doctor(capsys)
    assert lines[1] == (
        "note  database: hearth.db is reachable; its schema is older than this Hearth, which"
        " updates it when it next starts (back it up first)"
    )
    assert code == 0
    with contextlib.closing(sqlite3.connect(tmp_path / "hearth.db")) as db:  # migrated nothing
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0017_baseline",)
        ]


async def test_a_postgresql_database_that_is_current(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = await postgres.fresh_database()
    try:
        written = url.set(drivername="postgresql").render_as_string(hide_password=False)
        monkeypatch.setenv("HEARTH_DATABASE", written)
        code, lines = await doctor(capsys)
    finally:
        await postgres.give_back(url)
    shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
    assert lines[1] == f"ok    database: {shown} is reachable and its schema is up to date"
    assert code == 0


def test_hearth_doctor_as_typed_in_a_terminal(tmp_path: Path) -> None:
    """The installed command itself (`python -m bot doctor`), with a database out of reach:
    its lines on stdout, nothing on stderr, exit 1."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env["HEARTH_DATABASE"] = f"postgresql://hearth@127.0.0.1:{closed_port()}/hearth"
    env["PYTHONPATH"] = str(Path(__file__).parent.parent)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        "note  settings",
        "fix   database",
    ]


def test_hearth_doctor_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["doctor", "--help"])
    assert exited.value.code == 0
    assert "usage: hearth doctor" in capsys.readouterr().out

"""Telegram in webhook mode: Telegram posts each update to a worker, which answers 200 only once
the update's effects are saved and its answer went out; anything else is sent again (to
another worker behind the proxy) and applied once.

The real PTB and Hearth against the fake Bot API, which posts updates like Telegram does and
re-sends one not answered 200. Workers are Hearths on one shared store, as several processes
on one database would be.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.ports import Store, UnitOfWork
from bot.settings import SettingsProblem, Webhook, load_settings
from storage.sqlite import SqliteStore
from tests.hearth_process import hearth_run
from tests.stores import fresh_store
from tests.telegram_fake import SECRET_HEADER, TOKEN, FakeBotApi
from tests.telegram_support import TelegramWorld

SECRET = "kitchen_webhook-Secret42"
PUBLIC_URL = "https://hearth.example/telegram"  # the proxy's; the fake posts to the workers
SAVED = "Your offer for food is saved"
OFFER = "/offer food Soup on Sundays"


class FlakyStore:
    """A store whose next units of work cannot start: the database is out of reach a moment."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner
        self.failures = 0

    def unit_of_work(self, *, turn: str | None = None) -> UnitOfWork:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database is out of reach")
        return self.inner.unit_of_work(turn=turn)

    async def close(self) -> None:
        await self.inner.close()


async def worker(fake: FakeBotApi, store: Store, *, grace: float = 10.0) -> TelegramWorld:
    """A Hearth taking the bot's updates on a webhook, on a port of its own."""
    world = TelegramWorld(store=store, fake=fake)
    world.webhook = Webhook(PUBLIC_URL, "127.0.0.1", 0, SECRET)
    world.webhook_grace = grace
    await world.start()
    return world


def url_of(world: TelegramWorld) -> str:
    assert world.adapter is not None
    return f"http://127.0.0.1:{world.adapter.webhook_port}/telegram"


def offers(store: SqliteStore) -> list[str]:
    return [what for (what,) in store.conn.exec_driver_sql("SELECT what FROM aid_offers")]


def answers(fake: FakeBotApi, text: str) -> int:
    return sum(text in s.text for s in fake.sent)


async def delivered(fake: FakeBotApi, update: dict[str, Any]) -> None:
    """Wait until Telegram (the fake) got a 200 for this update."""
    await fake.wait_for(lambda: fake.delivered[update["update_id"]] > 0)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def kitchen(fake: FakeBotApi) -> AsyncIterator[TelegramWorld]:
    """One worker behind the proxy, with Bob a member of the group."""
    world = await worker(fake, fresh_store())
    fake.webhook_targets = [url_of(world)]
    await delivered(fake, await fake.say(world.bob, "hello", chat=world.group))
    yield world
    await world.stop_adapter()


async def test_a_members_command_is_answered_before_telegram_hears_200(
    fake: FakeBotApi, kitchen: TelegramWorld
) -> None:
    before = len(fake.sent)
    update = await fake.say(kitchen.bob, "/help", chat=kitchen.group)
    await delivered(fake, update)

    [answer] = fake.sent[before:]
    assert "Here is what you can use" in answer.text
    [post] = [p for p in fake.posts if p.update_id == update["update_id"]]
    assert (post.status, post.sent) == (200, before + 1)  # the answer went out first
    assert fake.webhook is not None
    assert fake.webhook["url"] == PUBLIC_URL and fake.webhook["secret_token"] == SECRET
    assert "chat_member" in fake.allowed
    assert not any(method == "getUpdates" for method, _ in fake.calls)
    assert kitchen.adapter is not None
    info = await kitchen.adapter.application.bot.get_webhook_info()
    assert (info.url, info.max_connections, info.pending_update_count) == (PUBLIC_URL, 40, 0)


async def test_a_post_without_the_right_secret_is_refused_and_changes_nothing(
    fake: FakeBotApi, kitchen: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    forged = {"update_id": 9001, "message": fake.text_message(kitchen.bob, "/help")}
    handled = kitchen.handled.copy()
    before = len(fake.sent)
    async with aiohttp.ClientSession() as client:
        statuses = []
        for headers in ({}, {SECRET_HEADER: "guessed"}, {SECRET_HEADER: SECRET + "x"}):
            async with client.post(url_of(kitchen), json=forged, headers=headers) as response:
                statuses.append(response.status)
        async with client.post(
            url_of(kitchen), data=b"{not json", headers={SECRET_HEADER: SECRET}
        ) as response:
            statuses.append(response.status)

    assert statuses == [403, 403, 403, 400]
    assert fake.sent[before:] == [] and kitchen.handled == handled
    assert "refused a webhook post without the right secret token" in caplog.text
    assert SECRET not in caplog.text and "guessed" not in caplog.text


async def test_an_update_sent_again_is_applied_once_and_answered_once(
    fake: FakeBotApi, kitchen: TelegramWorld
) -> None:
    update = await fake.say(kitchen.bob, OFFER)
    await delivered(fake, update)
    await fake.replay(update)  # Telegram never heard the 200 and sends it again
    await fake.wait_for(lambda: fake.delivered[update["update_id"]] == 2)

    assert isinstance(kitchen.store, SqliteStore)
    assert offers(kitchen.store) == ["Soup on Sundays"]
    assert answers(fake, SAVED) == 1


async def test_an_update_whose_handling_failed_is_sent_again_and_applied_once(
    fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    inner = fresh_store()
    store = FlakyStore(inner)
    world = await worker(fake, store)
    fake.webhook_targets = [url_of(world)]
    try:
        await delivered(fake, await fake.say(world.bob, "hello", chat=world.group))
        store.failures = 1
        with caplog.at_level(logging.ERROR):
            update = await fake.say(world.bob, OFFER)
            await delivered(fake, update)
    finally:
        await world.stop_adapter()

    statuses = [p.status for p in fake.posts if p.update_id == update["update_id"]]
    assert statuses == [500, 200]
    assert offers(inner) == ["Soup on Sundays"]
    assert answers(fake, SAVED) == 1
    assert "handling a Telegram update failed" in caplog.text


async def test_a_worker_stopping_mid_update_leaves_it_to_another_worker(
    fake: FakeBotApi,
) -> None:
    store = fresh_store()
    stopping = await worker(fake, store, grace=0.2)
    other = await worker(fake, store)
    try:
        fake.webhook_targets = [url_of(other)]
        await delivered(fake, await fake.say(other.bob, "hello", chat=other.group))
        held = fake.hold("getChatAdministrators")  # the stopping worker's look-up of the group
        first, second = url_of(stopping), url_of(other)
        fake.webhook_targets = [first, second]
        update = await fake.say(other.bob, OFFER)
        await asyncio.wait_for(held.reached.wait(), 10)
        await stopping.stop_adapter()  # its grace runs out while the update is in hand
        await delivered(fake, update)
    finally:
        await stopping.stop_adapter()
        await other.stop_adapter()

    posts = [(p.target, p.status) for p in fake.posts if p.update_id == update["update_id"]]
    assert posts == [(first, 503), (second, 200)]
    assert offers(store) == ["Soup on Sundays"]
    assert answers(fake, SAVED) == 1


async def test_a_stopping_worker_finishes_the_update_in_hand_within_its_grace(
    fake: FakeBotApi,
) -> None:
    store = fresh_store()
    world = await worker(fake, store)
    fake.webhook_targets = [url_of(world)]
    await delivered(fake, await fake.say(world.bob, "hello", chat=world.group))
    held = fake.hold("sendMessage")  # the answer to the offer, after the commit
    update = await fake.say(world.bob, OFFER)
    await asyncio.wait_for(held.reached.wait(), 10)
    stopping = asyncio.create_task(world.stop_adapter())
    late = await fake.say(world.carla, "/help", chat=world.group)  # arrives while stopping
    await fake.wait_for(lambda: fake.answered(late, 503) > 0)
    held.release.set()
    await stopping

    assert [p.status for p in fake.posts if p.update_id == update["update_id"]] == [200]
    assert offers(store) == ["Soup on Sundays"] and answers(fake, SAVED) == 1


async def test_polling_again_after_a_webhook_removes_the_webhook_first(
    fake: FakeBotApi, kitchen: TelegramWorld
) -> None:
    kitchen.webhook = None
    await kitchen.restart()
    answered = await kitchen.say(kitchen.bob, "/help")

    assert fake.webhook is None
    assert "Here is what you can use" in answered[0].text


# -- settings and start-up --------------------------------------------------------------------


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.chdir(folder)  # no .env
    for key in [k for k in os.environ if k.startswith("HEARTH_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"HEARTH_TELEGRAM_WEBHOOK_URL": PUBLIC_URL},
            "setting HEARTH_TELEGRAM_WEBHOOK_SECRET: required with HEARTH_TELEGRAM_WEBHOOK_URL:"
            " choose 1 to 256 characters of A-Z, a-z, 0-9, _ and -, the same for every worker"
            " of this bot",
        ),
        (
            {"HEARTH_TELEGRAM_WEBHOOK_URL": PUBLIC_URL, "HEARTH_TELEGRAM_WEBHOOK_SECRET": "a b!"},
            "setting HEARTH_TELEGRAM_WEBHOOK_SECRET: use 1 to 256 characters of A-Z, a-z, 0-9,"
            " _ and - (as Telegram does)",
        ),
        (
            {
                "HEARTH_TELEGRAM_WEBHOOK_URL": "http://hearth.example/telegram",
                "HEARTH_TELEGRAM_WEBHOOK_SECRET": SECRET,
            },
            "setting HEARTH_TELEGRAM_WEBHOOK_URL: Telegram posts updates only to an https URL;"
            " use https:// (http:// works only on this machine, or with your own Bot API server"
            " in HEARTH_TELEGRAM_BASE_URL)",
        ),
        (
            {
                "HEARTH_TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
                "HEARTH_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "HEARTH_TELEGRAM_WEBHOOK_LISTEN": "8443",
            },
            "setting HEARTH_TELEGRAM_WEBHOOK_LISTEN: '8443' is not host:port; use for example"
            " 0.0.0.0:8443",
        ),
    ],
)
def test_webhook_settings_that_cannot_work_stop_start_up_in_one_line(
    env: dict[str, str], line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_from(env, monkeypatch, tmp_path)
    with pytest.raises(SettingsProblem) as problem:
        load_settings()
    assert str(problem.value) == line
    assert SECRET not in line


@pytest.mark.parametrize(
    ("env", "webhook"),
    [
        ({}, None),
        (
            {"HEARTH_TELEGRAM_WEBHOOK_URL": PUBLIC_URL, "HEARTH_TELEGRAM_WEBHOOK_SECRET": SECRET},
            Webhook(PUBLIC_URL, "0.0.0.0", 8443, SECRET),
        ),
        (
            {
                "HEARTH_TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:8443/tg",
                "HEARTH_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "HEARTH_TELEGRAM_WEBHOOK_LISTEN": "[::1]:9",
            },
            Webhook("http://127.0.0.1:8443/tg", "::1", 9, SECRET),
        ),
        (
            {
                "HEARTH_TELEGRAM_BASE_URL": "http://bot-api.lan:8081",
                "HEARTH_TELEGRAM_WEBHOOK_URL": "http://worker.lan:8443/tg",
                "HEARTH_TELEGRAM_WEBHOOK_SECRET": SECRET,
            },
            Webhook("http://worker.lan:8443/tg", "0.0.0.0", 8443, SECRET),
        ),
    ],
)
def test_webhook_settings_that_work(
    env: dict[str, str], webhook: Webhook | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_from(env, monkeypatch, tmp_path)
    found = load_settings().webhook()
    assert found == webhook
    assert SECRET not in repr(found)


def hearth_env(fake: FakeBotApi, folder: Path, listen: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update(
        HEARTH_TELEGRAM_TOKEN=TOKEN,
        HEARTH_TELEGRAM_BASE_URL=fake.base_url,
        HEARTH_DATABASE=str(folder / "hearth.db"),
        HEARTH_TELEGRAM_WEBHOOK_URL=PUBLIC_URL,
        HEARTH_TELEGRAM_WEBHOOK_SECRET=SECRET,
        HEARTH_TELEGRAM_WEBHOOK_LISTEN=listen,
    )
    return env


async def test_hearth_run_takes_updates_on_a_webhook_until_sigint(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    group = fake.group(-1001000000001, "Kitchen")
    bob = fake.user(12, "Bob")
    fake.set_status(group, bob, "member")
    with socket.socket() as probe:  # a free port for the worker
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "stderr.log"
    env = hearth_env(fake, tmp_path, f"127.0.0.1:{port}")
    async with hearth_run(env, tmp_path, log_path) as process:
        await fake.wait_for(lambda: fake.webhook is not None, 30)
        fake.webhook_targets = [f"http://127.0.0.1:{port}/telegram"]
        update = await fake.say(bob, "/help", chat=group)
        await delivered(fake, update)
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 30)

    logs = log_path.read_text(encoding="utf-8")
    assert code == 0, logs
    assert "Here is what you can use" in fake.sent[-1].text
    assert "taking updates for @hearth_test_bot on a webhook" in logs
    assert TOKEN.split(":")[1] not in logs and SECRET not in logs
    assert fake.webhook is not None  # left set for the other workers


async def test_a_listen_address_in_use_stops_start_up_in_one_line(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = hearth_env(fake, tmp_path, f"127.0.0.1:{port}")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 30)

    lines = stderr.decode().strip().splitlines()
    assert process.returncode != 0
    assert lines == [
        f"hearth: could not listen on 127.0.0.1:{port} for Telegram's updates (Address already"
        " in use); check HEARTH_TELEGRAM_WEBHOOK_LISTEN (is another program using that port?)"
    ]
    assert fake.webhook is None  # Telegram was never told to post to a worker that is not there

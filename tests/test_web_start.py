"""The web pages start with Hearth: where they listen is a setting, a bad or busy address stops
start-up in one line, and the console community serves them too and says where."""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
from pathlib import Path

import aiohttp
import pytest

from adapters.console.runner import run_console
from adapters.web import WebServer
from bot.cli import main
from bot.hearth import Defaults
from bot.settings import Settings
from storage.postgres import PostgresStore
from tests import postgres
from tests.support import World

ADDRESS = re.compile(r"web pages are at (http://127\.0\.0\.1:\d+)")
LINK = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/\S+")


def test_the_web_address_is_a_setting_that_can_be_switched_off() -> None:
    assert Settings(web_address="off").web() is None
    assert Settings(web_address="127.0.0.1:0").web() == ("127.0.0.1", 0)
    assert Settings().web() == ("127.0.0.1", 8470)
    assert Settings(web_url="https://hearth.example.org/").web_url == "https://hearth.example.org"


def test_a_bad_web_address_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_WEB_ADDRESS", "everywhere")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "hearth: setting HEARTH_WEB_ADDRESS: 'everywhere' is not host:port; use for example"
        " 127.0.0.1:8470"
    ]
    monkeypatch.setenv("HEARTH_WEB_ADDRESS", "127.0.0.1:8470")
    monkeypatch.setenv("HEARTH_WEB_URL", "hearth.example.org")
    assert main(["run"]) == 2
    assert "setting HEARTH_WEB_URL" in capsys.readouterr().err


def test_a_web_address_in_use_stops_hearth_run_before_any_platform_is_contacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("HEARTH_DATABASE", str(tmp_path / "hearth.db"))
        monkeypatch.setenv("HEARTH_WEB_ADDRESS", f"127.0.0.1:{port}")
        monkeypatch.setenv("HEARTH_TELEGRAM_TOKEN", "123:never-used")
        monkeypatch.setenv("HEARTH_TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
        assert main(["run"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"hearth: HEARTH_WEB_ADDRESS 127.0.0.1:{port} cannot be used (address already in use);"
        " stop what listens there, choose another port, or set HEARTH_WEB_ADDRESS=off"
    ]


async def test_the_console_says_where_its_web_pages_are_and_a_moderator_signs_in(
    tmp_path: Path,
) -> None:
    read_end, write_end = os.pipe()
    source = os.fdopen(read_end, "r")
    out = io.StringIO()

    def typed(*lines: str) -> None:
        os.write(write_end, "".join(line + "\n" for line in lines).encode())

    async def shown(pattern: re.Pattern[str]) -> str:
        for _ in range(500):  # the console answers within milliseconds; give it 5 s
            found = pattern.search(out.getvalue())
            if found:
                return found.group(0)
            await asyncio.sleep(0.01)
        raise AssertionError(f"never shown: {pattern.pattern}\n{out.getvalue()}")

    console = asyncio.create_task(
        run_console(
            tmp_path / "hearth.db",
            Defaults(),
            stdin=source,
            stdout=out,
            web=("127.0.0.1", 0),
        )
    )
    try:
        typed(":admin mo", ":as mo", "/dashboard")
        home = ADDRESS.search(await shown(ADDRESS))
        assert home is not None
        link = await shown(LINK)
        assert link.startswith(home.group(1))
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http, http.post(link) as response:
            page = await response.text()
            assert response.status == 200 and "Dashboard of console" in page, page
    finally:
        os.close(write_end)
        await asyncio.wait_for(console, 10)
        source.close()


async def test_two_workers_starting_at_once_agree_on_the_signing_key() -> None:
    """A link one worker made opens on the other: they share the database's signing key,
    even when both start at the same moment and each would make its own."""
    url = await postgres.fresh_database()
    stores = [await PostgresStore.open(url) for _ in range(2)]
    try:
        worlds = [World(store=store) for store in stores]
        servers = [WebServer(w.hearth, "127.0.0.1", 0) for w in worlds]
        await asyncio.gather(*(server.start() for server in servers))
        try:
            first, second = (server.links for server in servers)
            assert first is not None and second is not None
            token = second.sign_in("a-secret").rsplit("/", 1)[1]
            assert first.signing.link_secret(token) == "a-secret"
        finally:
            for server in servers:
                await server.stop()
    finally:
        for store in stores:
            await store.close()
        await postgres.give_back(url)

"""Moderators reach the dashboard from a real platform: the link comes privately through the
real adapter, and the platform itself vouches for them on every page they open."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from adapters.web import WebServer
from storage.sqlite import SqliteStore
from tests.discord_support import RunningBot, serving_fake
from tests.telegram_support import TelegramWorld, texts

LINK = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/\S+")


async def test_a_telegram_administrator_signs_in_and_is_refused_once_demoted(
    tg: TelegramWorld,
) -> None:
    assert tg.adapter is not None
    server = WebServer(tg.hearth, "127.0.0.1", 0, platforms={"telegram": tg.adapter})
    await server.start()
    try:
        tg.fake.started.add(tg.bob["id"])
        tg.fake.set_status(tg.group, tg.bob, "administrator")
        sent = await tg.say(tg.bob, "/dashboard")
        private = [s for s in sent if s.chat_id == tg.bob["id"]]
        found = LINK.search(texts(private))
        assert found, texts(sent)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post(found.group(0)) as response:
                assert response.status == 200
                assert "Dashboard of Kitchen" in await response.text()
                dashboard = str(response.url)
            tg.fake.set_status(tg.group, tg.bob, "member")  # demoted in Telegram, no update
            async with http.get(dashboard) as response:
                assert response.status == 403
            tg.fake.set_status(tg.group, tg.bob, "administrator")
            async with http.get(dashboard) as response:
                assert response.status == 200
            tg.fake.set_status(tg.group, tg.bob, "left")
            async with http.get(dashboard) as response:
                assert response.status == 403
    finally:
        await server.stop()


async def test_discord_vouches_for_managers_of_the_server_and_for_nobody_who_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with serving_fake(monkeypatch) as fake:
        store = await SqliteStore.open(tmp_path / "hearth.db")
        running = RunningBot(fake, store)
        try:
            manager = fake.add_member("Mia", manager=True)
            member = fake.add_member("Noor")
            await running.start()
            guild = str(fake.guild_id)
            standing = running.adapter.standing
            mia = await standing(guild, manager["id"])
            assert mia is not None and mia.is_platform_admin
            noor = await standing(guild, member["id"])
            assert noor is not None and not noor.is_platform_admin
            assert await standing(guild, str(fake.new_id())) is None  # not in the server
            with pytest.raises(LookupError):  # a server this process does not run
                await standing("424242", manager["id"])
        finally:
            await running.stop()
            await store.close()

"""An operator watching a running Hearth: GET /healthz says whether it can serve (database,
platforms) and how much work waits; GET /metrics gives Prometheus the counts. The real aiohttp
server on 127.0.0.1, asked by a real HTTP client."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops import HealthCheck, Metrics, OpsServer, operations_endpoints
from bot.app import build_hearth
from bot.cli import main
from bot.clock import FakeClock
from bot.domain import Schedule
from bot.events import CommandInvoked, Origin, Person
from bot.hearth import Hearth
from bot.replies import Reply, Target, Visibility
from bot.runtime import Router
from tests.discord_support import RunningBot, serving_fake
from tests.hearth_process import hearth_run
from tests.stores import fresh_store
from tests.support import START
from tests.telegram_fake import TOKEN, FakeBotApi
from tests.telegram_support import TelegramWorld


class PlatformAdapter:
    """An adapter of one platform that an operator can see connected or not."""

    def __init__(self, platform: str, *, fails: bool = False) -> None:
        self.platform = platform
        self.connected = True
        self.fails = fails
        self.delivered: list[Reply] = []

    async def start(self, hearth: Hearth) -> None:
        return None

    async def stop(self) -> None:
        self.connected = False

    async def deliver(self, replies: Sequence[Reply]) -> None:
        if self.fails:
            raise ConnectionError("the platform did not answer")
        self.delivered.extend(replies)


class Operated:
    """A Hearth (its store timed, as `hearth run` does), its adapters and the endpoints."""

    def __init__(self) -> None:
        self.clock = FakeClock(START)
        self.metrics = Metrics()
        self.store = fresh_store()
        self.hearth = build_hearth(store=self.metrics.timed(self.store), clock=self.clock)
        self.telegram = PlatformAdapter("telegram")
        self.discord = PlatformAdapter("discord", fails=True)
        self.adapters = [self.telegram, self.discord]
        self.hearth.outbox = Router(self.adapters)
        self.origin = Origin("telegram", "-100", Person("11", "Ana"), "-100")
        self.server: OpsServer | None = None
        self.http: aiohttp.ClientSession | None = None

    async def get(self, path: str) -> tuple[int, str]:
        assert self.server is not None and self.http is not None
        url = f"http://127.0.0.1:{self.server.port}{path}"
        async with self.http.get(url) as response:
            return response.status, await response.text()

    async def health(self) -> tuple[int, dict[str, Any]]:
        assert self.server is not None and self.http is not None
        async with self.http.get(f"http://127.0.0.1:{self.server.port}/healthz") as response:
            return response.status, await response.json()

    async def metrics_text(self) -> dict[str, float]:
        """Every sample by name and labels, e.g. `hearth_updates_total{outcome=ok}`."""
        status, text = await self.get("/metrics")
        assert status == 200
        samples: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return samples

    async def command(self, name: str, event_ref: str | None = None) -> list[Reply]:
        return await self.hearth.handle(CommandInvoked(self.origin, name, event_ref=event_ref))

    async def community_id(self) -> int:
        async with self.store.unit_of_work() as uow:
            link = await uow.communities.find_link("telegram", "-100")
        assert link is not None
        return link.community_id


@asynccontextmanager
async def operated() -> AsyncIterator[Operated]:
    world = Operated()
    async with (
        operations_endpoints("127.0.0.1", 0, world.hearth, world.adapters, world.metrics) as ops,
        aiohttp.ClientSession() as http,
    ):
        world.server, world.http = ops, http
        yield world


def _reply(platform: str, text: str) -> Reply:
    return Reply(text, Target(platform, "-100", None, "11"), Visibility.PRIVATE)


async def test_a_serving_hearth_is_healthy_and_says_how_much_work_waits() -> None:
    async with operated() as world:
        await world.command("help")  # the community exists now
        community = await world.community_id()
        now = world.clock.now()
        async with world.store.unit_of_work() as uow:
            await uow.jobs.add(
                community_id=community, kind="late", due_at=now - timedelta(seconds=90)
            )
            await uow.jobs.add(
                community_id=community, kind="later", due_at=now + timedelta(hours=1)
            )
            await uow.schedules.put(
                Schedule(community, "weekly", 0, 9, 0, now - timedelta(seconds=30))
            )
            await uow.outbox.add(_reply("telegram", "one"), now)
            await uow.outbox.add(_reply("telegram", "two"), now + timedelta(minutes=5))
            await uow.commit()

        status, body = await world.health()

        assert status == 200
        assert body == {
            "status": "ok",
            "database": "reachable",
            "adapters": {"telegram": "connected", "discord": "connected"},
            "outbox_depth": 2,
            "oldest_job_lag_seconds": 90.0,
        }
        world.clock.advance(timedelta(seconds=10))  # nothing ran the job: it is later still
        assert (await world.health())[1]["oldest_job_lag_seconds"] == 100.0


async def test_nothing_due_is_no_lag() -> None:
    async with operated() as world:
        status, body = await world.health()
    assert status == 200
    assert body["outbox_depth"] == 0 and body["oldest_job_lag_seconds"] == 0.0


async def test_a_disconnected_platform_makes_hearth_unhealthy() -> None:
    async with operated() as world:
        world.discord.connected = False
        status, body = await world.health()
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["adapters"] == {"telegram": "connected", "discord": "disconnected"}
    assert body["database"] == "reachable"


async def test_a_closed_database_makes_hearth_unhealthy() -> None:
    async with operated() as world:
        await world.store.close()
        status, body = await world.health()
        _, metrics = await world.get("/metrics")
    assert status == 503
    assert body["database"] == "unreachable"
    assert body["outbox_depth"] is None and body["oldest_job_lag_seconds"] is None
    assert "hearth_database_up 0.0" in metrics
    assert "hearth_outbox_depth" not in metrics  # unknown, not a made-up zero


async def test_a_database_that_does_not_answer_in_time_counts_as_unreachable() -> None:
    world = Operated()
    check = HealthCheck(world.hearth, world.adapters, timeout=0.05)
    holding, release = asyncio.Event(), asyncio.Event()

    async def busy() -> None:  # a unit of work that never finishes while the check runs
        async with world.store.unit_of_work():
            holding.set()
            await release.wait()

    stuck = asyncio.create_task(busy())
    await holding.wait()
    try:
        health = await check.check()
    finally:
        release.set()
        await stuck
    assert not health.database and not health.healthy
    assert (await check.check()).database  # answers again once the unit is done


async def test_metrics_count_updates_deliveries_and_units_of_work() -> None:
    async with operated() as world:
        before = await world.metrics_text()
        await world.command("help", event_ref="u1")
        await world.command("help", event_ref="u1")  # Telegram sent it again
        await world.command("nosuchcommand", event_ref="u2")
        async with world.store.unit_of_work() as uow:
            await uow.outbox.add(_reply("telegram", "to Telegram"), world.clock.now())
            await uow.outbox.add(_reply("discord", "to Discord"), world.clock.now())
            await uow.commit()
        await world.hearth.flush_outbox()
        after = await world.metrics_text()

    assert before["hearth_updates_total{outcome=ok}"] == 0
    assert before["hearth_messages_sent_total{platform=telegram}"] == 0
    assert after["hearth_updates_total{outcome=ok}"] == 1
    assert after["hearth_updates_total{outcome=duplicate}"] == 1
    assert after["hearth_updates_total{outcome=refused}"] == 1
    assert after["hearth_updates_total{outcome=error}"] == 0
    assert after["hearth_messages_sent_total{platform=telegram}"] == 1
    assert after["hearth_messages_refused_total{platform=telegram}"] == 0
    assert after["hearth_messages_sent_total{platform=discord}"] == 0
    assert after["hearth_messages_refused_total{platform=discord}"] == 1
    assert [r.text for r in world.telegram.delivered] == ["to Telegram"]
    assert after["hearth_outbox_depth"] == 1  # Discord's is retried later
    assert after["hearth_job_lag_seconds"] == 0
    assert after["hearth_database_up"] == 1
    assert after["hearth_adapter_connected{platform=discord}"] == 1
    units = after["hearth_unit_of_work_seconds_count"] - before["hearth_unit_of_work_seconds_count"]
    assert units >= 6  # three commands, the outbox's claim, send and retry at least
    assert after["hearth_unit_of_work_seconds_sum"] > 0


async def test_each_running_hearth_has_its_own_metrics() -> None:
    async with operated() as first, operated() as second:
        await first.command("help")
        assert (await first.metrics_text())["hearth_updates_total{outcome=ok}"] == 1
        assert (await second.metrics_text())["hearth_updates_total{outcome=ok}"] == 0


async def test_the_telegram_adapter_is_connected_while_it_polls() -> None:
    world = TelegramWorld()
    try:
        await world.start()
        assert world.adapter is not None
        adapter = world.adapter
        assert adapter.connected
        await world.fake.conflict()  # another instance took the bot's updates
        await asyncio.wait_for(adapter.ended(), 10)
        assert not adapter.connected
    finally:
        await world.close()


async def test_the_discord_adapter_is_connected_while_its_gateway_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serving_fake(monkeypatch) as fake:
        bot = RunningBot(fake, fresh_store())
        await bot.start()
        try:
            assert bot.adapter.connected
            adapter = bot.adapter
        finally:
            await bot.stop()
        assert not adapter.connected


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_hearth_run_serves_health_and_metrics_beside_telegram(tmp_path: Path) -> None:
    fake = FakeBotApi()
    group = fake.group(-1001000000001, "Kitchen")
    bob = fake.user(12, "Bob")
    fake.set_status(group, bob, "member")
    await fake.start()
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update(
        HEARTH_TELEGRAM_TOKEN=TOKEN,
        HEARTH_TELEGRAM_BASE_URL=fake.base_url,
        HEARTH_DATABASE=str(tmp_path / "hearth.db"),
        HEARTH_HTTP_LISTEN=f"127.0.0.1:{port}",
    )
    log_path = tmp_path / "stderr.log"
    base = f"http://127.0.0.1:{port}"
    try:
        async with hearth_run(env, tmp_path, log_path) as process:
            await fake.wait_for(
                lambda: any(m == "getUpdates" and p.get("timeout") for m, p in fake.calls), 30
            )
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/healthz") as response:
                    status, health = response.status, await response.json()
                await fake.say(bob, "/help", chat=group)
                await fake.wait_for(lambda: bool(fake.sent), 30)
                async with http.get(f"{base}/metrics") as response:
                    metrics = await response.text()
            process.send_signal(signal.SIGINT)
            code = await asyncio.wait_for(process.wait(), 30)
    finally:
        await fake.close()

    assert code == 0, log_path.read_text(encoding="utf-8")
    assert status == 200, health
    assert health["adapters"] == {"telegram": "connected"}
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
    }
    assert samples["hearth_updates_total", (("outcome", "ok"),)] == 1
    assert samples["hearth_unit_of_work_seconds_count", ()] > 0
    assert samples["hearth_adapter_connected", (("platform", "telegram"),)] == 1
    with pytest.raises(aiohttp.ClientConnectionError):  # the server stopped with Hearth
        async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz"):
            pass


def test_a_bad_listen_address_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_HTTP_LISTEN", "localhost")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "hearth: setting HEARTH_HTTP_LISTEN: 'localhost' is not host:port; use for example"
        " 127.0.0.1:9464"
    ]

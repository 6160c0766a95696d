"""The HTTP server of the operations endpoints: aiohttp on HEARTH_HTTP_LISTEN, beside the
adapters for as long as `hearth run` serves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler

from adapters.listening import unusable_address
from adapters.ops.health import HealthCheck
from adapters.ops.metrics import Metrics
from bot.errors import StartupProblem
from bot.hearth import Hearth
from bot.runtime import Adapter


class OpsServer:
    def __init__(self, host: str, port: int, health: HealthCheck, metrics: Metrics) -> None:
        self.host = host
        self.requested_port = port
        self.health = health
        self.metrics = metrics
        self._exposition = make_aiohttp_handler(metrics.registry)
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        # No access log: a scraper asks every few seconds, and the answers say it all.
        self._runner = web.AppRunner(app, access_log=None)
        self._site: web.TCPSite | None = None

    @property
    def port(self) -> int:
        """The port listened on (the one chosen by the system when 0 was asked for)."""
        addresses = self._runner.addresses if self._site is not None else []
        return int(addresses[0][1]) if addresses else self.requested_port

    async def start(self) -> None:
        """Listen, or stop start-up in one line when the address cannot be used."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.requested_port)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            raise self._unusable(error) from None
        self._site = site

    def _unusable(self, error: OSError) -> StartupProblem:
        return unusable_address(
            error,
            "HEARTH_HTTP_LISTEN",
            self.host,
            self.requested_port,
            in_use="stop what listens there or choose another port",
        )

    async def stop(self) -> None:
        await self._runner.cleanup()
        self._site = None

    async def _healthz(self, request: web.Request) -> web.Response:
        health = await self.health.check()
        return web.json_response(health.to_json(), status=200 if health.healthy else 503)

    async def _metrics(self, request: web.Request) -> web.StreamResponse:
        self.metrics.seen(await self.health.check())
        return await self._exposition(request)


@asynccontextmanager
async def operations_endpoints(
    host: str, port: int, hearth: Hearth, adapters: Sequence[Adapter], metrics: Metrics
) -> AsyncIterator[OpsServer]:
    """GET /healthz and GET /metrics for this Hearth while the block runs."""
    metrics.watch(hearth, adapters)
    server = OpsServer(host, port, HealthCheck(hearth, adapters), metrics)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()

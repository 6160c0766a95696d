"""Telegram's updates posted to this worker, answered 200 only once handled: nothing is lost.

In webhook mode Telegram posts each update to one URL; a reverse proxy may spread those posts
over several Hearth workers. Telegram takes a 200 as "delivered" and sends again, to whichever
worker the proxy picks, what was answered otherwise or not at all. So an update is answered
only after its handling finished (the core committed its unit of work and its replies went out
or into the outbox): 200 if it did; 500 if an error escaped its handler; 503 if the worker is
stopping, before or while handling it. The core's processed events recognise an update sent
again after it was applied, so it changes and sends nothing the second time.

Not PTB's Updater.start_webhook, which answers 200 as soon as an update is queued.

Every post must carry the secret token given to setWebhook (compared in constant time); one
without it is refused with 403 and never handled. Updates are handed to PTB in the order they
arrive, so each person's are handled in that order (ordering.py), as when polling.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import socket
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ContextTypes

log = logging.getLogger("hearth.telegram.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FINISH_GRACE = 10.0  # seconds a clean stop waits for updates in hand, as when polling
LARGEST_UPDATE = 1024 * 1024  # bytes; an update is a few kilobytes


class WebhookBindFailed(OSError):
    """The listen address is taken or not this machine's: one clear line."""


class WebhookReceiver:
    """One worker's HTTP endpoint for a bot's updates."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        secret: str,
        *,
        finish_grace: float = FINISH_GRACE,
    ) -> None:
        self._app = app
        self._secret = secret.encode()
        self._finish_grace = finish_grace
        self._handlers: set[asyncio.Task[bool]] = set()
        self._failed: set[int] = set()  # id() of updates in hand whose handler raised
        self._taking = False  # until the Application runs, posts are answered 503
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self.port = 0  # the port bound, once open (a listen port of 0 picks a free one)
        app.add_error_handler(self._note_failure)

    async def open(self, host: str, port: int) -> None:
        """Listen on host:port; WebhookBindFailed when that is not possible."""
        server = web.Application(client_max_size=LARGEST_UPDATE)
        server.router.add_post("/{path:.*}", self._post)
        runner = web.AppRunner(server, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            if isinstance(error, socket.gaierror) or not error.errno:
                reason = error.strerror or str(error)  # a host name that does not resolve
            else:
                reason = os.strerror(error.errno)  # asyncio words it at length
            raise WebhookBindFailed(
                f"could not listen on {host}:{port} for Telegram's updates ({reason});"
                " check HEARTH_TELEGRAM_WEBHOOK_LISTEN (is another program using that port?)"
            ) from None
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or ()
        self.port = int(sockets[0].getsockname()[1]) if sockets else port

    @property
    def taking(self) -> bool:
        """Posts are being taken (started, not stopping)."""
        return self._taking and not self._stopping

    def take_posts(self) -> None:
        """The Application runs: handle what Telegram posts from now on."""
        self._taking = True

    async def close(self) -> None:
        """Refuse new posts (503), let the updates in hand finish for a while, then close.
        Those cut short are answered 503: Telegram sends them again, to a worker still up."""
        self._stopping = True
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=self._finish_grace)
        for unfinished in list(self._handlers):
            unfinished.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()  # the answers above go out first
            self._runner = None

    # -- one post -------------------------------------------------------------------------

    async def _post(self, request: web.Request) -> web.Response:
        if self._stopping or not self._taking:
            return web.Response(status=503, text="not taking updates")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning(
                "refused a webhook post without the right secret token (from %s)", request.remote
            )
            return web.Response(status=403, text="forbidden")
        update = await self._update(request)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        if self._stopping:  # began while the body was read: close() no longer waits for it
            return web.Response(status=503, text="not taking updates")
        # Tasks start in the order they are made: each person's updates reach their queue in
        # the order they arrived. Handling goes on even if Telegram hangs up meanwhile.
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        await asyncio.wait({task})
        if task.cancelled():
            return web.Response(status=503, text="stopping")
        if not task.result():
            return web.Response(status=500, text="not handled")
        return web.Response(status=200)

    async def _update(self, request: web.Request) -> Update | None:
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            return Update.de_json(data, self._app.bot)
        except Exception:  # whatever a malformed body makes the parser raise
            log.warning("refused a webhook post that is not a Telegram update")
            return None

    async def _handle(self, update: Update) -> bool:
        """Hand the update to PTB as polling does; whether its handling finished cleanly."""
        app = self._app
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception:
            log.exception("an update could not be handled update_id=%d", update.update_id)
            return False
        finally:
            failed = id(update) in self._failed
            self._failed.discard(id(update))
        return not failed

    async def _note_failure(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB passes a handler's error to its error handlers (incoming.py logs it): note
        that this update was not handled, so Telegram is asked to send it again."""
        if isinstance(update, Update):
            self._failed.add(id(update))

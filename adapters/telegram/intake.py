"""Updates fetched from Telegram, confirmed only once handled: nothing is lost in a crash.

Telegram keeps an update until a getUpdates call carries an offset above its id. PTB's own
Updater polls again as soon as it has handed a batch over, so its offset confirms updates no
handler has touched yet: killed in a burst, Hearth lost them for good. This loop drives
getUpdates itself and moves the offset only past the longest run of updates, oldest first,
whose handling has finished (the core committed their unit of work and their replies went out
or into the outbox). Updates of different people are handled side by side (ordering.py), so a
later one may finish first; it is confirmed together with the ones before it.

Whatever is not confirmed, Telegram sends again to the next poller, after a crash or a restart;
the core's processed events recognise an update it has already applied, so it changes and sends
nothing the second time. A clean stop lets the updates in hand finish (for a while), confirms
exactly those, and leaves the rest to Telegram.

Telegram hands out at most 100 unconfirmed updates and answers a poll at once while any is
unconfirmed, so while updates are in hand the loop asks again every half second rather than
holding a long poll, and it sees at most 100 updates beyond the oldest one still in hand.

Another poller on the same token makes Telegram answer 409 Conflict: polling stops at once and
`ended()` says why in one line; two pollers would otherwise take turns stealing each other's
updates. Only a worker that just took over polling from another worker of the bot (whose last
poll may still be on its way) lets 409s pass for `conflict_grace` seconds, asking again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from adapters.telegram.transport import failure_kind

log = logging.getLogger("hearth.telegram.intake")

BATCH = 100  # Telegram's largest getUpdates batch
FINISH_GRACE = 10.0  # seconds a clean stop waits for updates in hand
LONGEST_BACKOFF = 30.0
REPOLL_WHILE_BUSY = 0.5  # seconds between polls while only updates in hand come back
ANOTHER_POLLER = (
    "another instance is polling this bot (Telegram answered 409 Conflict), so this one"
    " stopped taking its updates; run one Hearth per bot token"
)
TOKEN_REFUSED = "HEARTH_TELEGRAM_TOKEN is no longer accepted, so updates stopped"


class Intake:
    """The polling loop of one bot: fetch, hand each update to PTB, confirm what finished."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        poll_timeout: float,
        allowed_updates: Sequence[str],
        conflict_grace: float = 0.0,
    ) -> None:
        self._app = app
        loop = asyncio.get_running_loop()
        self._conflicts_end_after = loop.time() + conflict_grace
        self._poll_timeout = poll_timeout
        self._allowed = list(allowed_updates)
        self._in_hand: dict[int, bool] = {}  # update id -> finished, oldest first
        self._offset: int | None = None  # confirms every finished update before the first not
        self._sent_offset: int | None = None  # the offset Telegram has last been given
        self._newest: int | None = None  # the newest update id taken so far
        self._idle = asyncio.Event()  # nothing in hand
        self._idle.set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._poller: asyncio.Task[None] | None = None
        self._stopping = False  # PTB's request path may turn a cancellation into TimedOut
        self._failing = False  # the last poll could not reach Telegram
        self._ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @property
    def offset(self) -> int | None:
        """The getUpdates offset that confirms what was handled, and nothing else."""
        return self._offset

    @property
    def connected(self) -> bool:
        """Polling, and the last poll reached Telegram (for /healthz)."""
        polling = self._poller is not None and not self._poller.done()
        return polling and not self._ended.done() and not self._failing

    def start(self) -> None:
        self._poller = asyncio.create_task(self._poll(), name="hearth-telegram-intake")

    async def ended(self) -> str:
        """Wait until polling stopped on its own (another poller, a revoked token): why."""
        return await asyncio.shield(self._ended)

    async def stop(self) -> None:
        """Stop fetching, let what is in hand finish for a while, and confirm what finished."""
        self._stopping = True
        if self._poller is not None:
            self._poller.cancel()  # a poll in flight carries an offset of finished updates only
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=FINISH_GRACE)
        for unfinished in list(self._handlers):  # left unconfirmed: Telegram sends them again
            unfinished.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._offset != self._sent_offset and not self._ended.done():
            try:  # this call's own answer is ignored: what it returns is not confirmed
                await self._app.bot.get_updates(offset=self._offset, limit=1, timeout=0)
            except TelegramError as error:
                log.warning("could not confirm the last updates (%s)", failure_kind(error))

    # -- fetching -------------------------------------------------------------------------

    async def _poll(self) -> None:
        failures = 0
        while not self._stopping:
            offset = self._offset
            try:
                updates = await self._app.bot.get_updates(
                    offset=offset,
                    limit=BATCH,
                    timeout=timedelta(seconds=self._poll_timeout),
                    allowed_updates=self._allowed,
                )
            except Conflict:
                if asyncio.get_running_loop().time() < self._conflicts_end_after:
                    await asyncio.sleep(REPOLL_WHILE_BUSY)  # the previous poller's last poll
                    continue
                self._end(ANOTHER_POLLER)
                return
            except InvalidToken:
                self._end(TOKEN_REFUSED)
                return
            except RetryAfter as error:
                wait = error.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
                continue
            except TimedOut:
                continue  # a long poll that outlived the read timeout (or a stop): ask again
            except TelegramError as error:
                if self._stopping:
                    return
                failures += 1
                self._failing = True
                if failures == 1:
                    log.warning("could not fetch Telegram updates (%s)", failure_kind(error))
                await asyncio.sleep(min(2.0 ** (failures - 1), LONGEST_BACKOFF))
                continue
            if failures:
                log.info("fetching Telegram updates again")
                failures = 0
                self._failing = False
            self._sent_offset = offset
            if self._stopping:
                return  # what came back is not taken: it stays unconfirmed
            fresh = [u for u in updates if self._newest is None or u.update_id > self._newest]
            for update in fresh:
                self._take(update)
            if (updates and not fresh) or len(self._in_hand) >= BATCH:
                # Only updates still in hand came back, or a whole batch is in hand (so only
                # they could): Telegram answers at once while any is unconfirmed, so a long
                # poll is not possible until they finish, and asking now would only fetch (and
                # parse) them again. Ask again shortly (new updates may have come), or as soon
                # as all have finished.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), REPOLL_WHILE_BUSY)

    def _end(self, reason: str) -> None:
        if not self._ended.done():
            self._ended.set_result(reason)

    # -- handling -------------------------------------------------------------------------

    def _take(self, update: Update) -> None:
        """Hand an update to PTB. Tasks start in the order they are made, so each person's
        updates reach their queue in Telegram's order."""
        self._newest = update.update_id
        self._in_hand[update.update_id] = False
        self._idle.clear()
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)

    async def _handle(self, update: Update) -> None:
        app = self._app
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception:  # PTB passes a handler's errors to the error handler; not this
            log.exception("an update could not be handled update_id=%d", update.update_id)
        self._finished(update.update_id)  # not reached when cancelled: stays unconfirmed

    def _finished(self, update_id: int) -> None:
        self._in_hand[update_id] = True
        while self._in_hand:
            oldest = next(iter(self._in_hand))
            if not self._in_hand[oldest]:
                break
            del self._in_hand[oldest]
            self._offset = oldest + 1
        if not self._in_hand:
            self._idle.set()

"""Outgoing messages paced within Telegram's limits, and 429s waited out instead of dropped.

PTB's AIORateLimiter sleeps on the real clock and gives up after a fixed number of retries;
Hearth needs both the clock and the sleep injectable (tests must not wait) and a flood-wait
that never loses a message. So this is a small `BaseRateLimiter` of its own:

- at most `overall_per_second` sends per second across all chats, and at most
  `group_per_minute` sends per minute in any one group (sliding windows, first come first
  served, so a busy group never holds up the others);
- across all chats, also at most a tenth of that in any tenth of a second: a long fan-out goes
  out evenly instead of in one-second bursts, so a reply someone is waiting for finds a free
  moment within milliseconds instead of waiting out the rest of a spent second;
- Telegram counts a message when it arrives, which can be a while after the moment it was
  paced for: each send keeps its place in the windows until Telegram answered it (it arrived
  by then), however late, or `margin` seconds past its moment if no answer comes. A fixed
  margin for every send instead (50 ms) held a fan-out to 95% of the limit and still let a
  request that took 148 ms to arrive draw a 429;
- the counts are the bot's, not the process's: with several workers on PostgreSQL the budget
  handed in (bot.workers) keeps them in the database, so together they stay within the limits;
- a `RetryAfter` (HTTP 429) pauses every request for `retry_after` seconds, then the same
  request is sent again, as many times as Telegram asks;
- a failure that resending cannot turn into a duplicate (see transport.py: Telegram's 5xx, a
  connection never made, or any network failure of a read) is tried again with exponential
  backoff, a few times; after that, or at once for an ambiguous failure of a send, the error
  goes to the caller, who keeps the message for later (nothing is dropped here).

Only methods that post or edit messages are paced; reads (getChatAdministrators, ...) and
callback answers are not, since Telegram's message limits do not apply to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from adapters.telegram.transport import failure_kind, may_send_again
from bot.workers import Limit, LocalSendBudget, Reservation, SendBudget

log = logging.getLogger("hearth.telegram.pacing")
_PACED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
JSONish = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Pacing:
    """Limits, clock and sleep of the pacer; tests inject a fake clock and an instant sleep."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    # Telegram counts a message when it arrives, not when it left: a message delayed on the
    # way and one sent quickly a period later can land within one window. A send keeps its
    # place in the windows until Telegram answered it, and when no answer comes (a request
    # failed on the way, which may still arrive) this many seconds past its moment: longer
    # than a request may take (the transport gives up after 5).
    margin: float = 10.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    attempts: int = 4  # tries of a request that failed in a way safe to repeat
    first_backoff: float = 0.5  # seconds before the second try; doubled for each next one
    longest_backoff: float = 8.0

    def backoff(self, failures: int) -> float:
        return float(min(self.first_backoff * 2 ** (failures - 1), self.longest_backoff))


def _group_of(data: dict[str, Any]) -> str | None:
    """Groups and channels have negative ids (or @names); private chats positive ones."""
    chat_id = data.get("chat_id")
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, int):
        return str(chat_id) if chat_id < 0 else None
    return str(chat_id) if chat_id else None


class Pacer(BaseRateLimiter[None]):
    """`budget` keeps the counts: in memory for one worker, or one shared by every worker of
    the bot (bot.workers); `bot` names the bot in the budget's keys (its id, never the token)."""

    def __init__(
        self, pacing: Pacing | None = None, *, budget: SendBudget | None = None, bot: str = ""
    ) -> None:
        self.pacing = pacing or Pacing()
        self.budget = budget or LocalSendBudget(self.pacing.clock)
        rate, margin = self.pacing.overall_per_second, self.pacing.margin
        self._bot = f"telegram:{bot}"
        self._overall = (
            Limit(f"{self._bot}:all", rate, 1.0, late=margin),
            # Only for evenness, not a limit of Telegram's: nothing to keep for late arrivals.
            Limit(f"{self._bot}:all-tenth", max(1, rate // 10), 0.1),
        )
        self._open = asyncio.Event()
        self._open.set()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def _wait(self, limits: Sequence[Limit]) -> Reservation:
        """Wait for a moment every limit allows. Woken late on a loaded machine, the send still
        keeps its place until its answer, so it is not counted where the windows missed it."""
        reservation = await self.budget.reserve(limits)
        if reservation.delay > 0:
            await self.pacing.sleep(reservation.delay)
        return reservation

    async def _pace(self, endpoint: str, data: dict[str, Any]) -> list[Reservation]:
        """The moments this try of the request takes; empty for a request that is not paced."""
        if not endpoint.startswith(_PACED_PREFIXES):
            return []
        taken = []
        group = _group_of(data)
        if group is not None:  # first, so a full group never takes a moment all chats share
            most, margin = self.pacing.group_per_minute, self.pacing.margin
            limit = Limit(f"{self._bot}:group:{group}", most, 60.0, late=margin)
            taken.append(await self._wait([limit]))
        taken.append(await self._wait(self._overall))
        return taken

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> JSONish:
        taken = await self._pace(endpoint, data)
        failures = 0
        while True:
            if not self._open.is_set():  # its moment passed during a 429's pause: a new one,
                await self._open.wait()  # or every request held back would go out at once
                taken = await self._pace(endpoint, data)
                continue
            try:
                answer = await callback(*args, **kwargs)
            except NetworkError as error:
                # No answered(): a request that failed on the way may still arrive, late.
                failures += 1
                if failures >= self.pacing.attempts or not may_send_again(error, endpoint):
                    raise
                delay = self.pacing.backoff(failures)
                log.log(
                    # start-up (getMe) reports its failure itself, in one line
                    logging.DEBUG if endpoint == "getMe" else logging.WARNING,
                    "Telegram request %s failed (%s); trying again in %.1f s",
                    endpoint,
                    failure_kind(error),
                    delay,
                )
                await self.pacing.sleep(delay)
                taken = await self._pace(endpoint, data)  # a new try counts against the limits
            except RetryAfter as flood:
                _answered(taken)  # refused, but answered: it has arrived
                # PTB keeps the period as a timedelta; the public attribute is mid-migration.
                delay = flood._retry_after.total_seconds()
                log.warning("Telegram asked to slow down: waiting %.1f s, then retrying", delay)
                self._open.clear()
                try:
                    await self.pacing.sleep(delay)
                finally:
                    self._open.set()
                taken = await self._pace(endpoint, data)  # the try again counts too
            else:
                _answered(taken)
                return answer


def _answered(taken: Sequence[Reservation]) -> None:
    for reservation in taken:
        reservation.answered()

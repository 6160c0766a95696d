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
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from adapters.telegram.transport import failure_kind, may_send_again

log = logging.getLogger("hearth.telegram.pacing")
_PACED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
JSONish = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Pacing:
    """Limits, clock and sleep of the pacer; tests inject a fake clock and an instant sleep."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    # Telegram counts a message when it arrives, not when it left: a message delayed on the
    # way and one sent quickly a period later can land within one window. A small margin on
    # each window keeps the count under the limit anyway (a 429 would stop every send).
    margin: float = 0.03
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    attempts: int = 4  # tries of a request that failed in a way safe to repeat
    first_backoff: float = 0.5  # seconds before the second try; doubled for each next one
    longest_backoff: float = 8.0

    def backoff(self, failures: int) -> float:
        return float(min(self.first_backoff * 2 ** (failures - 1), self.longest_backoff))


class _Window:
    """At most `limit` events in any `period`: reserve the next free moment."""

    def __init__(self, limit: int, period: float) -> None:
        self.period = period
        self.times: deque[float] = deque(maxlen=limit)

    def earliest(self, now: float) -> float:
        when = now
        if self.times and len(self.times) == self.times.maxlen:
            when = max(when, self.times[0] + self.period)
        if self.times:
            when = max(when, self.times[-1])
        return when

    def reserve(self, now: float) -> float:
        when = self.earliest(now)
        self.times.append(when)
        return when


class _Windows:
    """Several windows at once: the first moment all of them allow, taken in each."""

    def __init__(self, *windows: _Window) -> None:
        self.windows = windows

    def reserve(self, now: float) -> float:
        when = max(window.earliest(now) for window in self.windows)
        for window in self.windows:
            window.times.append(when)
        return when


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
    def __init__(self, pacing: Pacing | None = None) -> None:
        self.pacing = pacing or Pacing()
        rate, margin = self.pacing.overall_per_second, self.pacing.margin
        self._overall = _Windows(
            _Window(rate, 1.0 + margin), _Window(max(1, rate // 10), 0.1 + margin / 10)
        )
        self._groups: dict[str, _Window] = {}
        self._open = asyncio.Event()
        self._open.set()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def _wait_until(self, when: float) -> None:
        delay = when - self.pacing.clock()
        if delay > 0:
            await self.pacing.sleep(delay)

    def _forget_quiet_groups(self) -> None:
        """Drop the windows of groups silent for a minute, once there are many of them."""
        if len(self._groups) < 1024:
            return
        now = self.pacing.clock()
        for key in [k for k, w in self._groups.items() if w.times and w.times[-1] < now - 60]:
            del self._groups[key]

    async def _pace(self, endpoint: str, data: dict[str, Any]) -> None:
        if not endpoint.startswith(_PACED_PREFIXES):
            return
        group = _group_of(data)
        if group is not None:
            window = self._groups.get(group)
            if window is None:
                self._forget_quiet_groups()
                period = 60.0 + self.pacing.margin
                window = self._groups[group] = _Window(self.pacing.group_per_minute, period)
            await self._wait_until(window.reserve(self.pacing.clock()))
        await self._wait_until(self._overall.reserve(self.pacing.clock()))

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> JSONish:
        await self._pace(endpoint, data)
        failures = 0
        while True:
            await self._open.wait()
            try:
                return await callback(*args, **kwargs)
            except NetworkError as error:
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
                await self._pace(endpoint, data)  # a new try counts against the limits too
            except RetryAfter as flood:
                # PTB keeps the period as a timedelta; the public attribute is mid-migration.
                delay = flood._retry_after.total_seconds()
                log.warning("Telegram asked to slow down: waiting %.1f s, then retrying", delay)
                self._open.clear()
                try:
                    await self.pacing.sleep(delay)
                finally:
                    self._open.set()

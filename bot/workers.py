"""What the workers (processes) of one bot share: the platforms' send limits, and roles only one
of them may hold at a time (polling Telegram).

A platform counts sends per bot, not per process: two workers each keeping 30 sends a second
would get the bot 429s. The composition root hands the adapters a `Workers` from storage/ when
several processes may run (PostgreSQL); on SQLite there is one process per database, and the
adapters keep their limits in memory (`LocalSendBudget`) and hold every role themselves.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    """At most `most` sends in any `period` seconds, counted under `key` (e.g. one bot's sends
    to one group); the same key means the same count in every worker."""

    key: str
    most: int
    period: float


class SendBudget(Protocol):
    async def reserve(self, limits: Sequence[Limit]) -> float:
        """Take the first moment every limit allows (never before a moment taken earlier
        under the same keys: first come, first served); seconds to wait until then."""
        ...


class SoleRole(Protocol):
    """Something only one worker of a bot may do at a time."""

    async def take(self) -> None:
        """Wait until this worker holds the role."""
        ...

    async def lost(self) -> str:
        """Wait until this worker no longer holds the role (its database session ended); why."""
        ...

    async def give_up(self) -> None:
        """Let another worker take the role (at a stop)."""
        ...


class Workers(Protocol):
    """Handed to the adapters by the composition root when several workers may run."""

    @property
    def budget(self) -> SendBudget: ...

    def role(self, name: str) -> SoleRole: ...

    @property
    def worker(self) -> str:
        """This worker, for log lines (host and process id)."""
        ...


class _Window:
    """The moments taken under one key, the last `most` of them."""

    def __init__(self, most: int) -> None:
        self.times: deque[float] = deque(maxlen=most)

    def earliest(self, now: float, period: float) -> float:
        when = now
        if self.times and len(self.times) == self.times.maxlen:
            when = max(when, self.times[0] + period)
        if self.times:
            when = max(when, self.times[-1])
        return when


class LocalSendBudget:
    """Sliding windows in memory: exactly right for one process per bot (and the fallback of a
    shared budget whose database cannot be reached)."""

    FORGET_AFTER = 600.0  # seconds: longer than any platform's window
    MANY = 1024  # windows kept before quiet ones are forgotten

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    async def reserve(self, limits: Sequence[Limit]) -> float:
        return self.take(limits) - self._clock()

    def take(self, limits: Sequence[Limit]) -> float:
        """The moment taken, on this budget's clock."""
        now = self._clock()
        if len(self._windows) >= self.MANY:
            self._forget_quiet(now)
        windows = [(self._window(limit), limit.period) for limit in limits]
        when = max((w.earliest(now, period) for w, period in windows), default=now)
        for window, _ in windows:
            window.times.append(when)
        return when

    def _window(self, limit: Limit) -> _Window:
        window = self._windows.get(limit.key)
        if window is None or window.times.maxlen != limit.most:
            window = self._windows[limit.key] = _Window(limit.most)
        return window

    def _forget_quiet(self, now: float) -> None:
        quiet = [k for k, w in self._windows.items() if w.times[-1] < now - self.FORGET_AFTER]
        for key in quiet:
            del self._windows[key]

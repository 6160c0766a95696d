"""What the workers (processes) of one bot share: the platforms' send limits, and roles only one
of them may hold at a time (polling Telegram).

A platform counts sends per bot, not per process: two workers each keeping 30 sends a second
would get the bot 429s. The composition root hands the adapters a `Workers` from storage/ when
several processes may run (PostgreSQL); on SQLite there is one process per database, and the
adapters keep their limits in memory (`LocalSendBudget`) and hold every role themselves.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    """At most `most` sends in any `period` seconds, counted under `key` (e.g. one bot's sends
    to one group); the same key means the same count in every worker.

    A platform counts a send when it arrives, which can be a while after its moment: held up
    on a loaded machine or on the way (one request in 2,000 took 148 ms on loopback while the
    rest took 1). So a send holds its place in the window until its answer came back
    (`Reservation.answered`: it arrived by then), however late that is, and at most `late`
    seconds past its moment when no answer comes (a request lost on the way)."""

    key: str
    most: int
    period: float
    late: float = 0.0


class _Slot:
    """One send's place in a window: until when the platform may still count it."""

    __slots__ = ("until",)

    def __init__(self, until: float) -> None:
        self.until = until


class Reservation:
    """A moment taken: wait `delay` seconds, send, then call `answered` once the platform
    answered, which frees the send's place from then on (`tell`: a budget kept elsewhere is
    told so)."""

    __slots__ = ("_clock", "_slots", "_tell", "delay")

    def __init__(
        self,
        delay: float,
        slots: Sequence[_Slot] = (),
        clock: Callable[[], float] = time.monotonic,
        tell: Callable[[], None] | None = None,
    ) -> None:
        self.delay = delay
        self._slots = slots
        self._clock = clock
        self._tell = tell

    def answered(self) -> None:
        if self._slots:
            now = self._clock()
            for slot in self._slots:
                slot.until = now  # arrived by now, even if later than it was kept for
        if self._tell is not None:
            tell, self._tell = self._tell, None
            tell()


class SendBudget(Protocol):
    async def reserve(self, limits: Sequence[Limit]) -> Reservation:
        """Take the first moment every limit allows (never before a moment taken earlier
        under the same keys: first come, first served), and how long to wait until then."""
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
    """The places taken under one key that may still count: at most the last `most`."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.slots: deque[_Slot] = deque()
        self.last = -math.inf  # the latest moment taken
        self.gone = -math.inf  # the latest `until` of the places that no longer fit in `slots`

    def earliest(self, now: float, period: float) -> float:
        """A moment when fewer than `most` earlier sends may still be counted within `period`
        before it: sends beyond the last `most` all no longer may, and if `most` are kept, the
        oldest of them no longer may either."""
        when = max(now, self.last, self.gone + period)
        if len(self.slots) >= self.most:
            when = max(when, self.slots[0].until + period)
        return when

    def take(self, when: float, period: float, late: float) -> _Slot:
        slots = self.slots
        while slots and slots[0].until + period <= when:  # can hold nothing back any more:
            slots.popleft()  # a generous limit keeps only the sends of its last period
        if len(slots) >= self.most:
            self.gone = max(self.gone, slots.popleft().until)
        slot = _Slot(when + late)
        slots.append(slot)
        self.last = when
        return slot


class LocalSendBudget:
    """Sliding windows in memory: exactly right for one process per bot (and the fallback of a
    shared budget whose database cannot be reached)."""

    FORGET_AFTER = 600.0  # seconds: longer than any platform's window
    MANY = 1024  # windows kept before quiet ones are forgotten

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    async def reserve(self, limits: Sequence[Limit]) -> Reservation:
        now = self._clock()
        if len(self._windows) >= self.MANY:
            self._forget_quiet(now)
        windows = [(self._window(limit), limit) for limit in limits]
        when = max((w.earliest(now, limit.period) for w, limit in windows), default=now)
        slots = [w.take(when, limit.period, limit.late) for w, limit in windows]
        # An answer moves only places kept for late arrival: a limit without that margin (one
        # for evenness) counts sends at their moments, or answers would stretch its period.
        answerable = [slot for slot, (_, limit) in zip(slots, windows, strict=True) if limit.late]
        return Reservation(when - now, answerable, self._clock)

    def _window(self, limit: Limit) -> _Window:
        window = self._windows.get(limit.key)
        if window is None or window.most != limit.most:
            window = self._windows[limit.key] = _Window(limit.most)
        return window

    def _forget_quiet(self, now: float) -> None:
        quiet = [k for k, w in self._windows.items() if w.last < now - self.FORGET_AFTER]
        for key in quiet:
            del self._windows[key]

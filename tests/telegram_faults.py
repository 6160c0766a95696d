"""The fake Bot API misbehaving on purpose: server errors, stalls, held requests, people who
blocked the bot, and a global message rate answered with 429 beyond it.

Each fault is armed for the next matching sendMessage (or sendDocument) calls and says whether
Telegram "took" the message (showed it to the person) before failing: that is exactly what
makes a failure ambiguous for the bot, which never sees the difference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.telegram_fake import ApiError, FakeBotApi

Params = dict[str, Any]
_DESCRIPTIONS = {
    400: "Bad Request: message can't be sent",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
Match = Callable[[Params], bool]


def anything(params: Params) -> bool:
    return True


@dataclass
class Fault:
    """The next `times` calls of `method` matching `match` (after `skip` of them) fail.

    kind: "error" answers `status`; "stall" answers only after `seconds` (past the bot's
    timeout); "hold" answers once `release()` is called. With `taken`, the message is shown
    to the person before the failure.
    """

    kind: str
    method: str = "sendMessage"
    match: Match = anything
    times: int = 1
    skip: int = 0
    taken: bool = False
    status: int = 500
    seconds: float = 0.0
    hits: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


class FaultyBotApi(FakeBotApi):
    def __init__(self) -> None:
        super().__init__()
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()  # people who blocked the bot after starting it
        self.sent_at: list[float] = []  # perf_counter() of every message shown, as `sent`

    def fail(self, kind: str, **how: Any) -> Fault:
        fault = Fault(kind, **how)
        self.faults.append(fault)
        return fault

    def release(self) -> None:
        for fault in self.faults:
            fault.released.set()

    async def close(self) -> None:
        self.release()
        await super().close()

    def _armed(self, method: str, params: Params) -> Fault | None:
        for fault in self.faults:
            if fault.method != method or fault.hits >= fault.skip + fault.times:
                continue
            if not fault.match(params):
                continue
            fault.hits += 1
            if fault.hits > fault.skip:
                return fault
        return None

    @property
    def per_second(self) -> int | None:
        """A global message rate, as Telegram enforces (429s beyond it count in too_many)."""
        return self.limits[0] if self.limits is not None else None

    @per_second.setter
    def per_second(self, rate: int) -> None:
        self.limit(rate, group_per_minute=1_000_000)

    async def _api_sendmessage(self, params: Params) -> Any:
        chat_id = params.get("chat_id")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        fault = self._armed("sendMessage", params)
        if fault is None:
            return await self._show(params)
        if fault.taken:
            await self._show(params)
        await self._misbehave(fault)

    async def _api_senddocument(self, params: Params) -> Any:
        fault = self._armed("sendDocument", params)
        if fault is None:
            return await super()._api_senddocument(params)
        if fault.taken:
            await super()._api_senddocument(params)
        await self._misbehave(fault)

    async def _api_getchatadministrators(self, params: Params) -> Any:
        fault = self._armed("getChatAdministrators", params)
        if fault is not None:
            await self._misbehave(fault)
        return await super()._api_getchatadministrators(params)

    async def _misbehave(self, fault: Fault) -> None:
        if fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
        elif fault.kind == "hold":
            fault.held.set()
            await self._notify()
            await fault.released.wait()
        raise ApiError(fault.status, _DESCRIPTIONS.get(fault.status, "Internal Server Error"))

    async def _show(self, params: Params) -> Any:
        message = await super()._api_sendmessage(params)
        self.sent_at.append(time.perf_counter())
        return message

    async def _get_updates(self, params: Params, request: web.Request) -> Any:
        """At most `limit` updates per poll (100 by default), like Telegram; the rest stay
        queued until their offset is confirmed."""
        found = await super()._get_updates(params, request)
        limit = params.get("limit")
        return found[: limit if isinstance(limit, int) and limit > 0 else 100]

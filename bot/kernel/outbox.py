"""The outbox pump: replies no one is waiting on right now (scheduled work, fan-outs, follow-ups)
are stored with the work that decided them, then claimed, sent, and removed once a platform took
them; a failure is postponed with backoff, and what a stopping sender still holds is released."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from bot.clock import Clock
from bot.domain import OutboxMessage
from bot.events import Origin
from bot.kernel.conflicts import again_on_conflict
from bot.ports import Store, UnitOfWork
from bot.replies import Reply, Visibility

log = logging.getLogger("hearth.core")
OUTBOX_BATCH = 100
OUTBOX_FIRST_RETRY = timedelta(seconds=30)
OUTBOX_LONGEST_WAIT = timedelta(hours=1)
OUTBOX_MAX_ATTEMPTS = 12
# A claimed batch is sent well within its lease; past LEASE - MARGIN the rest is let go first.
OUTBOX_LEASE = timedelta(minutes=5)
OUTBOX_LEASE_MARGIN = timedelta(minutes=1)
# Where other processes send too, this often the timer looks whether one holding claims died
# (its messages are then due at once), while any claim is held.
OUTBOX_LOOK_AGAIN = timedelta(seconds=2)


class Outbox(Protocol):
    """Delivers replies that no one asked for right now (scheduled jobs, follow-ups)."""

    async def deliver(self, replies: Sequence[Reply]) -> None: ...


class OutboxPump:
    def __init__(self, store: Store, clock: Clock, changed: Callable[[], Awaitable[None]]) -> None:
        self.store = store
        self.clock = clock
        self.port: Outbox | None = None
        self._changed = changed
        # Tests and the console deliver as soon as work is done; a running Hearth pumps.
        self.in_background = False
        self._waiting = asyncio.Event()
        self._flushing = asyncio.Lock()
        # Who holds this process's outbox claims, readable in the database by an operator.
        self.sender = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stopping = False

    @property
    def flushing(self) -> bool:
        return self._flushing.locked()

    async def filled(self) -> None:
        """Something was added: wake the pump, or deliver now when nothing pumps."""
        if self.in_background:
            self._waiting.set()
        else:
            await self.flush()

    async def keep_fan_out(
        self, uow: UnitOfWork, origin: Origin, replies: list[Reply]
    ) -> list[Reply]:
        """While running for real, private messages to other people (a round's questions, an
        introduction) go through the outbox with the command's writes: paced by the pump, and
        never lost to a crash. So does anything for another platform (a community spanning
        places posts on each): the adapter that answers the asker delivers its own platform
        only. The asker's own answers are returned at once."""
        if not self.in_background:
            return replies
        kept: list[Reply] = []
        for reply in replies:
            target = reply.target
            if target.platform != origin.platform or (
                reply.visibility is Visibility.PRIVATE and target.user_ref != origin.person.user_ref
            ):
                await uow.outbox.add(reply, self.clock.now())
            else:
                kept.append(reply)
        return kept

    async def pump(self) -> None:
        """Deliver in the background while Hearth runs, so a long fan-out blocks nothing."""
        self._waiting.set()  # whatever a crash left behind goes out first
        while not self._stopping:
            await self._waiting.wait()
            self._waiting.clear()
            if self._stopping:
                break
            try:
                await self.flush()
                await self._changed()  # retries postponed meanwhile need a wake-up
            except Exception:
                log.exception("the outbox pump failed; it will try again on the next message")

    def stop(self) -> None:
        """Let the pump finish the message in hand, then stop: cancelled in the middle of a
        send, it could not remove a message the platform took, which would go out again."""
        self._stopping = True
        self._waiting.set()

    async def flush(self) -> int:
        """Hand every due message to its platform, removing each once it has been taken.

        Messages are claimed a batch at a time (committed before any is sent), so another
        Hearth on the same database never sends them too; a message is removed right after its
        platform accepted it, so a crash can at worst repeat the one message that was in
        flight. One that fails is retried with backoff and given up, loudly, only after many
        tries. What is still claimed when this stops is let go for whoever sends next.
        """
        if self.port is None:
            return 0
        delivered = 0
        async with self._flushing:
            tried: set[int] = set()
            while not self._stopping:
                now = self.clock.now()
                claimed = await again_on_conflict(partial(self._claim, now))
                batch = [m for m in claimed if m.id not in tried]
                lapse = now + OUTBOX_LEASE - OUTBOX_LEASE_MARGIN
                handled = 0
                for message in batch:
                    if self._stopping or self.clock.now() >= lapse:
                        break
                    tried.add(message.id)
                    handled += 1
                    try:
                        await self.port.deliver([message.reply])
                    except Exception:
                        log.exception(
                            "delivery failed outbox_id=%d platform=%s attempt=%d",
                            message.id,
                            message.reply.target.platform,
                            message.attempts + 1,
                        )
                        await self._retry_later(message)
                        continue
                    await again_on_conflict(partial(self._remove, message.id))
                    delivered += 1
                if handled < len(claimed):  # some still claimed, not sent: for the next try
                    await again_on_conflict(self._release)
                if not batch:
                    break
        return delivered

    async def _claim(self, now: datetime) -> list[OutboxMessage]:
        async with self.store.unit_of_work() as uow:
            claimed = await uow.outbox.claim(
                now, batch=OUTBOX_BATCH, lease=OUTBOX_LEASE, owner=self.sender
            )
            await uow.commit()
        return claimed

    async def _remove(self, message_id: int) -> None:
        async with self.store.unit_of_work() as uow:
            await uow.outbox.remove(message_id)
            await uow.commit()

    async def _release(self) -> None:
        async with self.store.unit_of_work() as uow:
            await uow.outbox.release(self.sender)
            await uow.commit()

    async def keep(self, replies: Sequence[Reply]) -> None:
        """Replies a platform could not take just now (its servers failing, a timeout) that
        were not in the outbox yet, such as a command's answer: kept there as a first failed
        attempt, so they are retried with the same backoff instead of being lost."""
        if not replies:
            return
        await again_on_conflict(lambda: self._keep(replies))
        await self._changed()

    async def _keep(self, replies: Sequence[Reply]) -> None:
        now = self.clock.now()
        async with self.store.unit_of_work() as uow:
            for reply in replies:
                message_id = await uow.outbox.add(reply, now)
                await uow.outbox.postpone(message_id, now + OUTBOX_FIRST_RETRY)
                log.warning(
                    "kept an undelivered reply outbox_id=%d platform=%s",
                    message_id,
                    reply.target.platform,
                )
            await uow.commit()

    async def _retry_later(self, message: OutboxMessage) -> None:
        await again_on_conflict(lambda: self._postpone(message))

    async def _postpone(self, message: OutboxMessage) -> None:
        async with self.store.unit_of_work() as uow:
            if message.attempts + 1 >= OUTBOX_MAX_ATTEMPTS:
                log.error(
                    "gave up delivering outbox_id=%d platform=%s after %d attempts",
                    message.id,
                    message.reply.target.platform,
                    message.attempts + 1,
                )
                await uow.outbox.remove(message.id)
            else:
                delay = min(OUTBOX_FIRST_RETRY * 2**message.attempts, OUTBOX_LONGEST_WAIT)
                await uow.outbox.postpone(message.id, self.clock.now() + delay)
            await uow.commit()

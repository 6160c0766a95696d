"""What platforms report back to the core: a private message refused, a person reachable again,
Hearth moved or removed, and whom a private chat is about (the rules live in bot/reach.py)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot import reach
from bot.events import Presence, Unreachable
from bot.kernel.background import Background
from bot.kernel.conflicts import again_on_conflict
from bot.kernel.membership import community_context
from bot.reach import Reach, notice_due
from bot.services import presence

log = logging.getLogger("hearth.core")


@dataclass
class _Notes:
    """Whom private chats are about, noted in one unit of work (see wrote_privately)."""

    notes: list[tuple[str, str, str]] = field(default_factory=list)
    flushing: asyncio.Task[None] = field(init=False)


class PlatformFeedback(Background):
    _notes: _Notes | None = None  # the notes of this turn of the event loop, not yet started

    async def handle_unreachable(self, event: Unreachable) -> Reach:
        """A private message was refused by the platform: remember it, let the flow adapt, and
        decide whether the community's place gets the public notice (see bot/reach.py)."""
        async with self.store.unit_of_work() as uow:
            link = await uow.communities.find_link(event.platform, event.community_ref)
            if link is None:
                return Reach()
            member = await uow.members.find(link.community_id, event.platform, event.user_ref)
            if member is None:
                return Reach()
            ctx = await community_context(uow, link.community_id, self.clock, self.catalog)
            if member.unreachable_since is None:
                member.unreachable_since = self.clock.now()
                await uow.members.save(member)
            flow = str(event.payload.get("resume") or "")
            hook = self.features.on_unreachable.get(flow)
            if hook is not None:
                await hook(ctx, member)
            notice = not event.present and await notice_due(
                uow, link.community_id, event.platform, flow, self.clock.now()
            )
            await uow.commit()
        return Reach(ctx.replies, notice, ctx.community.language, link.main_channel)

    async def follow(self, event: Presence) -> bool:
        """The platform says where Hearth is (moved, removed, added again): committed before
        anything is said, and what is said goes through the outbox. False when it changed
        nothing (a place Hearth never knew, or a notice already applied)."""
        async with self.store.unit_of_work() as uow:
            link = await uow.communities.find_link(event.platform, presence.place_ref(event))
            if link is None:
                return False
            ctx = await community_context(uow, link.community_id, self.clock, self.catalog)
            if not await presence.follow(ctx, event):
                return False
            for reply in ctx.replies:
                await uow.outbox.add(reply, self.clock.now())
            await uow.commit()
        log.info("followed %s", type(event).__name__)
        # What was held while paused goes out now; during a delivery (a send that found the
        # group upgraded) the flush in progress picks it up itself.
        if self.pump.in_background or not self.pump.flushing:
            await self.pump.filled()
        await self._changed()
        return True

    async def community_for_private(self, platform: str, user_ref: str) -> str | None:
        """The community (its ref on this platform) this person's private chat is about."""
        async with self.store.unit_of_work() as uow:  # reads only
            return await reach.community_for_private(uow, platform, user_ref)

    async def wrote_privately(self, platform: str, user_ref: str, community_ref: str) -> None:
        """Hearth wrote to this person privately about a community (or they picked it); noted
        and committed when this returns. Never raises: the message is out already, and must
        not be sent again over this.

        Notes made in the same turn of the event loop (answers whose sends came back together)
        share one unit of work: one each made its own BEGIN and COMMIT, 7% of the bot's time
        answering commands privately on Telegram (14 notes a unit on average there). Each is
        applied in turn, with its own time."""
        batch = self._notes
        if batch is None or batch.flushing.done():  # done: its loop ended before it ran
            batch = self._notes = _Notes()
            batch.flushing = asyncio.create_task(self._note(batch))
        batch.notes.append((platform, user_ref, community_ref))
        await asyncio.shield(batch.flushing)  # a stopped waiter leaves the others' notes be

    async def _note(self, batch: _Notes) -> None:
        await asyncio.sleep(0)  # this turn's other notes join in
        self._notes = None

        async def note() -> None:
            async with self.store.unit_of_work() as uow:
                changed = False
                for platform, user_ref, community_ref in batch.notes:
                    about = await reach.chat_is_about(
                        uow, platform, user_ref, community_ref, self.clock
                    )
                    changed = changed or about
                if changed:
                    await uow.commit()

        try:  # on PostgreSQL a worker noting the same member at once is a conflict: again
            await again_on_conflict(note)
        except Exception:
            log.exception("could not note whom private chats are about notes=%d", len(batch.notes))

    async def reachable(self, platform: str, user_ref: str) -> None:
        """The person can be messaged privately again (e.g. they started the bot)."""
        async with self.store.unit_of_work() as uow:
            changed = False
            for member in await uow.members.memberships(platform, user_ref):
                if member.unreachable_since is not None:
                    member.unreachable_since = None
                    await uow.members.save(member)
                    changed = True
            if changed:
                await uow.commit()

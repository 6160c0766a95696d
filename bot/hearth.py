"""The application service: events in, replies out; scheduled jobs run against the same ports."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bot import reach
from bot.catalog import Catalog
from bot.channels import ChannelDirectory
from bot.clock import Clock
from bot.commands import CommandRegistry, Suggestion, check_args, parse_text
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, CommunityLink, Job, OutboxMessage, Schedule
from bot.errors import Ignored, Refusal
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Presence,
    Unreachable,
)
from bot.feature import (
    UNEXPECTED_FLOW,
    ChoiceHandler,
    Feature,
    FlowHandler,
    JobHandler,
    MemberHook,
    ReportHandler,
    ScheduleHandler,
    SetupKey,
)
from bot.ports import Store, UnitOfWork
from bot.reach import Reach, notice_due
from bot.replies import Reply, Target, Visibility
from bot.roles import decide_role
from bot.scheduling import next_weekly
from bot.services import presence
from bot.text_input import clean_event, clean_origin, clean_text
from bot.waiting import awaiting, waiting_flow

log = logging.getLogger("hearth.core")
OUTBOX_BATCH = 100
OUTBOX_FIRST_RETRY = timedelta(seconds=30)
OUTBOX_LONGEST_WAIT = timedelta(hours=1)
OUTBOX_MAX_ATTEMPTS = 12
# A claimed batch is sent well within its lease; past LEASE - MARGIN the rest is let go first.
OUTBOX_LEASE = timedelta(minutes=5)
OUTBOX_LEASE_MARGIN = timedelta(minutes=1)
T = TypeVar("T")
MAX_SUGGESTIONS = 25


def _merge(feature: str, table: dict[str, T], found: dict[str, T]) -> None:
    for key in found:
        if key in table:
            raise ValueError(f"{feature}: '{key}' is registered twice")
    table.update(found)


class Outbox(Protocol):
    """Delivers replies that no one asked for right now (scheduled jobs, follow-ups)."""

    async def deliver(self, replies: Sequence[Reply]) -> None: ...


@dataclass(frozen=True)
class Membership:
    """A community a person belongs to, as its platform presence (for private chats)."""

    community_ref: str
    community_name: str


@dataclass(frozen=True)
class Defaults:
    timezone: str = "UTC"
    language: str = "en"


class Hearth:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        catalog: Catalog,
        features: Sequence[Feature],
        defaults: Defaults | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.catalog = catalog
        self.defaults = defaults or Defaults()
        self.outbox = outbox
        self.registry = CommandRegistry()
        self.choices: dict[str, ChoiceHandler] = {}
        self.flows: dict[str, FlowHandler] = {}
        self.jobs: dict[str, JobHandler] = {}
        self.schedules: dict[str, ScheduleHandler] = {}
        self.setup_keys: dict[str, SetupKey] = {}
        self.on_join: list[MemberHook] = []
        self.on_leave: list[MemberHook] = []
        self.on_unreachable: dict[str, MemberHook] = {}
        self.resumes: dict[str, str] = {}
        self.reports: dict[str, ReportHandler] = {}
        self.listeners: list[Callable[[], Awaitable[None]]] = []
        self.channel_directories: dict[str, ChannelDirectory] = {}  # by platform
        # Tests and the console deliver as soon as work is done; a running Hearth pumps.
        self.deliver_in_background = False
        self._outbox_waiting = asyncio.Event()
        self._flushing = asyncio.Lock()
        # Who holds this process's outbox claims, readable in the database by an operator.
        self.sender = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stopping = False
        # How events ended, for benchmarks and fault tests: ok, refused, error, duplicate.
        self.outcomes: Counter[str] = Counter()
        for feature in features:
            self.install(feature)

    def install(self, feature: Feature) -> None:
        for command in feature.commands:
            self.registry.add(command)
        _merge(feature.name, self.choices, feature.choices)
        _merge(feature.name, self.flows, feature.flows)
        _merge(feature.name, self.jobs, feature.jobs)
        _merge(feature.name, self.schedules, feature.schedules)
        _merge(feature.name, self.on_unreachable, feature.on_unreachable)
        _merge(feature.name, self.resumes, feature.resumes)
        _merge(feature.name, self.reports, feature.reports)
        for setup_key in feature.setup_keys:
            self.setup_keys[setup_key.name] = setup_key
        self.on_join.extend(feature.on_join)
        self.on_leave.extend(feature.on_leave)

    # -- events in, replies out ------------------------------------------------------------

    async def handle(self, event: Event) -> list[Reply]:
        event = clean_event(event)  # the one place where what people type is made safe
        origin = event.origin
        replies: list[Reply]
        match event:
            case CommandInvoked():
                replies = await self._in_context(
                    origin, event.event_ref, self._command(event), watch="moved"
                )
            case ChoicePressed():
                replies = await self._in_context(
                    origin, event.event_ref, self._choice(event), watch="waits"
                )
            case MessagePosted():
                replies = await self._in_context(
                    origin, event.event_ref, self._message(event), watch="waits"
                )
            case MemberJoined():
                replies = await self._in_context(origin, event.event_ref, self._joined)
            case MemberLeft():
                replies = await self._in_context(origin, event.event_ref, self._left)
        await self._changed()
        return replies

    async def register(self, origin: Origin) -> None:
        """Make sure the community and the person exist, without any join flow."""

        async def nothing(ctx: CommandContext) -> None:
            return None

        await self._in_context(clean_origin(origin), None, nothing)

    async def suggest(
        self, origin: Origin, command_name: str, param_name: str, typed: str
    ) -> list[Suggestion]:
        """Values the asker may mean for a parameter, while they type; reads only, never writes."""
        command = self.registry.get(command_name)
        param = next((p for p in command.params if p.name == param_name), None) if command else None
        if command is None or param is None or param.suggest is None:
            return []
        try:
            async with self.store.unit_of_work() as uow:  # never committed: nothing is kept
                ctx = await self._command_context(uow, clean_origin(origin))
                if ctx.role < command.role:
                    return []
                return list(await param.suggest(ctx, clean_text(typed)))[:MAX_SUGGESTIONS]
        except Exception:
            log.exception("suggestions failed command=%s param=%s", command_name, param_name)
            return []

    async def _changed(self) -> None:
        for listener in self.listeners:
            await listener()

    def _command(self, event: CommandInvoked) -> Callable[[CommandContext], Awaitable[None]]:
        async def run(ctx: CommandContext) -> None:
            command = self.registry.get(event.name)
            if command is None:
                raise Refusal("unknown_command", command=event.name)
            if ctx.role < command.role:
                raise Refusal("needs_role", command=command.name, role=command.role.label)
            ctx.confidential = event.confidential
            if event.options is not None:
                args = check_args(command, event.options)
            else:
                args = parse_text(command, event.text)
            await command.handler(ctx, args)

        return run

    def _choice(self, event: ChoicePressed) -> Callable[[CommandContext], Awaitable[None]]:
        async def run(ctx: CommandContext) -> None:
            if ctx.member_is_new:
                # Every button is sent to a member, so a press never makes one (a forged one
                # could otherwise): refusing rolls back the member row this context just made.
                raise Refusal("choice_not_member", community=ctx.community.name)
            prefix, *parts = event.key.split(":")
            handler = self.choices.get(prefix)
            if handler is None:
                raise Refusal("choice_stale")
            await handler(ctx, parts)

        return run

    def _message(self, event: MessagePosted) -> Callable[[CommandContext], Awaitable[None]]:
        async def run(ctx: CommandContext) -> None:
            ctx.confidential = event.confidential
            if not event.text:  # nothing visible was left of it
                if ctx.in_confidence:
                    raise Refusal("message_blank")
                return
            conversation = await ctx.uow.conversations.get(ctx.member.id)
            handler = self.flows.get(conversation.flow) if conversation else None
            if handler is not None:
                await handler(ctx, event.text)
            elif ctx.origin.is_private:
                await self.flows[UNEXPECTED_FLOW](ctx, event.text)

        return run

    async def _joined(self, ctx: CommandContext) -> None:
        member = ctx.member
        if ctx.member_is_new or member.left_at is not None:
            member.left_at = None
            await ctx.uow.members.save(member)
            for hook in self.on_join:
                await hook(ctx, member)

    async def _left(self, ctx: CommandContext) -> None:
        if ctx.member_is_new:  # never a member here: leaving makes nobody one
            raise Ignored
        member = ctx.member
        if member.left_at is None:
            member.left_at = ctx.now
            await ctx.uow.members.save(member)
            for hook in self.on_leave:
                await hook(ctx, member)

    async def _in_context(
        self,
        origin: Origin,
        event_ref: str | None,
        body: Callable[[CommandContext], Awaitable[None]],
        *,
        watch: str = "",
    ) -> list[Reply]:
        """Run a body in one unit of work: commit then reply; refuse with nothing changed.
        In a channel, `watch` says whether the asker's replies tell that a flow waits for their
        typed answer: one the command started or "moved", or one that still "waits"."""
        language = self.defaults.language
        watching = bool(watch) and not origin.is_private
        try:
            async with self.store.unit_of_work() as uow:
                if event_ref and not await uow.events.claim(
                    origin.platform, event_ref, self.clock.now()
                ):
                    self.outcomes["duplicate"] += 1
                    return []
                ctx = await self._command_context(uow, origin)
                language = ctx.language
                try:
                    await body(ctx)
                except Refusal as refusal:
                    refused = refusal
                except Ignored:
                    refused = None
                else:
                    moved = watch == "waits" or ctx.member.id in uow.conversations.written
                    if watching and moved and await waiting_flow(uow, ctx.member.id, self.flows):
                        ctx.replies = awaiting(ctx.replies, origin)
                    replies = await self._keep_fan_out(uow, origin, ctx.replies)
                    await uow.commit()
                    self.outcomes["ok"] += 1
                    if len(replies) < len(ctx.replies):
                        await self._outbox_filled()
                    return replies
            # The unit of work rolled back: the refusal changed nothing but the seen-mark.
            self.outcomes["refused" if refused else "ignored"] += 1
            if event_ref:
                async with self.store.unit_of_work() as uow:
                    await uow.events.claim(origin.platform, event_ref, self.clock.now())
                    await uow.commit()
            if refused is None:
                return []
            answer = [
                self._to_origin(origin, self.catalog.text(refused.key, language, **refused.params))
            ]
            if watching and watch == "waits" and not ctx.member_is_new:  # waits as it did
                async with self.store.unit_of_work() as uow:
                    if await waiting_flow(uow, ctx.member.id, self.flows) is not None:
                        answer = awaiting(answer, origin)
            return answer
        except Exception:
            error_id = secrets.token_hex(4)
            self.outcomes["error"] += 1
            log.exception("unexpected error id=%s platform=%s", error_id, origin.platform)
            return [
                self._to_origin(
                    origin, self.catalog.text("unexpected_error", language, error_id=error_id)
                )
            ]

    async def _keep_fan_out(
        self, uow: UnitOfWork, origin: Origin, replies: list[Reply]
    ) -> list[Reply]:
        """While running for real, private messages to other people (a round's questions, an
        introduction) go through the outbox with the command's writes: paced by the pump, and
        never lost to a crash. The asker's own answers are returned at once."""
        if not self.deliver_in_background:
            return replies
        kept: list[Reply] = []
        for reply in replies:
            target = reply.target
            if reply.visibility is Visibility.PRIVATE and (
                target.platform != origin.platform or target.user_ref != origin.person.user_ref
            ):
                await uow.outbox.add(reply, self.clock.now())
            else:
                kept.append(reply)
        return kept

    def _to_origin(self, origin: Origin, body: str) -> Reply:
        visibility = Visibility.PRIVATE if origin.is_private else Visibility.EPHEMERAL
        target = Target(
            origin.platform,
            origin.community_ref,
            origin.channel_ref,
            origin.person.user_ref,
            origin.thread_ref,
        )
        return Reply(body, target, visibility)

    async def _community(
        self, uow: UnitOfWork, origin: Origin
    ) -> tuple[Community, list[CommunityLink]]:
        link = await uow.communities.find_link(origin.platform, origin.community_ref)
        if link is None:
            community = await uow.communities.add(
                name=origin.community_name or origin.community_ref,
                timezone=self.defaults.timezone,
                language=self.defaults.language,
                now=self.clock.now(),
            )
            link = CommunityLink(
                community.id, origin.platform, origin.community_ref, origin.channel_ref, {}
            )
            await uow.communities.add_link(link)
        else:
            community = await uow.communities.get(link.community_id)
            if link.main_channel is None and origin.channel_ref is not None:
                link.main_channel = origin.channel_ref
                await uow.communities.save_link(link)
        return community, await uow.communities.links(community.id)

    async def _command_context(self, uow: UnitOfWork, origin: Origin) -> CommandContext:
        community, links = await self._community(uow, origin)
        person = origin.person
        member = await uow.members.find(community.id, origin.platform, person.user_ref)
        is_new = member is None
        if member is None:
            member = await uow.members.add(
                community_id=community.id,
                platform=origin.platform,
                user_ref=person.user_ref,
                display_name=person.display_name
                or self.catalog.text("nameless_member", community.language),
                language=person.language if person.language in self.catalog.languages else None,
                now=self.clock.now(),
            )
        elif person.display_name and member.display_name != person.display_name:
            member.display_name = person.display_name
            await uow.members.save(member)
        role = decide_role(
            is_platform_owner=person.is_platform_owner,
            is_platform_admin=person.is_platform_admin,
            granted=member.granted_role,
        )
        return CommandContext(
            uow=uow,
            clock=self.clock,
            catalog=self.catalog,
            community=community,
            links=links,
            member=member,
            role=role,
            origin=origin,
            member_is_new=is_new,
            channels=self.channel_directories.get(origin.platform),
        )

    # -- platform feedback ------------------------------------------------------------------

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
            ctx = CommunityContext(
                uow=uow,
                clock=self.clock,
                catalog=self.catalog,
                community=await uow.communities.get(link.community_id),
                links=await uow.communities.links(link.community_id),
            )
            if member.unreachable_since is None:
                member.unreachable_since = self.clock.now()
                await uow.members.save(member)
            flow = str(event.payload.get("resume") or "")
            hook = self.on_unreachable.get(flow)
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
            ctx = CommunityContext(
                uow=uow,
                clock=self.clock,
                catalog=self.catalog,
                community=await uow.communities.get(link.community_id),
                links=await uow.communities.links(link.community_id),
            )
            if not await presence.follow(ctx, event):
                return False
            for reply in ctx.replies:
                await uow.outbox.add(reply, self.clock.now())
            await uow.commit()
        log.info("followed %s", type(event).__name__)
        # What was held while paused goes out now; during a delivery (a send that found the
        # group upgraded) the flush in progress picks it up itself.
        if self.deliver_in_background or not self._flushing.locked():
            await self._outbox_filled()
        await self._changed()
        return True

    async def memberships(self, platform: str, user_ref: str) -> list[Membership]:
        """Where this person is an active member on a platform: a private chat belongs to one."""
        found: list[Membership] = []
        async with self.store.unit_of_work() as uow:
            for member in await uow.members.memberships(platform, user_ref):
                community = await uow.communities.get(member.community_id)
                for link in await uow.communities.links(member.community_id):
                    if link.platform == platform:
                        found.append(Membership(link.community_ref, community.name))
        return found

    async def community_for_private(self, platform: str, user_ref: str) -> str | None:
        """The community (its ref on this platform) this person's private chat is about."""
        async with self.store.unit_of_work() as uow:  # reads only
            return await reach.community_for_private(uow, platform, user_ref)

    async def wrote_privately(self, platform: str, user_ref: str, community_ref: str) -> None:
        """Hearth wrote to this person privately about a community (or they picked it). Never
        raises: the message is out already, and must not be sent again over this."""
        try:
            async with self.store.unit_of_work() as uow:
                if await reach.chat_is_about(uow, platform, user_ref, community_ref, self.clock):
                    await uow.commit()
        except Exception:
            log.exception("could not note whom a private chat is about platform=%s", platform)

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

    # -- scheduled work -------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        async with self.store.unit_of_work() as uow:
            outbox = await uow.outbox.earliest()
            candidates = [await uow.jobs.earliest(), await uow.schedules.earliest(), outbox]
        if self.deliver_in_background and outbox is not None and outbox <= self.clock.now():
            # The pump is delivering it, and re-arms the timer when it is done; waking for it
            # now would only spin the timer through a long fan-out.
            candidates.pop()
        return min((t for t in candidates if t), default=None)

    async def run_due(self) -> int:
        """Run every job and schedule that is due now, oldest first, each in its own unit of work.

        A job is removed (or a schedule moved to its next run) in the same transaction as its
        effects, so it never fires twice; a run missed while Hearth was down fires once.
        """
        fired = 0
        while True:
            now = self.clock.now()
            async with self.store.unit_of_work() as uow:
                jobs = await uow.jobs.due(now, 1)
                schedules = await uow.schedules.due(now, 1)
                if not jobs and not schedules:
                    break
                job = jobs[0] if jobs else None
                schedule = schedules[0] if schedules else None
                if job and schedule and schedule.next_run < job.due_at:
                    job = None
                community_id = job.community_id if job else schedule.community_id  # type: ignore[union-attr]
                ctx = CommunityContext(
                    uow=uow,
                    clock=self.clock,
                    catalog=self.catalog,
                    community=await uow.communities.get(community_id),
                    links=await uow.communities.links(community_id),
                )
                try:
                    if job is not None:
                        await self._run_job(ctx, job)
                    elif schedule is not None:
                        await self._run_schedule(ctx, schedule)
                    for reply in ctx.replies:  # decided with the work, so never lost with it
                        await uow.outbox.add(reply, now)
                    await uow.commit()
                    failed = False
                except Exception:
                    failed = True
                    error_id = secrets.token_hex(4)
                    log.exception(
                        "scheduled work failed id=%s kind=%s",
                        error_id,
                        job.kind if job else schedule.kind if schedule else "?",
                    )
            if failed:
                await self._skip_failed(job, schedule)
            else:
                await self._outbox_filled()
            fired += 1
        await self._outbox_filled()  # retries that fell due
        await self._changed()
        return fired

    # -- the outbox -------------------------------------------------------------------------

    async def _outbox_filled(self) -> None:
        if self.deliver_in_background:
            self._outbox_waiting.set()
        else:
            await self.flush_outbox()

    async def pump_outbox(self) -> None:
        """Deliver in the background while Hearth runs, so a long fan-out blocks nothing."""
        self._outbox_waiting.set()  # whatever a crash left behind goes out first
        while not self._stopping:
            await self._outbox_waiting.wait()
            self._outbox_waiting.clear()
            if self._stopping:
                break
            try:
                await self.flush_outbox()
                await self._changed()  # retries postponed meanwhile need a wake-up
            except Exception:
                log.exception("the outbox pump failed; it will try again on the next message")

    def stop_pumping(self) -> None:
        """Let the pump finish the message in hand, then stop: cancelled in the middle of a
        send, it could not remove a message the platform took, which would go out again."""
        self._stopping = True
        self._outbox_waiting.set()

    async def flush_outbox(self) -> int:
        """Hand every due message to its platform, removing each once it has been taken.

        Messages are claimed a batch at a time (committed before any is sent), so another
        Hearth on the same database never sends them too; a message is removed right after its
        platform accepted it, so a crash can at worst repeat the one message that was in
        flight. One that fails is retried with backoff and given up, loudly, only after many
        tries. What is still claimed when this stops is let go for whoever sends next.
        """
        if self.outbox is None:
            return 0
        delivered = 0
        async with self._flushing:
            tried: set[int] = set()
            while not self._stopping:
                now = self.clock.now()
                async with self.store.unit_of_work() as uow:
                    claimed = await uow.outbox.claim(
                        now, batch=OUTBOX_BATCH, lease=OUTBOX_LEASE, owner=self.sender
                    )
                    await uow.commit()
                batch = [m for m in claimed if m.id not in tried]
                lapse = now + OUTBOX_LEASE - OUTBOX_LEASE_MARGIN
                handled = 0
                for message in batch:
                    if self._stopping or self.clock.now() >= lapse:
                        break
                    tried.add(message.id)
                    handled += 1
                    try:
                        await self.outbox.deliver([message.reply])
                    except Exception:
                        log.exception(
                            "delivery failed outbox_id=%d platform=%s attempt=%d",
                            message.id,
                            message.reply.target.platform,
                            message.attempts + 1,
                        )
                        await self._retry_later(message)
                        continue
                    async with self.store.unit_of_work() as uow:
                        await uow.outbox.remove(message.id)
                        await uow.commit()
                    delivered += 1
                if handled < len(claimed):  # some still claimed, not sent: for the next try
                    async with self.store.unit_of_work() as uow:
                        await uow.outbox.release(self.sender)
                        await uow.commit()
                if not batch:
                    break
        return delivered

    async def keep(self, replies: Sequence[Reply]) -> None:
        """Replies a platform could not take just now (its servers failing, a timeout) that
        were not in the outbox yet, such as a command's answer: kept there as a first failed
        attempt, so they are retried with the same backoff instead of being lost."""
        if not replies:
            return
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
        await self._changed()

    async def _retry_later(self, message: OutboxMessage) -> None:
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

    async def _run_job(self, ctx: CommunityContext, job: Job) -> None:
        await ctx.uow.jobs.remove(job.id)
        handler = self.jobs.get(job.kind)
        if handler is None:
            log.warning("no handler for job kind=%s; dropped", job.kind)
            return
        await handler(ctx, job)

    async def _run_schedule(self, ctx: CommunityContext, schedule: Schedule) -> None:
        schedule.next_run = next_weekly(
            schedule.weekday, schedule.hour, schedule.minute, ctx.community.timezone, ctx.now
        )
        await ctx.uow.schedules.put(schedule)
        handler = self.schedules.get(schedule.kind)
        if handler is not None:
            await handler(ctx)

    async def _skip_failed(self, job: Job | None, schedule: Schedule | None) -> None:
        """A failing job must not block the queue: drop it (or move the schedule on)."""
        async with self.store.unit_of_work() as uow:
            if job is not None:
                await uow.jobs.remove(job.id)
            elif schedule is not None:
                community = await uow.communities.get(schedule.community_id)
                schedule.next_run = next_weekly(
                    schedule.weekday,
                    schedule.hour,
                    schedule.minute,
                    community.timezone,
                    self.clock.now(),
                )
                await uow.schedules.put(schedule)
            await uow.commit()

"""Events in, replies out: each event runs as one unit of work that commits before anything is
said; a refusal changes nothing and answers in the asker's language, an unexpected error answers
with an id to find it in the log."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.catalog import Catalog
from bot.channels import ChannelDirectory
from bot.clock import Clock
from bot.commands import Suggestion, check_args, parse_text
from bot.context import CommandContext
from bot.errors import Ignored, Refusal
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
)
from bot.feature import UNEXPECTED_FLOW
from bot.kernel.conflicts import again_on_conflict
from bot.kernel.membership import Defaults, command_context
from bot.kernel.outbox import OutboxPump
from bot.kernel.registry import FeatureRegistry
from bot.ports import Store, UnitOfWork
from bot.replies import Reply, Target, Visibility
from bot.text_input import clean_event, clean_origin, clean_text
from bot.waiting import awaiting, waiting_flow

log = logging.getLogger("hearth.core")
MAX_SUGGESTIONS = 25
Body = Callable[[CommandContext], Awaitable[None]]


def turn_of(origin: Origin) -> str:
    """Whose events take turns: a community's (what its members do touches its shared
    records: a round, a digest), and in private each person's own."""
    if origin.community_ref is not None and not origin.is_private:
        return f"{origin.platform}:{origin.community_ref}"
    return f"{origin.platform}:person:{origin.person.user_ref}"


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        catalog: Catalog,
        defaults: Defaults,
        features: FeatureRegistry,
        pump: OutboxPump,
        channel_directories: dict[str, ChannelDirectory],
    ) -> None:
        self.store = store
        self.clock = clock
        self.catalog = catalog
        self.defaults = defaults
        self.features = features
        self.pump = pump
        self.channel_directories = channel_directories  # by platform, filled by adapters
        # How events ended, for benchmarks and fault tests: ok, refused, error, duplicate.
        self.outcomes: Counter[str] = Counter()

    async def handle(self, event: Event) -> list[Reply]:
        event = clean_event(event)  # the one place where what people type is made safe
        origin = event.origin
        match event:
            case CommandInvoked():
                return await self.run(origin, event.event_ref, self._command(event), watch="moved")
            case ChoicePressed():
                return await self.run(origin, event.event_ref, self._choice(event), watch="waits")
            case MessagePosted():
                return await self.run(origin, event.event_ref, self._message(event), watch="waits")
            case MemberJoined():
                return await self.run(origin, event.event_ref, self._joined)
            case MemberLeft():
                return await self.run(origin, event.event_ref, self._left)

    async def suggest(
        self, origin: Origin, command_name: str, param_name: str, typed: str
    ) -> list[Suggestion]:
        """Values the asker may mean for a parameter, while they type; reads only, never writes."""
        command = self.features.commands.get(command_name)
        param = next((p for p in command.params if p.name == param_name), None) if command else None
        if command is None or param is None or param.suggest is None:
            return []
        try:
            async with self.store.unit_of_work() as uow:  # never committed: nothing is kept
                ctx = await self._context(uow, clean_origin(origin))
                if ctx.role < command.role:
                    return []
                return list(await param.suggest(ctx, clean_text(typed)))[:MAX_SUGGESTIONS]
        except Exception:
            log.exception("suggestions failed command=%s param=%s", command_name, param_name)
            return []

    async def _context(self, uow: UnitOfWork, origin: Origin) -> CommandContext:
        return await command_context(
            uow,
            origin,
            clock=self.clock,
            catalog=self.catalog,
            defaults=self.defaults,
            channels=self.channel_directories.get(origin.platform),
        )

    def _command(self, event: CommandInvoked) -> Body:
        async def run(ctx: CommandContext) -> None:
            command = self.features.commands.get(event.name)
            if command is None:
                raise Refusal("unknown_command", command=event.name)
            if ctx.role < command.role:
                raise Refusal(
                    "needs_role", command=command.name, roles=command.role.everyone_called
                )
            ctx.confidential = event.confidential
            if event.options is not None:
                args = check_args(command, event.options)
            else:
                args = parse_text(command, event.text)
            await command.handler(ctx, args)

        return run

    def _choice(self, event: ChoicePressed) -> Body:
        async def run(ctx: CommandContext) -> None:
            if ctx.member_is_new:
                # Every button is sent to a member, so a press never makes one (a forged one
                # could otherwise): refusing rolls back the member row this context just made.
                raise Refusal("choice_not_member", community=ctx.community.name)
            prefix, *parts = event.key.split(":")
            handler = self.features.choices.get(prefix)
            if handler is None:
                raise Refusal("choice_stale")
            await handler(ctx, parts)

        return run

    def _message(self, event: MessagePosted) -> Body:
        async def run(ctx: CommandContext) -> None:
            ctx.confidential = event.confidential
            if not event.text:  # nothing visible was left of it
                if ctx.in_confidence:
                    raise Refusal("message_blank")
                return
            conversation = await ctx.uow.conversations.get(ctx.member.id)
            handler = self.features.flows.get(conversation.flow) if conversation else None
            if handler is not None:
                await handler(ctx, event.text)
            elif ctx.origin.is_private:
                await self.features.flows[UNEXPECTED_FLOW](ctx, event.text)

        return run

    async def _joined(self, ctx: CommandContext) -> None:
        member = ctx.member
        if ctx.member_is_new or member.left_at is not None:
            member.left_at = None
            await ctx.uow.members.save(member)
            for hook in self.features.on_join:
                await hook(ctx, member)

    async def _left(self, ctx: CommandContext) -> None:
        if ctx.member_is_new:  # never a member here: leaving makes nobody one
            raise Ignored
        member = ctx.member
        if member.left_at is None:
            member.left_at = ctx.now
            await ctx.uow.members.save(member)
            for hook in self.features.on_leave:
                await hook(ctx, member)

    async def run(
        self, origin: Origin, event_ref: str | None, body: Body, *, watch: str = ""
    ) -> list[Reply]:
        """Run a body in one unit of work: commit then reply; refuse with nothing changed.
        In a channel, `watch` says whether the asker's replies tell that a flow waits for their
        typed answer: one the command started or "moved", or one that still "waits"."""
        said = [self.defaults.language]  # the asker's language, once known
        try:
            return await again_on_conflict(
                lambda: self._attempt(origin, event_ref, body, watch, said)
            )
        except Exception:
            error_id = secrets.token_hex(4)
            self.outcomes["error"] += 1
            log.exception(
                "unexpected error id=%s platform=%s",
                error_id,
                origin.platform,
                extra={"error_id": error_id},
            )
            return [
                self._to_origin(
                    origin, self.catalog.text("unexpected_error", said[0], error_id=error_id)
                )
            ]

    async def _attempt(
        self, origin: Origin, event_ref: str | None, body: Body, watch: str, said: list[str]
    ) -> list[Reply]:
        """One try at `run`; the database may refuse it for a conflict (then nothing stayed)."""
        flows = self.features.flows
        watching = bool(watch) and not origin.is_private
        async with self.store.unit_of_work(turn=turn_of(origin)) as uow:
            if event_ref and not await uow.events.claim(
                origin.platform, event_ref, self.clock.now()
            ):
                self.outcomes["duplicate"] += 1
                return []
            ctx = await self._context(uow, origin)
            said[0] = ctx.language
            try:
                await body(ctx)
            except Refusal as refusal:
                refused = refusal
            except Ignored:
                refused = None
            else:
                moved = watch == "waits" or ctx.member.id in uow.conversations.written
                if watching and moved and await waiting_flow(uow, ctx.member.id, flows):
                    ctx.replies = awaiting(ctx.replies, origin)
                replies = await self.pump.keep_fan_out(uow, origin, ctx.replies)
                await uow.commit()
                self.outcomes["ok"] += 1
                if len(replies) < len(ctx.replies):
                    await self.pump.filled()
                return replies
        # The unit of work rolled back: the refusal changed nothing but the seen-mark.
        if event_ref:
            async with self.store.unit_of_work() as uow:
                await uow.events.claim(origin.platform, event_ref, self.clock.now())
                await uow.commit()
        self.outcomes["refused" if refused else "ignored"] += 1
        if refused is None:
            return []
        answer = [
            self._to_origin(origin, self.catalog.text(refused.key, said[0], **refused.params))
        ]
        if watching and watch == "waits" and not ctx.member_is_new:  # waits as it did
            async with self.store.unit_of_work() as uow:
                if await waiting_flow(uow, ctx.member.id, flows) is not None:
                    answer = awaiting(answer, origin)
        return answer

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

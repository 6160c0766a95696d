"""Hearth, the facade that adapters, the composition root, tests and benchmarks hold: it composes
the kernel (bot/kernel/) and delegates, so each job is read and changed in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.catalog import Catalog, CatalogError
from bot.channels import ChannelDirectory
from bot.clock import Clock
from bot.commands import Suggestion
from bot.context import CommandContext
from bot.events import Event, Origin, Presence, Unreachable
from bot.feature import Feature
from bot.kernel import membership
from bot.kernel.dispatch import Dispatcher
from bot.kernel.feedback import PlatformFeedback
from bot.kernel.membership import Defaults, Membership
from bot.kernel.outbox import Outbox, OutboxPump
from bot.kernel.registry import FeatureRegistry
from bot.kernel.scheduler import Scheduler
from bot.ports import Store
from bot.reach import Reach
from bot.replies import Reply, Target
from bot.text_input import clean_origin

if TYPE_CHECKING:
    from bot.services.web import WebEntrance

__all__ = ["Defaults", "Hearth", "Membership", "Outbox"]


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
        self.listeners: list[Callable[[], Awaitable[None]]] = []
        self.channel_directories: dict[str, ChannelDirectory] = {}  # by platform
        # Where the web pages are, once served (the composition root installs the feature).
        self.web: WebEntrance | None = None
        self.features = f = FeatureRegistry()
        # The tables features fill, under the names callers know them by (shared, not copied).
        self.registry = f.commands
        self.choices, self.flows = f.choices, f.flows
        self.jobs, self.schedules = f.jobs, f.schedules
        self.setup_keys, self.resumes, self.reports = f.setup_keys, f.resumes, f.reports
        self.on_join, self.on_leave, self.on_unreachable = f.on_join, f.on_leave, f.on_unreachable
        self.pump = OutboxPump(store, clock, self._changed)
        self.pump.port = outbox
        self.dispatcher = Dispatcher(
            store=store,
            clock=clock,
            catalog=catalog,
            defaults=self.defaults,
            features=f,
            pump=self.pump,
            channel_directories=self.channel_directories,
        )
        self.scheduler = Scheduler(store, clock, catalog, f, self.pump, self._changed)
        self.feedback = PlatformFeedback(store, clock, catalog, f, self.pump, self._changed)
        # How events ended, for benchmarks and fault tests: ok, refused, error, duplicate.
        self.outcomes: Counter[str] = self.dispatcher.outcomes
        for feature in features:
            self.install(feature)

    def install(self, feature: Feature) -> None:
        self.catalog.bring(feature.texts)
        for command in feature.commands:
            lacking = [key for key in command.description_keys() if not self.catalog.has(key)]
            if lacking:  # every surface describes a command from the catalog
                raise CatalogError(f"/{command.name} has no text {lacking[0]!r} in prompts/en")
        self.features.install(feature)

    @property
    def outbox(self) -> Outbox | None:
        return self.pump.port

    @outbox.setter
    def outbox(self, outbox: Outbox | None) -> None:
        self.pump.port = outbox

    @property
    def deliver_in_background(self) -> bool:
        """Tests and the console deliver as soon as work is done; a running Hearth pumps."""
        return self.pump.in_background

    @deliver_in_background.setter
    def deliver_in_background(self, value: bool) -> None:
        self.pump.in_background = value

    @property
    def sender(self) -> str:
        return self.pump.sender

    async def _changed(self) -> None:
        for listener in self.listeners:
            await listener()

    # -- events in, replies out ------------------------------------------------------------

    async def handle(self, event: Event) -> list[Reply]:
        replies = await self.dispatcher.handle(event)
        await self._changed()
        return replies

    async def register(self, origin: Origin) -> None:
        """Make sure the community and the person exist, without any join flow."""

        async def nothing(ctx: CommandContext) -> None:
            return None

        await self.dispatcher.run(clean_origin(origin), None, nothing)

    async def suggest(
        self, origin: Origin, command_name: str, param_name: str, typed: str
    ) -> list[Suggestion]:
        return await self.dispatcher.suggest(origin, command_name, param_name, typed)

    # -- platform feedback ------------------------------------------------------------------

    async def handle_unreachable(self, event: Unreachable) -> Reach:
        return await self.feedback.handle_unreachable(event)

    async def follow(self, event: Presence) -> bool:
        return await self.feedback.follow(event)

    async def memberships(self, platform: str, user_ref: str) -> list[Membership]:
        async with self.store.unit_of_work() as uow:  # reads only
            return await membership.memberships(uow, platform, user_ref)

    async def language_for(self, target: Target) -> str:
        """The language of a reply's reader, for what an adapter adds to it in its own words
        (the console's note about a saved file)."""
        async with self.store.unit_of_work() as uow:  # reads only
            return await membership.reader_language(uow, target, self.defaults.language)

    async def community_for_private(self, platform: str, user_ref: str) -> str | None:
        return await self.feedback.community_for_private(platform, user_ref)

    async def wrote_privately(self, platform: str, user_ref: str, community_ref: str) -> None:
        await self.feedback.wrote_privately(platform, user_ref, community_ref)

    async def reachable(self, platform: str, user_ref: str) -> None:
        await self.feedback.reachable(platform, user_ref)

    # -- scheduled work and the outbox ------------------------------------------------------

    async def next_due(self) -> datetime | None:
        return await self.scheduler.next_due()

    async def run_due(self) -> int:
        return await self.scheduler.run_due()

    async def pump_outbox(self) -> None:
        await self.pump.pump()

    def stop_pumping(self) -> None:
        self.pump.stop()

    async def flush_outbox(self) -> int:
        return await self.pump.flush()

    async def keep(self, replies: Sequence[Reply]) -> None:
        await self.pump.keep(replies)

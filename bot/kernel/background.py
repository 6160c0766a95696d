"""What the kernel's background parts share: work that starts without a person's event (a due
job, a platform's report) and may leave messages for the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.catalog import Catalog
from bot.clock import Clock
from bot.kernel.outbox import OutboxPump
from bot.kernel.registry import FeatureRegistry
from bot.ports import Store


@dataclass
class Background:
    store: Store
    clock: Clock
    catalog: Catalog
    features: FeatureRegistry
    pump: OutboxPump
    _changed: Callable[[], Awaitable[None]]

"""The composition root: wires the ports to the services and installs every feature.

`running_hearth` is how `hearth run`, `hearth console` and the benchmarks get a Hearth on a
database; tests build theirs on a copied template store with `build_hearth`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.catalog import Catalog
from bot.clock import Clock
from bot.hearth import Defaults, Hearth, Outbox
from bot.ports import Store
from bot.services import (
    audit,
    care,
    language,
    moderators,
    pause,
    privacy,
    setup,
    timezone,
)
from bot.services.export import feature as export_feature
from bot.services.help import help_feature
from bot.services.linking import feature as linking_feature
from bot.services.needs import needs_features
from bot.services.proposals import proposals_feature
from bot.services.reflections import load_deck, reflections_feature
from bot.services.reports import report_feature
from bot.services.schedules import schedule_feature
from bot.services.setup import setup_feature
from bot.services.start import start_feature
from bot.services.web import WebEntrance, web_feature
from bot.services.welcome import buddies_feature, welcome_feature


def build_hearth(
    *,
    store: Store,
    clock: Clock,
    catalog: Catalog | None = None,
    defaults: Defaults | None = None,
    outbox: Outbox | None = None,
) -> Hearth:
    entrance = WebEntrance()
    hearth = Hearth(
        store=store,
        clock=clock,
        catalog=catalog or Catalog.load(),
        defaults=defaults,
        outbox=outbox,
        features=[
            setup.feature,
            care.feature,
            moderators.feature,
            audit.feature,
            privacy.feature,
            language.feature,
            timezone.feature,
            reflections_feature(load_deck()),
            welcome_feature(),
            buddies_feature(),
            pause.feature,
            proposals_feature(),
            *needs_features,
            export_feature,
            web_feature(entrance),
            linking_feature,
        ],
    )
    hearth.web = entrance
    # These describe what the others installed, so they come last.
    hearth.install(setup_feature(hearth.setup_keys))
    hearth.install(schedule_feature(hearth.schedules))
    hearth.install(report_feature(hearth.reports))
    hearth.install(help_feature(hearth.registry))
    hearth.install(start_feature(hearth.registry, hearth.resumes))
    return hearth


@asynccontextmanager
async def running_hearth(
    database: str | Path,
    *,
    clock: Clock,
    defaults: Defaults | None = None,
    outbox: Outbox | None = None,
    instrument: Callable[[Store], Store] | None = None,
) -> AsyncIterator[Hearth]:
    """Hearth on the database `database` names; the store closes however the block ends.
    `instrument` may wrap the store Hearth is handed (e.g. to time its units of work)."""
    from storage import open_store

    store = await open_store(database)
    try:
        served = instrument(store) if instrument is not None else store
        yield build_hearth(store=served, clock=clock, defaults=defaults, outbox=outbox)
    finally:
        await store.close()

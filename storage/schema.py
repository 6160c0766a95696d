"""The whole schema: importing every module that defines tables fills storage.sql.metadata,
which Alembic compares and the baseline revision was generated from."""

from __future__ import annotations

from storage import (  # noqa: F401  (imported for the tables they define)
    audit,
    communities,
    conversations,
    linking,
    members,
    needs,
    outbox,
    people,
    platform_state,
    processed_events,
    proposals,
    reach,
    reflections,
    scheduling,
    web,
    welcome,
)
from storage.sql import metadata

__all__ = ["metadata"]

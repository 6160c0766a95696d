"""Platform events already handled, so a redelivered event is answered once."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import sqlalchemy as sa

from storage.sql import SqlRepo, Timestamp, insert_on_conflict, schema_table

processed_events = schema_table(
    "processed_events",
    sa.Column("platform", sa.Text, primary_key=True, nullable=False),
    sa.Column("event_ref", sa.Text, primary_key=True, nullable=False),
    sa.Column("seen_at", Timestamp, nullable=False),
)


@cache
def _claim(dialect: str) -> sa.Insert:
    # One INSERT ... ON CONFLICT DO NOTHING: two deliveries racing cannot both win, and a
    # duplicate leaves the transaction usable (a caught IntegrityError would abort it on
    # PostgreSQL). Built once per dialect: building costs more than running it.
    return insert_on_conflict(dialect, processed_events).on_conflict_do_nothing()


class SqlProcessedEvents(SqlRepo):
    async def claim(self, platform: str, event_ref: str, now: datetime) -> bool:
        changed = await self.db.change(
            _claim(self.db.dialect),
            {"platform": platform, "event_ref": event_ref, "seen_at": now},
        )
        return changed > 0

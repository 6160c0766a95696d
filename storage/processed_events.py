"""Platform events already handled, so a redelivered event is answered once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from storage.sql import SqlRepo, Timestamp, insert_on_conflict, metadata

processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("platform", sa.Text, primary_key=True, nullable=False),
    sa.Column("event_ref", sa.Text, primary_key=True, nullable=False),
    sa.Column("seen_at", Timestamp, nullable=False),
)


class SqlProcessedEvents(SqlRepo):
    async def claim(self, platform: str, event_ref: str, now: datetime) -> bool:
        # One INSERT ... ON CONFLICT DO NOTHING: two deliveries racing cannot both win, and a
        # duplicate leaves the transaction usable (a caught IntegrityError would abort it on
        # PostgreSQL).
        changed = await self.db.change(
            insert_on_conflict(self.db, processed_events)
            .values(platform=platform, event_ref=event_ref, seen_at=now)
            .on_conflict_do_nothing()
        )
        return changed > 0

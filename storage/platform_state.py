"""Platform state in SQL: small facts an adapter keeps between runs, one row per (platform, key).

The table mirrors storage/migrations/0007_platform_state.sql exactly.
"""

from __future__ import annotations

import sqlalchemy as sa

from storage.sql import SqlRepo, insert_on_conflict, schema_table

platform_state = schema_table(
    "platform_state",
    sa.Column("platform", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

_state = platform_state


class SqlPlatformState(SqlRepo):
    async def get(self, platform: str, key: str) -> str | None:
        value = await self.db.scalar(
            sa.select(_state.c.value).where(_state.c.platform == platform, _state.c.key == key)
        )
        return None if value is None else str(value)

    async def put(self, platform: str, key: str, value: str) -> None:
        # Update, then insert if there was nothing to update: portable where an upsert is not,
        # and safe inside the unit's write transaction (a put happens once per start or sync).
        changed = await self.db.change(
            sa.update(_state)
            .where(_state.c.platform == platform, _state.c.key == key)
            .values(value=value)
        )
        if not changed:
            await self.db.change(sa.insert(_state).values(platform=platform, key=key, value=value))

    async def keep_first(self, platform: str, key: str, value: str) -> str:
        """Store `value` unless the key has one already, atomically (two processes starting
        at once agree); the value kept."""
        insert = insert_on_conflict(self.db.dialect, _state).values(
            platform=platform, key=key, value=value
        )
        await self.db.change(
            insert.on_conflict_do_nothing(index_elements=[_state.c.platform, _state.c.key])
        )
        return await self.get(platform, key) or value

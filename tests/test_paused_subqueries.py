"""The Core subqueries that hold a paused community's schedules, jobs and waiting messages."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.domain import CommunityLink
from storage.communities import communities, paused_community_ids, paused_places
from storage.sqlite import SqliteStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_only_a_paused_community_and_its_places_are_held(
    sqlite_store: SqliteStore,
) -> None:
    async with sqlite_store.unit_of_work() as uow:
        ids = []
        for name in ("paused", "running"):
            community = await uow.communities.add(name=name, timezone="UTC", language="en", now=NOW)
            await uow.communities.add_link(CommunityLink(community.id, "tg", name, None))
            ids.append(community.id)
        paused = await uow.communities.get(ids[0])
        paused.paused_since = NOW
        await uow.communities.save(paused)
        await uow.commit()
    conn = sqlite_store.conn
    assert conn.execute(paused_community_ids()).scalars().all() == [ids[0]]
    assert [tuple(row) for row in conn.execute(paused_places())] == [("tg", "paused")]
    running = sa.select(communities.c.id).where(communities.c.id.not_in(paused_community_ids()))
    assert conn.execute(running).scalars().all() == [ids[1]]

"""Reads straight on the driver (storage/direct.py) give exactly the rows SQLAlchemy's own
execution gives: the same values, of the same types, under the same names, on both engines."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.util import LRUCache

from bot.ports import Store
from storage.communities import communities, community_links
from storage.direct import bound
from storage.members import members
from storage.proposals import _GET, _TALLIED, proposal_contributions, proposals
from tests.support import World


async def _by_sqlalchemy(session: Any, statement: sa.Select[Any], params: dict[str, Any]) -> Any:
    if session.dialect == "sqlite":
        return session.conn.execute(statement, params).all()
    return (await session._execute(statement, params)).all()


async def test_a_direct_read_gives_sqlalchemys_own_rows(store: Store) -> None:
    world = World(store=store)
    world.make_admin("mo")
    await world.say("mo", "/setup about A garden we share")
    await world.say("ana", "/propose Tool library | Share drills")
    await world.say("bob", "/build 1 and ladders")
    await world.say("cy", "/leave")  # a member row with a left_at moment
    statements: list[tuple[sa.Select[Any], dict[str, Any]]] = [
        (_GET, {"community_id": 1, "number": 1}),
        (_TALLIED, {"community_id": 1}),
        (sa.select(proposal_contributions), {}),
        (sa.select(communities), {}),  # settings as JSON, timestamps, NULLs
        (sa.select(community_links), {}),
        (sa.select(members).order_by(members.c.id), {}),  # flags, roles, NULL moments
        (sa.select(proposals.c.number, proposals.c.hidden).where(proposals.c.id > 0), {}),
    ]
    async with store.unit_of_work() as uow:
        session = uow._session  # type: ignore[attr-defined]
        for statement, params in statements:
            dialect = (
                session.conn.dialect if session.dialect == "sqlite" else session._store.dialect
            )
            assert bound(statement, params, dialect, LRUCache(8)) is not None  # runs direct
            direct = await session.rows(statement, params)
            expected = await _by_sqlalchemy(session, statement, params)
            assert direct, statement
            assert [tuple(row) for row in direct] == [tuple(row) for row in expected]
            assert [[type(v) for v in row] for row in direct] == [
                [type(v) for v in row] for row in expected
            ]
            assert [list(row._mapping) for row in direct] == [
                list(row._mapping) for row in expected
            ]

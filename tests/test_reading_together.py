"""Several reads sent together (`rows_together`: one round trip on PostgreSQL) give exactly
what the same reads give one after the other: the same rows, each in its own order, with
the same types, including reads that cannot be combined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.ports import Store
from storage.members import members
from storage.postgres import PgSession, _together
from storage.sql import SqlSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IN_COMMUNITY = members.c.community_id == sa.bindparam("community")
NEWEST_FIRST = sa.select(members).where(IN_COMMUNITY).order_by(members.c.id.desc())
BY_NAME = sa.select(members).where(IN_COMMUNITY).order_by(members.c.display_name)
NOBODY = sa.select(members).where(IN_COMMUNITY, members.c.display_name == "nobody")
LEFT = sa.select(members.c.id, members.c.left_at).where(
    IN_COMMUNITY, members.c.left_at.is_not(None)
)
NAMED = sa.select(members).where(members.c.display_name.in_(sa.bindparam("names", expanding=True)))


def _session(uow: object) -> SqlSession:
    session = uow._session  # type: ignore[attr-defined]
    assert isinstance(session, SqlSession)
    return session


async def _seed(store: Store) -> int:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name="Garden", timezone="UTC", language="en", now=NOW)
        for n, name in enumerate(["Pat", "Ade", "Kim", "Bo"]):
            member = await uow.members.add(
                community_id=community.id,
                platform="console",
                user_ref=f"u{n}",
                display_name=name,
                now=NOW + timedelta(minutes=n),
            )
            if name == "Kim":
                member.left_at = NOW + timedelta(days=1)
                await uow.members.save(member)
        await uow.commit()
    return community.id


def _count_statements(db: SqlSession) -> list[int]:
    """How many statements a PostgreSQL session sends from now on (one number, counting)."""
    sent: list[int] = []
    if isinstance(db, PgSession):
        driven = db._driven

        async def counted(sql: str, args: list[Any], **how: Any) -> Any:
            sent[:] = [sent[0] + 1] if sent else [1]
            return await driven(sql, args, **how)

        db._driven = counted  # type: ignore[method-assign]
    return sent


def _plain(found: list[Any]) -> list[list[tuple[Any, ...]]]:
    return [[tuple(row) for row in rows] for rows in found]


async def test_reads_sent_together_give_what_they_give_one_by_one(store: Store) -> None:
    community = await _seed(store)
    reads = [NEWEST_FIRST, BY_NAME, NOBODY, LEFT]
    async with store.unit_of_work() as uow:
        db = _session(uow)
        sent = _count_statements(db)
        together = await db.rows_together(reads, {"community": community})
        assert sent == ([1] if isinstance(db, PgSession) else [])  # one round trip there
        one_by_one = [await db.rows(read, {"community": community}) for read in reads]
    assert _plain(together) == _plain(one_by_one)
    newest, by_name, nobody, left = together
    assert [row.display_name for row in newest] == ["Bo", "Kim", "Ade", "Pat"]
    assert [row.display_name for row in by_name] == ["Ade", "Bo", "Kim", "Pat"]
    assert nobody == []
    assert [row.left_at for row in left] == [NOW + timedelta(days=1)]  # aware, in UTC


async def test_reads_that_cannot_be_combined_are_read_one_by_one(store: Store) -> None:
    community = await _seed(store)
    params = {"community": community, "names": ["Ade", "Bo"]}
    async with store.unit_of_work() as uow:
        db = _session(uow)
        # An expanding IN is only SQLAlchemy's to run; the first read ignores `names`.
        together = await db.rows_together([BY_NAME, NAMED], params)
        one_by_one = [await db.rows(BY_NAME, params), await db.rows(NAMED, params)]
    assert _plain(together) == _plain(one_by_one)
    assert sorted(row.display_name for row in together[1]) == ["Ade", "Bo"]


def test_each_read_takes_its_values_after_the_ones_before_it() -> None:
    """On PostgreSQL the reads become one statement: the second read's $1 is the first's
    last value plus one, and a read with a quoted literal is not rewritten at all."""
    assert _together(
        (("SELECT a FROM t WHERE b = $1", 1), ("SELECT c WHERE d = $1 OR e = $2", 2))
    ) == (
        "SELECT ARRAY(SELECT s FROM (SELECT a FROM t WHERE b = $1) AS s),"
        " ARRAY(SELECT s FROM (SELECT c WHERE d = $2 OR e = $3) AS s)"
    )
    many = "SELECT " + ", ".join(f"${n}" for n in range(1, 12))  # $1 ... $11
    renumbered = "SELECT " + ", ".join(f"${n}" for n in range(2, 13))  # $10 is not $1 and 0
    assert _together((("SELECT $1", 1), (many, 11))) == (
        f"SELECT ARRAY(SELECT s FROM (SELECT $1) AS s), ARRAY(SELECT s FROM ({renumbered}) AS s)"
    )
    assert _together((("SELECT $1", 1), ("SELECT 'x' WHERE y = $1", 1))) is None

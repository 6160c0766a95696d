"""What every SQL repository shares: the schema's metadata, its column types and the session.

Repositories are written once, in SQLAlchemy Core, and run on whichever engine the store opened.
A repository only ever talks to a `SqlSession`: one unit of work's turn on the connection.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect, Row
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeDecorator

# Every table of every feature joins this one schema, so Alembic sees the whole of it.
metadata = sa.MetaData()

_TS = "%Y-%m-%dT%H:%M:%S.%fZ"

_T = TypeVar("_T")

# Values for a prebuilt statement's bindparams, by name.
Params = Mapping[str, Any] | None


def ts(value: datetime) -> str:
    """A fixed-width UTC timestamp, so that text order is time order (SQLite's storage form)."""
    return value.astimezone(UTC).strftime(_TS)


def dt(value: str) -> datetime:
    # fromisoformat reads the 'Z' form since Python 3.11 and is many times faster than strptime.
    return datetime.fromisoformat(value)


def opt_dt(value: str | None) -> datetime | None:
    return dt(value) if value is not None else None


class _EngineForm(TypeDecorator[_T]):
    """A type with SQLite's storage form (as the files always held it) and a native one on
    other engines. Subclasses name both and set `cache_ok` (SQLAlchemy reads it per class)."""

    on_sqlite: sa.types.TypeEngine[Any] = sa.Text()
    elsewhere: sa.types.TypeEngine[Any] = sa.Text()

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(
            self.on_sqlite if dialect.name == "sqlite" else self.elsewhere
        )


class Timestamp(_EngineForm[datetime]):
    """An aware UTC datetime: fixed-width text on SQLite (text order is time order, and the
    files written before SQLAlchemy read unchanged), TIMESTAMP WITH TIME ZONE elsewhere."""

    impl = sa.Text
    cache_ok = True
    elsewhere = sa.DateTime(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Hearth stores aware datetimes only")
        return ts(value) if dialect.name == "sqlite" else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return dt(value)
        assert isinstance(value, datetime)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """On SQLite, one call per value instead of TypeDecorator's chain of three: a listing
        reads hundreds of timestamps (proposals' tallies spent a sixth of their time here)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value: str | None) -> datetime | None:
            return None if value is None else parse(value)

        return process


class Day(_EngineForm[date]):
    """A calendar day: ISO text on SQLite (as the files always held it), DATE elsewhere."""

    impl = sa.Text
    cache_ok = True
    elsewhere = sa.Date()

    def process_bind_param(self, value: date | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.isoformat() if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(value)


class Flag(_EngineForm[bool]):
    """A yes/no: 0/1 INTEGER on SQLite (as the files always held it), BOOLEAN elsewhere.
    Pair it with `server_default=sa.false()` (or `sa.true()`), which each engine spells its way."""

    impl = sa.Integer
    cache_ok = True
    on_sqlite = sa.Integer()
    elsewhere = sa.Boolean()

    def process_bind_param(self, value: bool | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return int(value) if dialect.name == "sqlite" else bool(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> bool | None:
        return None if value is None else bool(value)


class JsonText(TypeDecorator[Any]):
    """JSON kept as text, as the SQLite files always have: readable by hand, the same on every
    engine, and never confused with SQL NULL."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def record(kind: Callable[..., _T], row: Row[Any]) -> _T:
    """The domain record a row holds, where the row's columns are the record's fields by name
    (the mapper every such table would otherwise write out field by field)."""
    return kind(**row._mapping)


def row_of(record: object, table: sa.Table) -> dict[str, Any]:
    """The params writing `record` to `table`, whose columns are its fields by name
    (the inverse of `record`)."""
    return {column.name: getattr(record, column.name) for column in table.columns}


# -- Columns many tables share ------------------------------------------------------------------


def reference(
    name: str,
    target: str,
    *,
    ondelete: str | None = "CASCADE",
    nullable: bool = False,
    primary_key: bool = False,
) -> sa.Column[int]:
    """An integer column pointing at `target` ("table.id"). As part of a key it is never a
    SERIAL of its own: the row it names gives its value."""
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey(target, ondelete=ondelete),
        primary_key=primary_key,
        autoincrement=False if primary_key else "auto",
        nullable=nullable and not primary_key,
    )


def community_column(*, primary_key: bool = False) -> sa.Column[int]:
    """The community a row belongs to: it goes when the community goes."""
    return reference("community_id", "communities.id", primary_key=primary_key)


def schema_table(name: str, *items: sa.schema.SchemaItem, **options: Any) -> sa.Table:
    """A table of the one schema (`metadata`), which Alembic compares whole."""
    return sa.Table(name, metadata, *items, **options)


def community_table(name: str, *items: sa.schema.SchemaItem, **options: Any) -> sa.Table:
    """A table of a community's numbered records: `id`, then `community_id`, then its own
    columns and constraints (`items`)."""
    return schema_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True),
        community_column(),
        *items,
        **options,
    )


def member_column(
    name: str = "member_id",
    *,
    ondelete: str = "CASCADE",
    nullable: bool | None = None,
    primary_key: bool = False,
) -> sa.Column[int]:
    """A member a row is about: the row goes with them (CASCADE), or where it must outlive
    them, the column forgets who it was (SET NULL, nullable unless said otherwise)."""
    if nullable is None:
        nullable = ondelete == "SET NULL"
    return reference(
        name, "members.id", ondelete=ondelete, nullable=nullable, primary_key=primary_key
    )


class SqlSession(ABC):
    """One unit of work's use of a database connection: what every repository talks to.

    Each engine has its own (storage/sqlite.py, storage/postgres.py); repositories see only
    these methods and `dialect`, the engine's name for statements spelled per engine.
    """

    dialect: str

    # `params` fill a prebuilt statement's bindparams: a hot statement built once at import
    # skips the per-call construction and cache-key walk, about half of its cost on SQLite.

    @abstractmethod
    async def rows(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]: ...

    async def rows_together(
        self, statements: Sequence[Executable], params: Params = None
    ) -> list[Sequence[Row[Any]]]:
        """Several SELECTs on the same values, each one's rows: one after the other here; an
        engine where each statement is a round trip sends them as one."""
        return [await self.rows(statement, params) for statement in statements]

    @abstractmethod
    async def row(self, statement: Executable, params: Params = None) -> Row[Any] | None: ...

    @abstractmethod
    async def scalar(self, statement: Executable, params: Params = None) -> Any: ...

    @abstractmethod
    async def insert(self, statement: Executable, params: Params = None) -> int:
        """Run an INSERT and return the new row's integer primary key."""

    @abstractmethod
    async def change(self, statement: Executable, params: Params = None) -> int:
        """Run an INSERT, UPDATE or DELETE and return how many rows it touched."""

    @abstractmethod
    async def returning(self, statement: Executable, params: Params = None) -> Sequence[Row[Any]]:
        """A write whose RETURNING rows are wanted, inside this unit's write transaction."""

    @abstractmethod
    async def commit(self) -> None: ...

    @abstractmethod
    async def rollback(self) -> None: ...

    async def hold_claims(self, owner: str) -> None:
        """Before `owner` claims anything: make its claims last while this process lives.
        One process per SQLite file needs nothing; PostgreSQL holds a lock for it."""
        return None


def new_key(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None and key[0] is not None
    return int(key[0])


class SqlRepo:
    """A repository's one dependency: the session of the unit of work it belongs to."""

    def __init__(self, db: SqlSession) -> None:
        self.db = db


def insert_on_conflict(dialect: str, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can say ON CONFLICT, for the dialect named (`conn.dialect.name`): an
    upsert or an idempotent claim stays one atomic statement. Core has no portable form, but
    both engines spell it alike."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(db: SqlSession, table: sa.Table, *update: str) -> Executable:
    """INSERT into `table`, or where its primary key exists already, UPDATE the `update`
    columns from the new row. Core has ON CONFLICT per dialect only (spelled alike on SQLite
    and PostgreSQL), so this picks the session's; run it with every column as a parameter."""
    return _upsert(db.dialect, table, update)


@cache
def _upsert(dialect: str, table: sa.Table, update: tuple[str, ...]) -> Executable:
    insert = insert_on_conflict(dialect, table)
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: insert.excluded[name] for name in update},
    )

"""Fresh SQLite stores for tests, cheaply: the migrations run once per test process into a
template database, and each store is a `:memory:` copy of it (sqlite3's backup API), so a
test pays for a page copy rather than for every migration. Every store made here is closed
by tests/conftest.py after its test, so hundreds of tests leave no connection open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from storage.sqlite import SqliteStore, _engine

_template: SqliteStore | None = None
_opened: list[SqliteStore] = []


def fresh_store() -> SqliteStore:
    """An empty, migrated store of its own, held in memory."""
    global _template
    if _template is None:
        _template = SqliteStore.connect(":memory:")
    engine = _engine(":memory:")
    conn = engine.connect()
    target = conn.connection.driver_connection
    assert isinstance(target, sqlite3.Connection)
    _template.db.backup(target)
    store = SqliteStore(engine, conn)
    _opened.append(store)
    return store


@contextmanager
def closing_fresh_stores() -> Iterator[None]:
    """Close every store fresh_store opens inside (a module's own store, made at import, is
    left open). SqliteStore.close is async but only closes the connection: done here directly,
    so that synchronous tests need no loop."""
    mark = len(_opened)
    try:
        yield
    finally:
        while len(_opened) > mark:
            store = _opened.pop()
            store.conn.close()
            store.engine.dispose()

"""A real PostgreSQL for the tests, started by the tests themselves.

The `pgserver` wheel carries PostgreSQL 16's server binaries: the first test that asks for a
database starts one server for the test process on a unix socket in a short folder under /tmp
(as root it runs as a `pgserver` system user, which must be able to reach that folder), with
durability switched off, since a test database is thrown away. `HEARTH_TEST_POSTGRES_URL` may
name a server of your own instead (a superuser URL, e.g. postgresql://postgres@localhost/postgres).

Each test gets a database of its own at the schema's head; afterwards it is emptied
and handed to the next test, so the migrations run once per database, not once per test.

When no server can be had, the tests that need one are skipped with the reason, and the run
ends with a loud warning; with HEARTH_REQUIRE_POSTGRES=1 (CI sets it) they fail instead.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass

import asyncpg
import pytest
import sqlalchemy as sa

from storage.postgres import PostgresStore, asyncpg_url
from storage.schema import metadata

REQUIRED = os.environ.get("HEARTH_REQUIRE_POSTGRES") == "1"
TUNING = ("fsync", "synchronous_commit", "full_page_writes")


@dataclass
class Server:
    admin: sa.URL  # the `postgres` database, as a superuser


_server: Server | None = None
_unavailable: str | None = None  # why no server could be had, once tried
_free: list[sa.URL] = []  # emptied databases at head, for the next test
_TABLES = [table.name for table in metadata.sorted_tables]
_numbers = itertools.count()
skipped: list[str] = []  # tests that ran without PostgreSQL, for the end-of-run warning


async def server() -> Server:
    """The tests' PostgreSQL, started (and connected to) on first use; skips (or fails, when
    required) the calling test if there is none."""
    global _server, _unavailable
    if _server is None and _unavailable is None:
        try:
            found = _start()
            await (await _admin(found.admin)).close()
            _server = found
        except Exception as error:
            _unavailable = f"{type(error).__name__}: {error}".splitlines()[0]
    if _server is None:
        reason = f"PostgreSQL is not available to the tests ({_unavailable})"
        if REQUIRED:
            pytest.fail(reason + "; HEARTH_REQUIRE_POSTGRES=1 says it must be")
        skipped.append(reason)
        pytest.skip(reason)
    return _server


def _start() -> Server:
    external = os.environ.get("HEARTH_TEST_POSTGRES_URL")
    if external:
        return Server(asyncpg_url(external))
    import pgserver

    folder = tempfile.mkdtemp(prefix="hpg-", dir="/tmp")  # a socket path has 107 bytes at most
    os.chmod(folder, 0o755)
    pg = pgserver.get_server(folder, cleanup_mode="delete")
    for setting in TUNING:
        pg.psql(f"ALTER SYSTEM SET {setting} = off;")
    pg.psql("SELECT pg_reload_conf();")
    return Server(
        sa.URL.create("postgresql+asyncpg", username="postgres", database="postgres").set(
            query={"host": folder}
        )
    )


async def _admin(url: sa.URL) -> asyncpg.Connection:
    return await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.query.get("host") or url.host,
        port=url.port,
        database=url.database,
    )


async def fresh_database() -> sa.URL:
    """An empty database at the schema's head, for this test alone."""
    found = await server()
    if _free:
        return _free.pop()
    name = f"hearth_{os.getpid()}_{next(_numbers)}"
    conn = await _admin(found.admin)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    url = found.admin.set(database=name)
    migrated = await PostgresStore.open(url)
    await migrated.close()
    return url


async def give_back(url: sa.URL) -> None:
    """Empty a test's database for the next test: emptying takes a fraction of what making
    one costs (CREATE DATABASE checkpoints, about half a second), and DELETE of a few rows
    a tenth of TRUNCATE's file work. Ids start again at 1, as the stories expect. The shared
    send budget's table, made on first use outside the migrations, goes altogether."""
    conn = await _admin(url)
    try:
        await conn.execute("DROP TABLE IF EXISTS hearth_send_places")
        sequences = await conn.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        await conn.execute(
            "".join(f"DELETE FROM {name};" for name in reversed(_TABLES))
            + "".join(f"ALTER SEQUENCE {row[0]} RESTART;" for row in sequences)
        )
    finally:
        await conn.close()
    _free.append(url)


async def fresh_pg_store() -> PostgresStore:
    return await PostgresStore.open(await fresh_database())


async def discard(store: PostgresStore) -> None:
    await store.close()
    await give_back(store.url)

"""`hearth doctor`'s look at the database: reachable, which schema, and which groups and
servers Hearth knows, without changing anything.

It must be safe beside a running Hearth: a SQLite file is opened read-only (`mode=ro`), without
the one-Hearth-per-file lock (storage/sqlite_lock.py) that the running Hearth holds, and a
missing file is not created; a PostgreSQL session is read-only (`default_transaction_read_only`).
Nothing is migrated: the migrations run when Hearth starts.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from bot.doctor import DatabaseState, KnownPlace
from storage import is_postgres
from storage.communities import communities, community_links
from storage.migrate import LEGACY_TABLE, current, head

CONNECT_TIMEOUT = 10.0  # seconds: an unreachable server is one line, never a hang
_ALEMBIC = Path(__file__).parent / "alembic"


async def inspect_database(database: str) -> DatabaseState:
    """What HEARTH_DATABASE holds, read-only; a database that cannot be read is a `problem`."""
    if is_postgres(database):
        return await _inspect_postgres(database)
    return await asyncio.to_thread(_inspect_sqlite, database)


def _known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(_ALEMBIC)).walk_revisions()}


def _look(conn: sa.Connection, shown: str) -> DatabaseState:
    """The schema's revision and the places Hearth knows, on a read-only connection."""
    tables = set(sa.inspect(conn).get_table_names())
    revision = current(conn) if "alembic_version" in tables else None
    legacy = LEGACY_TABLE in tables and revision is None
    known = revision is None or revision in _known_revisions()
    places: list[KnownPlace] = []
    if known and {"communities", "community_links"} <= tables:
        query = sa.select(
            community_links.c.platform,
            community_links.c.community_ref,
            communities.c.name,
            community_links.c.away_since,
        ).join(communities, communities.c.id == community_links.c.community_id)
        try:
            rows = conn.execute(query.order_by(communities.c.id)).all()
        except sa.exc.DBAPIError:  # an old schema may lack a column: its places go unchecked
            rows = []
        places = [KnownPlace(row[0], row[1], row[2], row[3] is not None) for row in rows]
    return DatabaseState(
        shown=shown,
        revision=revision,
        legacy=legacy,
        known_revision=known,
        head=head(),
        places=places,
    )


def _inspect_sqlite(path: str) -> DatabaseState:
    if not Path(path).exists():
        return DatabaseState(shown=path, exists=False, head=head())
    if not Path(path).is_file():
        return DatabaseState(
            shown=path, problem=f"{path} is not a file; point HEARTH_DATABASE at a SQLite file"
        )
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    engine = sa.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )
    try:
        with engine.connect() as conn:
            return _look(conn, path)
    except sa.exc.DBAPIError as error:
        reason = str(error.orig)
        if "not a database" in reason or "malformed" in reason or "corrupt" in reason:
            problem = (
                f"{path} is not a SQLite database (or is damaged); restore a backup or point"
                " HEARTH_DATABASE at another file"
            )
        else:
            problem = (
                f"{path} cannot be read ({reason}); check that it is a file this user may read"
            )
        return DatabaseState(shown=path, problem=problem)
    finally:
        engine.dispose()


async def _inspect_postgres(database: str) -> DatabaseState:
    from storage.postgres import asyncpg_url, shown

    url = asyncpg_url(database)
    written = shown(url.set(drivername="postgresql"))  # as HEARTH_DATABASE has it, no password
    engine = create_async_engine(
        url,
        poolclass=sa.pool.NullPool,
        connect_args={
            "timeout": CONNECT_TIMEOUT,
            "server_settings": {
                "application_name": "hearth-doctor",
                "default_transaction_read_only": "on",
            },
        },
    )
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT * 2), engine.connect() as conn:
            return await conn.run_sync(_look, written)
    except (sa.exc.DBAPIError, OSError, TimeoutError) as error:
        found = str(getattr(error, "orig", None) or error).splitlines()
        reason = (found[0] if found else "") or type(error).__name__
        return DatabaseState(
            shown=written,
            problem=f"{written} cannot be used ({reason}); check that the server is running,"
            " the database exists and HEARTH_DATABASE names it with a user that may use it",
        )
    finally:
        await engine.dispose()

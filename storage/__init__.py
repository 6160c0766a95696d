"""Persistence: one SQL implementation of the ports (SQLAlchemy Core), for real runs and tests
alike. `open_store` is the one way in: it picks the engine for what `database` names."""

from __future__ import annotations

from pathlib import Path

from bot.ports import Store


async def open_store(database: str | Path, *, exclusive: bool = True) -> Store:
    """Open and migrate the database HEARTH_DATABASE names: a PostgreSQL URL
    (postgresql://user:password@host/name) or a SQLite file path. Any problem stops start-up
    in one line (bot.errors.StartupProblem). `exclusive` is SQLite's: one Hearth per file."""
    # Imported here: `bot` must not load SQL at import.
    if isinstance(database, str) and is_postgres(database):
        from storage.postgres import PostgresStore

        return await PostgresStore.open(database)
    from storage.sqlite import SqliteStore

    return await SqliteStore.open(database, exclusive=exclusive)


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://"))

"""Persistence: one SQL implementation of the ports (SQLAlchemy Core), for real runs and tests
alike. `open_store` is the one way in: it picks the engine for what `database` names."""

from __future__ import annotations

from pathlib import Path

from bot.ports import Store


async def open_store(database: str | Path, *, exclusive: bool = True) -> Store:
    """Open and migrate the database named by HEARTH_DATABASE (a SQLite file path), or stop in
    one line (bot.errors.StartupProblem)."""
    from storage.sqlite import SqliteStore  # imported here: `bot` must not load SQL at import

    return await SqliteStore.open(database, exclusive=exclusive)

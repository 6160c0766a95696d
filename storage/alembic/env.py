"""Alembic's entry point, driven only by storage.migrate on the store's own connection.

The caller owns the transaction (storage.migrate begins it the engine's way), so a migration
that fails half-way leaves the database as it was.
"""

from __future__ import annotations

from alembic import context

from storage.migrate import include_object
from storage.schema import metadata

connection = context.config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters a table by copying it; batch mode writes that for us
    compare_type=True,
    include_object=include_object,
)
context.run_migrations()

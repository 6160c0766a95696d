"""Which community a community split off from (/unlink), when, and its highest numbers then

Revision ID: 0024_community_history
Revises: 0023_link_codes
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sql import Timestamp

revision: str = "0024_community_history"
down_revision: str | None = "0023_link_codes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ALTERs, not a batch: SQLite would rebuild `communities`, which every community's
    # rows reference. SQLite adds a column with an inline REFERENCES (its value NULL) in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE communities ADD COLUMN history_of INTEGER"
            " REFERENCES communities (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("communities", sa.Column("history_of", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "communities_history_of_fkey",
            "communities",
            "communities",
            ["history_of"],
            ["id"],
            ondelete="SET NULL",
        )
    op.add_column("communities", sa.Column("history_until", Timestamp(), nullable=True))
    for name in ("history_proposals", "history_rounds", "history_audit"):
        op.add_column(
            "communities", sa.Column(name, sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        for name in (
            "history_audit",
            "history_rounds",
            "history_proposals",
            "history_until",
            "history_of",
        ):
            batch_op.drop_column(name)

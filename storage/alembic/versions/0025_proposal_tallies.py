"""A proposal's counts as its listing shows them, kept on its row by every save

Revision ID: 0025_proposal_tallies
Revises: 0024_community_history
Create Date: 2026-12-06 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0025_proposal_tallies"
down_revision: str | None = "0024_community_history"
branch_labels: str | None = None
depends_on: str | None = None

COUNTS = ("builds", "concerns", "support", "perspectives", "consents", "objections")


def upgrade() -> None:
    # Left empty (NULL) for proposals saved before: they are counted from their parts, as
    # before, until their next save.
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(f"tally_{name}", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for name in reversed(COUNTS):
            batch_op.drop_column(f"tally_{name}")

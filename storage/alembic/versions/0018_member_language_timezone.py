"""A member's language as their platform reports it, and their own timezone

Revision ID: 0018_member_language_timezone
Revises: 0017_baseline
Create Date: 2026-12-06 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0018_member_language_timezone"
down_revision: str | None = "0017_baseline"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_language", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("reported_language")

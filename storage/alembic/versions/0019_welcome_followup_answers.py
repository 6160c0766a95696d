"""When a newcomer first answered a follow-up after a join, for the welcome funnel

Revision ID: 0019_welcome_followup_answers
Revises: 0018_member_language_timezone
Create Date: 2026-12-06 11:09:19
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sql import Timestamp

revision: str = "0019_welcome_followup_answers"
down_revision: str | None = "0018_member_language_timezone"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("welcome_joins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("followup_answered_at", Timestamp(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("welcome_joins", schema=None) as batch_op:
        batch_op.drop_column("followup_answered_at")

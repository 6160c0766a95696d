"""One person, one member row: a community holds a person once, and where they are reached
may be their own choice

Revision ID: 0022_one_person
Revises: 0021_place_away
Create Date: 2026-12-06 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sql import Flag

revision: str = "0022_one_person"
down_revision: str | None = "0021_place_away"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ALTERs, not a batch: SQLite would rebuild the table, and its rebuild loses the
    # ON DELETE of members' inline REFERENCES.
    op.add_column(
        "members", sa.Column("reach_chosen", Flag(), server_default=sa.false(), nullable=False)
    )
    # Existing data cannot clash: until accounts could be linked every account had a person of
    # its own, and (community_id, platform, user_ref) was unique already. A unique index rather
    # than a constraint: SQLite adds a constraint only by rebuilding the table.
    op.create_index("members_one_per_person", "members", ["community_id", "person_id"], unique=True)


def downgrade() -> None:
    op.drop_index("members_one_per_person", table_name="members")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("reach_chosen")

"""Since when Hearth is away from one place of a community (a community may span several)

Revision ID: 0021_place_away
Revises: 0020_web_logins
Create Date: 2026-12-06 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sql import Timestamp

revision: str = "0021_place_away"
down_revision: str | None = "0020_web_logins"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("community_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_since", Timestamp(), nullable=True))
    # A community paused before places could be away was removed from its only place.
    links = sa.table("community_links", sa.column("community_id"), sa.column("away_since"))
    communities = sa.table("communities", sa.column("id"), sa.column("paused_since"))
    op.execute(
        links.update().values(
            away_since=sa.select(communities.c.paused_since)
            .where(communities.c.id == links.c.community_id)
            .scalar_subquery()
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("community_links", schema=None) as batch_op:
        batch_op.drop_column("away_since")

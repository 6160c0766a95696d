"""The tables of people and the platform accounts that reach them.

Apart from storage/people.py (their repository) so that members can be looked up through an
account without the two modules importing each other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from storage.sql import Timestamp, reference, schema_table

people = schema_table(
    "people",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

accounts = schema_table(
    "accounts",
    sa.Column("platform", sa.Text, primary_key=True),
    sa.Column("user_ref", sa.Text, primary_key=True),
    reference("person_id", "people.id"),
    sa.Index("accounts_by_person", "person_id"),
)


def person_of_account(
    platform: sa.ColumnElement[Any], user_ref: sa.ColumnElement[Any]
) -> sa.ScalarSelect[int]:
    """The person behind an account, as a value inside a statement."""
    return (
        sa.select(accounts.c.person_id)
        .where(accounts.c.platform == platform, accounts.c.user_ref == user_ref)
        .scalar_subquery()
    )

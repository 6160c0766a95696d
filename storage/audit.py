"""The audit log: table and repository in SQLAlchemy Core.

Entries are a catalog key and its parameters (bot/stored_phrases.py), put into words when read.
Entries written before keys existed keep their English sentence in `action` and `reason`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot import stored_phrases
from bot.domain import AuditEntry
from storage.sql import SqlRepo, Timestamp, community_table, member_column

audit_log = community_table(
    "audit_log",
    sa.Column("at", Timestamp, nullable=False),
    member_column("actor_id", ondelete="SET NULL"),
    sa.Column("actor_name", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),  # the sentence of an entry from before keys
    sa.Column("subject", sa.Text, nullable=False, server_default=""),
    member_column("subject_id", ondelete="SET NULL"),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    # 0015. The parameters are stored_phrases' own JSON (phrases and moments tagged), so plain
    # text here: JsonText would encode them a second time.
    sa.Column("text_key", sa.Text, nullable=False, server_default=""),
    sa.Column("params", sa.Text, nullable=False, server_default="{}"),
)
sa.Index("audit_log_by_community", audit_log.c.community_id, audit_log.c.id)


# Built once: `/audit` and every audited action run them (see SqlSession on `params`).
_ADD = sa.insert(audit_log)
_LATEST = (
    sa.select(audit_log)
    .where(audit_log.c.community_id == sa.bindparam("b_community"))
    .order_by(audit_log.c.id.desc())
    .limit(sa.bindparam("b_limit"))
)
_EVERY = (
    sa.select(audit_log)
    .where(audit_log.c.community_id == sa.bindparam("b_community"))
    .order_by(audit_log.c.id)
)


def _audit(row: Sequence[Any]) -> AuditEntry:
    # In the table's column order: unpacking costs a twentieth of a Row's attributes.
    (id_, community_id, at, actor_id, actor_name, action, subject, subject_id, reason, key,
     params) = row  # fmt: skip
    return AuditEntry(
        id=id_,
        community_id=community_id,
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        key=key,
        params=stored_phrases.load(params),
        subject=subject,
        subject_id=subject_id,
        legacy_action=action,
        legacy_reason=reason,
    )


def _export_row(entry: AuditEntry) -> dict[str, Any]:
    """How an audit entry appears in /mydata."""
    phrase = entry.phrase
    if phrase is None:  # written before entries were keys: its own sentence, as it was
        return {"when": entry.at, "action": entry.legacy_action, "subject": entry.subject}
    return {"when": entry.at, "action": phrase}


class SqlAudit(SqlRepo):
    section = "mydata_section_audit"

    async def add(
        self,
        *,
        community_id: int,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        key: str,
        params: Mapping[str, Any],
        subject: str = "",
        subject_id: int | None = None,
    ) -> AuditEntry:
        stored = stored_phrases.dump(params)
        new_id = await self.db.insert(
            _ADD,
            {
                "community_id": community_id,
                "at": at,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "action": "",
                "text_key": key,
                "params": stored,
                "subject": subject,
                "subject_id": subject_id,
            },
        )
        return AuditEntry(
            new_id,
            community_id,
            at,
            actor_id,
            actor_name,
            key,
            stored_phrases.load(stored),
            subject,
            subject_id,
        )

    async def latest(
        self, community_id: int, limit: int, *, through: int | None = None
    ) -> list[AuditEntry]:
        statement = _LATEST if through is None else _LATEST.where(audit_log.c.id <= through)
        rows = await self.db.rows(statement, {"b_community": community_id, "b_limit": limit})
        return [_audit(row) for row in rows]

    async def every(self, community_id: int) -> list[AuditEntry]:
        rows = await self.db.rows(_EVERY, {"b_community": community_id})
        return [_audit(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(
            sa.select(audit_log)
            .where(sa.or_(audit_log.c.actor_id == member_id, audit_log.c.subject_id == member_id))
            .order_by(audit_log.c.id)
        )
        return [_export_row(_audit(row)) for row in rows]

    async def erase_member(self, member_id: int) -> int:
        # The governance record stays public; only the link to the person goes.
        acted = await self.db.change(
            sa.update(audit_log)
            .where(audit_log.c.actor_id == member_id)
            .values(actor_id=None, actor_name="")
        )
        named = await self.db.change(
            sa.update(audit_log)
            .where(audit_log.c.subject_id == member_id)
            .values(subject_id=None, subject="")
        )
        return acted + named

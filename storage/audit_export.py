"""How an audit entry appears in /mydata, shared by both stores so they agree."""

from __future__ import annotations

from typing import Any

from bot.domain import AuditEntry


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    phrase = entry.phrase
    if phrase is None:  # written before entries were keys: its own sentence, as it was
        return {"when": entry.at, "action": entry.legacy_action, "subject": entry.subject}
    return {"when": entry.at, "action": phrase}

"""Export: the community's public record as a ZIP of CSV and JSON files, for its moderators.

It holds what anyone in the community can already read (proposals with their whole record,
the audit log, reflection prompts with shared answers, public offers) and needs figures only
as /report needs shows them; never anyone's check-in answers, requests for a hand, private
reflections, private offers or conversations with Hearth.

What is where:
- `community.py`: the use case, `community_export(ctx, language)`, for /export and the web;
- the tables, one module per subject: `proposal_tables.py`, `audit_table.py`,
  `needs_tables.py` (suppressed views only), `reflection_tables.py`, `offer_table.py`;
- `table.py` the rows and columns they fill; `files.py` CSV, JSON and the ZIP;
- `feature.py`: the /export command.
"""

from __future__ import annotations

from bot.services.export.community import community_export, export_tables
from bot.services.export.feature import feature

__all__ = ["community_export", "export_tables", "feature"]

"""The whole audit log, each entry worded as /audit words it, in the export's language."""

from __future__ import annotations

from bot.context import CommunityContext
from bot.markup import plain
from bot.services.audit import entry_words
from bot.services.export.table import Table, stamp


async def audit_table(ctx: CommunityContext, language: str) -> Table:
    """Oldest first; moments inside an entry read on the community's clock."""
    table = Table.named("audit_log", "at actor what reason")
    for entry in await ctx.uow.audit.every(ctx.community.id):
        actor, what, reason = entry_words(ctx, entry, language)
        table.add(
            at=stamp(ctx, entry.at),
            actor=plain(actor),
            what=plain(what),
            reason=plain(reason) or None,
        )
    return table

"""The use case: a community's public record as one ZIP, for /export and the web dashboard.

It needs only a CommunityContext and reads only, so the dashboard can call it from a read-only
unit of work; /export adds the sending and the audit entry.
"""

from __future__ import annotations

from bot.context import CommunityContext
from bot.markup import plain
from bot.replies import Attachment
from bot.services.export.audit_table import audit_table
from bot.services.export.files import slug, zip_bytes
from bot.services.export.needs_tables import needs_tables
from bot.services.export.offer_table import offer_table
from bot.services.export.proposal_tables import proposal_tables
from bot.services.export.reflection_tables import reflection_tables
from bot.services.export.table import Table
from bot.services.needs import config

MEDIA_TYPE = "application/zip"


async def export_tables(ctx: CommunityContext, language: str) -> list[Table]:
    """Every table of the export, in the order the archive holds them."""
    return [
        *await proposal_tables(ctx, language),
        await audit_table(ctx, language),
        *await needs_tables(ctx, language),
        *await reflection_tables(ctx, language),
        await offer_table(ctx, language),
    ]


async def community_export(ctx: CommunityContext, language: str) -> Attachment:
    """`hearth-<community>-<date>.zip`: README.txt, then each table as CSV and as JSON, with
    the README and every worded column in `language`."""
    local = ctx.local(ctx.now)
    folder = f"hearth-{slug(ctx.community.name)}-{local.date().isoformat()}"
    tables = await export_tables(ctx, language)
    readme = _readme(ctx, tables, language)
    data = zip_bytes(folder, readme, tables, local)
    alt = plain(ctx.text("export_alt", language, community=ctx.community.name))
    return Attachment(f"{folder}.zip", MEDIA_TYPE, data, alt)


def _readme(ctx: CommunityContext, tables: list[Table], language: str) -> str:
    """What each file holds and what the export never holds, from the catalog."""

    def said(key: str, **params: object) -> str:
        return plain(ctx.text(key, language, **params))

    parts = [
        said(
            "export_readme_head",
            community=ctx.community.name,
            made=ctx.local(ctx.now).isoformat(timespec="seconds"),
            timezone=ctx.community.timezone,
        ),
        said("export_readme_formats"),
    ]
    for table in tables:
        parts.append(
            f"{table.name}.csv, {table.name}.json\n"
            + said(f"export_about_{table.name}")
            + "\n"
            + said("export_readme_columns", columns=", ".join(table.columns))
        )
    parts.append(said("export_readme_never", threshold=config.threshold(ctx.community)))
    return "\n\n".join(parts) + "\n"

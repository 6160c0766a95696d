"""/export: a moderator gets the community's public record privately, and /audit says so."""

from __future__ import annotations

from bot.commands import Args
from bot.context import CommandContext
from bot.feature import Feature
from bot.roles import Role
from bot.services.export.community import community_export

feature = Feature("export")


@feature.command("export", role=Role.MODERATOR)
async def export(ctx: CommandContext, args: Args) -> None:
    archive = await community_export(ctx, ctx.language)
    ctx.tell(
        ctx.member,
        "export_sent",
        files=(archive,),
        community=ctx.community.name,
        file=archive.name,
    )
    if not ctx.origin.is_private:
        ctx.confirm_private("export_sent_privately")
    # Taking the record away is a moderator's action like any other: the community sees it.
    await ctx.audit_action("audit_exported")

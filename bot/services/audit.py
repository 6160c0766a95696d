"""/audit: the community's record of moderator actions and automatic changes, open to all."""

from __future__ import annotations

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.wording import moment

feature = Feature("audit")
DEFAULT_ENTRIES = 10
MAX_ENTRIES = 50


@feature.command(
    "audit",
    "Show the latest moderator actions and automatic changes.",
    Param("count", ParamType.INTEGER, f"How many entries (1-{MAX_ENTRIES})"),
)
async def show_audit(ctx: CommandContext, args: Args) -> None:
    count = args.integer("count")
    if count is None:
        count = DEFAULT_ENTRIES
    if not 1 <= count <= MAX_ENTRIES:
        raise Refusal("audit_bad_count", limit=MAX_ENTRIES)
    entries = await ctx.uow.audit.latest(ctx.community.id, count)
    if not entries:
        ctx.say("audit_empty")
        return
    former = ctx.text("former_member", ctx.language)
    lines = []
    for entry in entries:
        when = moment(ctx, entry.at, ctx.language)
        line = f"{when} · **{escape(entry.actor_name or former)}** {escape(entry.action)}"
        if entry.subject:
            line += f" {escape(entry.subject)}"
        elif entry.subject_id is None and _names_a_person(entry.action):
            line += f" {escape(former)}"
        if entry.reason:
            line += f" — _{escape(entry.reason)}_"
        lines.append(line)
    ctx.say("audit_list", count=len(entries), entries=Markup("\n".join(lines)))


def _names_a_person(action: str) -> bool:
    """Actions whose subject was a member who has since asked to be forgotten."""
    return action.endswith((" to", " from"))

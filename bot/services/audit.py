"""/audit: the community's record of moderator actions and automatic changes, open to all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.catalog import Markup, Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.domain import AuditEntry
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.wording import moment, private_reader

feature = Feature("audit")
DEFAULT_ENTRIES = 10
MAX_ENTRIES = 50


@feature.command(
    "audit",
    Param("count", ParamType.INTEGER),
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
        when = moment(ctx, entry.at, ctx.language, reader=private_reader(ctx))
        line = f"{when} · **{escape(entry.actor_name or former)}** {_what(ctx, entry)}"
        reason = _reason(ctx, entry)
        if reason:
            line += f" — _{reason}_"
        lines.append(line)
    ctx.say("audit_list", count=len(entries), entries=Markup("\n".join(lines)))


def _what(ctx: CommandContext, entry: AuditEntry) -> str:
    phrase = entry.phrase
    if phrase is None:  # written before entries were keys: its own sentence, as it was
        return escape(f"{entry.legacy_action} {entry.subject}".strip())
    return ctx.text(phrase.key, ctx.language, **_in_time(ctx, phrase.params))


def _reason(ctx: CommandContext, entry: AuditEntry) -> str:
    reason = entry.params.get("reason", "") if entry.key else entry.legacy_reason
    if isinstance(reason, Phrase):
        return ctx.text(reason.key, ctx.language, **_in_time(ctx, reason.params))
    return escape(str(reason)) if reason else ""


def _in_time(ctx: CommandContext, params: Mapping[str, Any]) -> dict[str, Any]:
    """Stored moments read in the community's time and the reader's language."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, datetime) or value is None:
            value = moment(ctx, value, ctx.language, reader=private_reader(ctx))
        elif isinstance(value, Phrase):
            value = Phrase(value.key, **_in_time(ctx, value.params))
        shown[name] = value
    return shown

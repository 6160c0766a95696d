"""/audit: the community's record of moderator actions and automatic changes, open to all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.catalog import Markup, Phrase
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import AuditEntry, Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.services.linking.history import audit_made_together
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
    # A place that split off (/unlink) reads on into what it did together until then.
    earlier = await audit_made_together(ctx, count - len(entries))
    if not entries and not (earlier and earlier[1]):
        ctx.say("audit_empty")
        return
    reader = private_reader(ctx)
    if entries:
        lines = audit_lines(ctx, entries, ctx.language, reader=reader)
        ctx.say("audit_list", count=len(entries), entries=Markup("\n".join(lines)))
    if earlier and earlier[1]:
        together, shared = earlier
        lines = audit_lines(ctx, shared, ctx.language, reader=reader)
        ctx.say("audit_list_together", community=together.name, entries=Markup("\n".join(lines)))


def audit_lines(
    ctx: CommunityContext,
    entries: Sequence[AuditEntry],
    language: str,
    *,
    reader: Member | None = None,
) -> list[str]:
    """Entries as /audit shows them (the web page too): when, who, what, why; moments on
    `reader`'s clock (the community's when None)."""
    lines = []
    for entry in entries:
        when = moment(ctx, entry.at, language, reader=reader)
        actor, what, reason = entry_words(ctx, entry, language, reader)
        line = f"{when} · **{actor}** {what}"
        if reason:
            line += f" — _{reason}_"
        lines.append(line)
    return lines


def entry_words(
    ctx: CommunityContext, entry: AuditEntry, language: str, reader: Member | None = None
) -> tuple[str, str, str]:
    """Who, what happened and why, in `language` (markup, the names escaped): what /audit
    shows and what an export writes, so the two never tell it differently. Moments in the
    entry read on `reader`'s clock (see bot.wording.zone_of)."""
    actor = escape(entry.actor_name or ctx.text("former_member", language))
    return actor, _what(ctx, entry, language, reader), _reason(ctx, entry, language, reader)


def _what(ctx: CommunityContext, entry: AuditEntry, language: str, reader: Member | None) -> str:
    phrase = entry.phrase
    if phrase is None:  # written before entries were keys: its own sentence, as it was
        return escape(f"{entry.legacy_action} {entry.subject}".strip())
    return ctx.text(phrase.key, language, **_in_time(ctx, phrase.params, language, reader))


def _reason(ctx: CommunityContext, entry: AuditEntry, language: str, reader: Member | None) -> str:
    reason = entry.params.get("reason", "") if entry.key else entry.legacy_reason
    if isinstance(reason, Phrase):
        return ctx.text(reason.key, language, **_in_time(ctx, reason.params, language, reader))
    return escape(str(reason)) if reason else ""


def _in_time(
    ctx: CommunityContext, params: Mapping[str, Any], language: str, reader: Member | None
) -> dict[str, Any]:
    """Stored moments read in the community's time (or the reader's) and the language."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, datetime) or value is None:
            value = moment(ctx, value, language, reader=reader)
        elif isinstance(value, Phrase):
            value = Phrase(value.key, **_in_time(ctx, value.params, language, reader))
        shown[name] = value
    return shown

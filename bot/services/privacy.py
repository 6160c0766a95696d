"""/privacy, /mydata and /forgetme: a person can see and erase everything Hearth holds on them.

Both walk every repository that declares personal data, so a feature that adds a table adds it
to these answers by implementing the PersonalData port. /mydata's answer carries the same
records as `mydata.json`, for a person who wants to keep them or read them with other tools.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.catalog import Markup, Phrase
from bot.commands import Args
from bot.context import CommandContext
from bot.domain import Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape, plain
from bot.ports import PersonalData
from bot.replies import Attachment, Choice, Reply, Target, Visibility
from bot.services.linking.history import together
from bot.wording import moment

feature = Feature("privacy")
MYDATA_FILE = "mydata.json"


@feature.command("privacy")
async def privacy(ctx: CommandContext, args: Args) -> None:
    ctx.say("privacy_text")


@feature.command("mydata")
async def mydata(ctx: CommandContext, args: Args) -> None:
    """The answer is text (what screen readers and the console read) with the same records as
    a JSON file to keep; both come only from the asker's own member id."""
    sections: list[tuple[PersonalData, list[dict[str, Any]]]] = []
    for repository in ctx.uow.personal_data():
        rows = await repository.export_member(ctx.member.id)
        if rows:
            sections.append((repository, rows))
    shown = []
    for repository, rows in sections:
        lines = [f"**{ctx.text(repository.section, ctx.language)}**"]
        for row in rows:
            lines.append(
                "• "
                + "; ".join(
                    f"{ctx.text(f'mydata_field_{k}', ctx.language)}: {_shown(ctx, v)}"
                    for k, v in row.items()
                    if v not in ("", None)
                )
            )
        shown.append("\n".join(lines))
    body = ctx.text(
        "mydata_text",
        ctx.language,
        community=ctx.community.name,
        data=Markup("\n\n".join(shown)),
    )
    data = Attachment(
        MYDATA_FILE,
        "application/json",
        _as_json(ctx, sections),
        plain(ctx.text("mydata_file_alt", ctx.language, community=ctx.community.name)),
    )
    _private(ctx, body, files=(data,))
    if not ctx.origin.is_private:
        ctx.confirm_private("mydata_sent_privately")


def _as_json(
    ctx: CommandContext, sections: list[tuple[PersonalData, list[dict[str, Any]]]]
) -> bytes:
    """The records as data: sections by name (with their title in the reader's language),
    fields by their stored name, moments in ISO 8601 UTC; empty fields left out as in the text."""
    named: dict[str, dict[str, Any]] = {}
    for repository, rows in sections:  # two repositories naming one section share it
        section = named.setdefault(
            repository.section.removeprefix("mydata_section_"),
            {"title": plain(ctx.text(repository.section, ctx.language)), "records": []},
        )
        section["records"] += [
            {k: _value(ctx, v) for k, v in row.items() if v not in ("", None)} for row in rows
        ]
    document = {
        "community": ctx.community.name,
        "exported_at": _iso(ctx.now),
        "language": ctx.language,
        "sections": named,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _iso(when: datetime) -> str:
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _value(ctx: CommandContext, value: Any) -> Any:
    """A stored value for the file: moments in UTC, numbers as numbers, words as the text
    shows them (without its markup)."""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, bool | int | float):
        return value
    return plain(_shown(ctx, value))


def _shown(ctx: CommandContext, value: Any) -> str:
    """A stored value as a person reads it: moments in the community's time, and internal
    words (a job's kind, a conversation's flow) described by the catalog."""
    if isinstance(value, datetime):
        return escape(moment(ctx, value, ctx.language, reader=ctx.member))
    if isinstance(value, Phrase):
        return ctx.text(value.key, ctx.language, **_in_time(ctx, value.params))
    key = f"mydata_value_{value}"
    if isinstance(value, str) and ctx.catalog.has(key):
        return ctx.text(key, ctx.language)
    return escape(str(value))


def _in_time(ctx: CommandContext, params: dict[str, Any]) -> dict[str, Any]:
    """A phrase's moments and inner phrases, shown as everywhere else in /mydata."""
    return {
        name: Markup(_shown(ctx, v)) if isinstance(v, datetime | Phrase) else v
        for name, v in params.items()
    }


def _private(ctx: CommandContext, body: str, *, files: tuple[Attachment, ...] = ()) -> None:
    origin = ctx.origin
    ctx.replies.append(
        Reply(
            body,
            Target(origin.platform, origin.community_ref, user_ref=origin.person.user_ref),
            Visibility.PRIVATE,
            files=files,
        )
    )


@feature.command("forgetme")
async def forgetme(ctx: CommandContext, args: Args) -> None:
    member_id = ctx.member.id
    ctx.say(
        "forgetme_confirm",
        community=ctx.community.name,
        choices=(
            Choice(ctx.text("forgetme_yes", ctx.language), f"forget:yes:{member_id}"),
            Choice(ctx.text("forgetme_no", ctx.language), f"forget:no:{member_id}"),
        ),
    )


@feature.choice("forget")
async def forget_pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 2 or parts[1] != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    if parts[0] != "yes":
        ctx.say("forgetme_kept")
        return
    earlier = await _left_behind(ctx)
    counts: dict[str, int] = {}
    for member_id in [ctx.member.id] + ([earlier[1].id] if earlier else []):
        for repository in ctx.uow.personal_data():
            count = await repository.erase_member(member_id)
            if count:
                counts[repository.section] = counts.get(repository.section, 0) + count
        await ctx.uow.conversations.clear(member_id)
    erased = [f"• {ctx.text(section, ctx.language)}: {n}" for section, n in counts.items()]
    if earlier:
        erased.append(ctx.text("forgetme_history", ctx.language, community=earlier[0]))
    ctx.say(
        "forgetme_done",
        erased=Markup("\n".join(erased) or ctx.text("forgetme_nothing", ctx.language)),
    )


async def _left_behind(ctx: CommandContext) -> tuple[str, Member] | None:
    """Their membership of the community this place split off from (/unlink), when it is no
    longer active: they cannot reach it to ask there, so forgetting them here forgets it too.
    (An active one they can still reach, and erase, there.)"""
    earlier = await together(ctx)
    if earlier is None:
        return None
    origin = ctx.origin
    member = await ctx.uow.members.find(
        earlier.context.community.id, origin.platform, origin.person.user_ref
    )
    if member is None or member.active:
        return None
    return earlier.name, member

"""/language: a member chooses the language Hearth uses with them privately."""

from __future__ import annotations

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature

feature = Feature("language")


@feature.command(
    "language",
    "Choose the language Hearth speaks to you in.",
    Param("code", ParamType.WORD, "A language code such as en, or 'default'"),
)
async def language(ctx: CommandContext, args: Args) -> None:
    code = args.text("code")
    languages = ", ".join(ctx.catalog.languages)
    if code is None:
        ctx.say("language_current", language=ctx.language, languages=languages)
        return
    code = code.lower()
    if code == "default":
        ctx.member.language = None
    elif code in ctx.catalog.languages:
        ctx.member.language = code
    else:
        raise Refusal("language_unknown", value=code, languages=languages)
    await ctx.uow.members.save(ctx.member)
    ctx.say("language_set", language=ctx.language)

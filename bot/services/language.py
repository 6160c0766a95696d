"""/language: a member chooses the language Hearth uses with them (private messages, replies to
them and their buttons); without a choice, the one their platform reports, else the community's."""

from __future__ import annotations

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.wording import autonym, available

feature = Feature("language")


@feature.command("language", Param("code", ParamType.WORD))
async def language(ctx: CommandContext, args: Args) -> None:
    code = args.text("code")
    languages = available(ctx.catalog.languages)
    if code is None:
        ctx.say("language_current", language=autonym(ctx.language), languages=languages)
        return
    code = code.lower()
    if code == "default":
        ctx.member.language = None
    elif code in ctx.catalog.languages:
        ctx.member.language = code
    else:
        raise Refusal("language_unknown", value=code, languages=languages)
    await ctx.uow.members.save(ctx.member)
    ctx.say("language_set", language=autonym(ctx.language))

"""/help: what the asking person may use, one line each, or one command explained."""

from __future__ import annotations

from bot.catalog import Markup
from bot.commands import Args, CommandRegistry, Label, Param, ParamType, Usage
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.roles import Role
from bot.services import care


def help_feature(registry_of: CommandRegistry) -> Feature:
    """Help reads the final registry, so it is built with the registry it describes."""
    feature = Feature("help")
    # The lines for a role in a language change only when a command is added (the registry
    # only grows; texts only ever gain keys), so each list is made once per registry size:
    # making it was most of answering /help.
    listed: dict[tuple[Role, str, int], Markup] = {}

    @feature.command(
        "help",
        Param("command", ParamType.WORD),
    )
    async def show_help(ctx: CommandContext, args: Args) -> None:
        wanted = args.text("command")
        if wanted is None:
            key = (ctx.role, ctx.language, len(registry_of.commands))
            commands = listed.get(key)
            if commands is None:
                commands = listed[key] = Markup(
                    "\n".join(
                        f"`/{c.name}` — {escape(c.describe(ctx.catalog, ctx.language))}"
                        for c in registry_of.for_role(ctx.role)
                    )
                )
            ctx.say(
                "help_list",
                commands=commands,
                role=ctx.role.called,
                support=care.support_part(ctx, ctx.language),
            )
            return
        command = registry_of.get(wanted.lstrip("/").lower())
        if command is None:
            raise Refusal("unknown_command", command=wanted.lstrip("/"))
        params = "\n".join(
            ctx.text(
                "help_param_required" if p.required else "help_param",
                ctx.language,
                label=Label(command.name, p),
                description=p.describe(command.name, ctx.catalog, ctx.language),
            )
            for p in command.params
        )
        ctx.say(
            "help_command",
            usage=Markup(f"`{Usage(command).localize(ctx.catalog, ctx.language)}`"),
            description=command.describe(ctx.catalog, ctx.language),
            params=Markup(params or ctx.text("help_no_params", ctx.language)),
            roles=command.role.everyone_called,
        )

    return feature

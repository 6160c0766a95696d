"""/start: the first word in a private chat, and the way back into a flow that stalled.

Platforms that cannot message someone first (Telegram) send people a link that ends in
`/start <flow>`, where the flow is a Reply's `resume`. A feature declares how its flow starts
again (`feature.resumes["onboarding"] = "welcome"`); a flow nobody declared gets a greeting,
never a command that merely shares its name.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands import Args, CommandRegistry, Param, ParamType, parse_text
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature


def start_feature(registry: CommandRegistry, resumes: Mapping[str, str]) -> Feature:
    feature = Feature("start")

    @feature.command(
        "start",
        Param("flow", ParamType.WORD),
    )
    async def start(ctx: CommandContext, args: Args) -> None:
        line = resumes.get((args.text("flow") or "").lower(), "")
        name, _, rest = line.partition(" ")
        command = registry.get(name) if name != "start" else None
        if command is None:
            ctx.say("start_hello", community=ctx.community.name)
            return
        if ctx.role < command.role:
            raise Refusal("needs_role", command=command.name, roles=command.role.everyone_called)
        await command.handler(ctx, parse_text(command, rest))

    return feature

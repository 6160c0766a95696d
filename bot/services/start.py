"""/start: the first word in a private chat, and the way back into a flow that stalled.

Platforms that cannot message someone first (Telegram) send people a link that ends in
`/start <flow>`; the flow is the name of the command that begins it again (e.g. checkin), so
any feature's flow can be resumed without the adapter knowing about it.
"""

from __future__ import annotations

from bot.commands import Args, CommandRegistry, Param, ParamType, parse_text
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature


def start_feature(registry: CommandRegistry) -> Feature:
    feature = Feature("start")

    @feature.command(
        "start",
        "Start a private chat with Hearth, or pick up where you left off.",
        Param("flow", ParamType.WORD, "What to pick up again, e.g. checkin"),
    )
    async def start(ctx: CommandContext, args: Args) -> None:
        flow = (args.text("flow") or "").lower()
        command = registry.get(flow) if flow != "start" else None
        if command is None:
            ctx.say("start_hello", community=ctx.community.name)
            return
        if ctx.role < command.role:
            raise Refusal("needs_role", command=command.name, role=command.role.label)
        await command.handler(ctx, parse_text(command, ""))

    return feature

"""What members do with a proposal: builds, concerns, support and new versions while it
incubates, positions in its consent round, and withdrawing their own."""

from __future__ import annotations

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.feature import Feature
from bot.services.proposals.arguments import NUMBER, actor_of, load, number_of
from bot.services.proposals.news import apply
from bot.services.proposals.records import Kind, Stance
from bot.services.proposals.texts import when


def _contribution_command(feature: Feature, kind: Kind) -> None:
    @feature.command(
        kind.value,
        NUMBER,
        Param("text", ParamType.TEXT, required=True),
    )
    async def contribute(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(
            ctx,
            [p],
            lambda rules: p.contribute(actor, kind, args.text("text") or "", ctx.now, rules),
        )
        ctx.say(f"proposal_{kind.value}_added", number=p.number)


def _position_command(feature: Feature, name: str, stance: Stance) -> None:
    @feature.command(
        name,
        NUMBER,
        Param("reason", ParamType.TEXT, required=stance is Stance.OBJECT),
    )
    async def take_position(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        reason = args.text("reason") or ""
        await apply(ctx, [p], lambda rules: p.take_position(actor, stance, reason, ctx.now, rules))
        ctx.say(
            f"proposal_position_{stance.value}", number=p.number, closes=when(ctx, p.consent_until)
        )


def install_taking_part(feature: Feature) -> None:
    """Contributions, support, revisions, positions and withdrawal."""

    _contribution_command(feature, Kind.BUILD)
    _contribution_command(feature, Kind.CONCERN)

    @feature.command("support", NUMBER)
    async def support(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(ctx, [p], lambda rules: p.support(actor, ctx.now))
        ctx.say("proposal_supported", number=p.number, count=len(p.supports))

    @feature.command(
        "revise",
        NUMBER,
        Param("details", ParamType.TEXT, required=True),
    )
    async def revise(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(
            ctx, [p], lambda rules: p.revise(actor, args.text("details") or "", ctx.now, rules)
        )
        ctx.say("proposal_revised", number=p.number, version=p.version.number)

    _position_command(feature, "consent", Stance.CONSENT)
    _position_command(feature, "standaside", Stance.STAND_ASIDE)
    _position_command(feature, "object", Stance.OBJECT)

    @feature.command(
        "withdraw",
        NUMBER,
        Param("reason", ParamType.TEXT),
    )
    async def withdraw(ctx: CommandContext, args: Args) -> None:
        p = await load(ctx, number_of(args))
        actor = actor_of(ctx)
        await apply(ctx, [p], lambda rules: p.withdraw(actor, args.text("reason") or "", ctx.now))
        ctx.say("proposal_withdrew", number=p.number)

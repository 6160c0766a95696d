"""/timezone: a member reads the times Hearth writes to them privately on their own clock.
What everyone reads (announcements, the community's schedule) stays on the community's clock,
and the schedule names it, so nobody has to guess whose evening "18:00" is."""

from __future__ import annotations

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.feature import Feature
from bot.services.setup import checked_timezone
from bot.wording import moment

feature = Feature("timezone")


@feature.command("timezone", Param("zone", ParamType.WORD))
async def timezone(ctx: CommandContext, args: Args) -> None:
    zone = args.text("zone")
    community_zone = ctx.community.timezone
    if zone is None:
        if ctx.member.timezone:
            now = moment(ctx, ctx.now, ctx.language, reader=ctx.member)
            ctx.say(
                "timezone_own",
                timezone=ctx.member.timezone,
                now=now,
                community_timezone=community_zone,
            )
        else:
            ctx.say("timezone_community", community_timezone=community_zone)
        return
    if zone.strip().lower() == "default":
        ctx.member.timezone = None
        await ctx.uow.members.save(ctx.member)
        ctx.say("timezone_default", community_timezone=community_zone)
        return
    ctx.member.timezone = checked_timezone(zone)
    await ctx.uow.members.save(ctx.member)
    now = moment(ctx, ctx.now, ctx.language, reader=ctx.member)
    ctx.say(
        "timezone_set", timezone=ctx.member.timezone, now=now, community_timezone=community_zone
    )

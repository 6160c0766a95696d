"""`/report welcome`: joins, completed onboardings, pairings and volunteers over a period."""

from __future__ import annotations

from bot.context import CommandContext
from bot.services.reports import report_period
from bot.services.welcome.records import PairingStatus
from bot.wording import moment, private_reader


async def welcome_report(ctx: CommandContext, period: str | None) -> None:
    since = ctx.now - report_period(period)
    uow, community_id = ctx.uow, ctx.community.id
    pairings = await uow.buddies.pairings_since(community_id, since)
    volunteers = await uow.buddies.volunteers(community_id)
    ctx.say(
        "welcome_report",
        since=moment(ctx, since, ctx.language, reader=private_reader(ctx)),
        joins=await uow.welcome.count_joins(community_id, since),
        completed=await uow.welcome.count_completed(community_id, since),
        pairings=len(pairings),
        passed=sum(1 for p in pairings if p.status is PairingStatus.PASSED),
        waiting=len(await uow.buddies.waiting(community_id)),
        volunteers=len(volunteers),
        paused=sum(1 for v in volunteers if v.paused(ctx.now)),
    )

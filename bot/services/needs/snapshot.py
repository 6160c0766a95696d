"""Open requests for a hand, counted once a day: the only request figures /report needs shows.

A live count moves with every request, so a moderator who knows their own could watch someone
else's come and go. Instead a job counts them at the start of each day in the community's
timezone (one missed while Hearth was down is taken once when it is back) and that day's count
never changes afterwards. What comparing two days can still tell is in privacy.py.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import CommunityContext
from bot.domain import Job
from bot.feature import Feature
from bot.scheduling import next_daily
from bot.services.needs import config
from bot.services.needs.privacy import count_requests
from bot.services.needs.records import RequestSnapshot

feature = Feature("needs_snapshot")
JOB = "needs_request_snapshot"
HOUR = 0  # local midnight: "as of the start of the day"


async def plan(ctx: CommunityContext) -> datetime:
    """Make sure the next daily count is planned; returns when it will be taken."""
    pending = await ctx.uow.jobs.pending(ctx.community.id, JOB)
    if pending:
        return min(job.due_at for job in pending)
    due = next_daily(HOUR, 0, ctx.community.timezone, ctx.now)
    await ctx.uow.jobs.add(community_id=ctx.community.id, kind=JOB, due_at=due)
    return due


async def take(ctx: CommunityContext) -> RequestSnapshot:
    """Count the open requests now, among the members who could have made them."""
    requests = await ctx.uow.aid_requests.open_in(ctx.community.id)
    members = {m.id for m in await ctx.uow.members.active(ctx.community.id)}
    members |= {r.member_id for r in requests}  # whoever could have asked
    return RequestSnapshot(
        community_id=ctx.community.id,
        day=ctx.local(ctx.now).date(),
        taken_at=ctx.now,
        threshold=config.threshold(ctx.community),
        members=len(members),
        counts=tuple(count_requests(requests, config.categories(ctx.community))),
    )


@feature.job(JOB)
async def daily_count(ctx: CommunityContext, job: Job) -> None:
    """Keep the day's count (a day that has one keeps it) and plan tomorrow's."""
    snapshot = await take(ctx)
    await ctx.uow.request_snapshots.add(snapshot)
    await ctx.uow.request_snapshots.purge_before(ctx.community.id, snapshot.day)
    await plan(ctx)

"""The timers a proposal's stage sets (news.schedule): incubation, reminder, close, revisit."""

from __future__ import annotations

from bot.context import CommunityContext
from bot.domain import Job
from bot.feature import Feature
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.news import apply
from bot.services.proposals.records import JOB_PREFIX


async def _for_job(ctx: CommunityContext, job: Job) -> Proposal | None:
    """The proposal a timer is about, unless its stage has moved on since it was set."""
    found = await ctx.uow.proposals.get(ctx.community.id, int(job.payload["number"]))
    if found is None or found.stage != int(job.payload["stage"]):
        return None
    return found


def install_timers(feature: Feature) -> None:
    """Each timer acts only if the proposal is still at the stage that set it."""

    @feature.job(JOB_PREFIX + "incubation")
    async def incubation_due(ctx: CommunityContext, job: Job) -> None:
        p = await _for_job(ctx, job)
        if p is None:
            return
        again = await apply(ctx, [p], lambda rules: p.incubation_due(ctx.now, rules))
        if again is not None:
            # Still short of perspectives: look again when its next reminder is due.
            await ctx.uow.jobs.add(
                community_id=ctx.community.id,
                kind=job.kind,
                due_at=max(again, ctx.now),
                payload=dict(job.payload),
            )

    @feature.job(JOB_PREFIX + "reminder")
    async def reminder_due(ctx: CommunityContext, job: Job) -> None:
        p = await _for_job(ctx, job)
        if p is not None:
            await apply(ctx, [p], lambda rules: p.remind(ctx.now))

    @feature.job(JOB_PREFIX + "close")
    async def close_due(ctx: CommunityContext, job: Job) -> None:
        p = await _for_job(ctx, job)
        if p is not None:
            await apply(ctx, [p], lambda rules: p.close_round(ctx.now, rules))

    @feature.job(JOB_PREFIX + "revisit")
    async def revisit_due(ctx: CommunityContext, job: Job) -> None:
        p = await _for_job(ctx, job)
        if p is not None:
            await apply(ctx, [p], lambda rules: p.revisit(ctx.now, rules))

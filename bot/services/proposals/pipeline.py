"""The proposal pipeline over time, for the dashboard and the chart in /report proposals: how
many proposals were incubating, in consent, adopted, parked and withdrawn at the end of each
week of a period, read from each proposal's history (its transitions).

A hidden proposal counts until it was hidden; a merged one, folded into another, not at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.charts import Chart, Point, Series
from bot.context import CommunityContext
from bot.services.charting import words
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import Action, State
from bot.wording import day

STATES = (State.INCUBATING, State.CONSENT, State.ADOPTED, State.PARKED, State.WITHDRAWN)
WEEK = timedelta(weeks=1)
MAX_POINTS = 12  # a longer period is shown every other week (or fewer), to stay readable


@dataclass(frozen=True)
class Week:
    ends: datetime
    counts: tuple[int, ...]  # one per state in STATES

    def count(self, state: State) -> int:
        return self.counts[STATES.index(state)]


@dataclass(frozen=True)
class Pipeline:
    since: datetime
    weeks: tuple[Week, ...]  # oldest first

    @property
    def empty(self) -> bool:
        return not any(any(week.counts) for week in self.weeks)


def state_at(proposal: Proposal, moment: datetime) -> State | None:
    """The state the proposal was in at that moment; None before it was made or once hidden."""
    found: State | None = None
    for event in proposal.events:
        if event.at > moment:
            break
        if event.action is Action.HIDDEN:
            return None
        if event.state is not None:
            found = event.state
    return found


def week_ends(since: datetime, until: datetime) -> list[datetime]:
    """The end of each week back from `until` (the last one ends now), at most MAX_POINTS of
    them: a longer period takes every second week, or third, and so on."""
    weeks = max(1, math.ceil((until - since) / WEEK))
    stride = math.ceil(weeks / MAX_POINTS)
    return [until - WEEK * back for back in reversed(range(0, weeks, stride))]


def pipeline_of(proposals: Sequence[Proposal], since: datetime, until: datetime) -> Pipeline:
    """Proposals with their history, counted by state at each week's end."""
    weeks = []
    for end in week_ends(since, until):
        states = [state_at(p, end) for p in proposals]
        weeks.append(Week(end, tuple(states.count(state) for state in STATES)))
    return Pipeline(since, tuple(weeks))


async def proposal_pipeline(ctx: CommunityContext, since: datetime) -> Pipeline:
    """Read-only: the community's proposals, week by week since then, up to now."""
    proposals = await ctx.uow.proposals.in_community(ctx.community.id)
    return pipeline_of(proposals, since, ctx.now)


def chart(ctx: CommunityContext, pipeline: Pipeline, language: str | None) -> Chart | None:
    """Grouped bars, a group per week; None when no proposal was in any of these states."""
    if pipeline.empty:
        return None
    return Chart(
        key="proposal-pipeline",
        title=words(ctx, "proposal_pipeline_title", language),
        description=words(
            ctx, "proposal_pipeline_description", language, since=day(ctx, pipeline.since, language)
        ),
        category_heading=words(ctx, "proposal_pipeline_week", language),
        categories=tuple(day(ctx, week.ends, language) for week in pipeline.weeks),
        series=tuple(
            Series(
                words(ctx, f"proposal_state_{state.value}", language),
                tuple(Point.drawn(week.count(state)) for week in pipeline.weeks),
            )
            for state in STATES
        ),
    )

"""The welcome funnel for the moderators' dashboard: of the people who joined in a period, how
many finished the onboarding, were paired with a buddy and answered a follow-up.

Counted per person (someone who joined twice counts once), from what the welcome records;
only whether someone answered a follow-up is kept, never what they answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.charts import Chart, Point, Series
from bot.context import CommunityContext
from bot.services.charting import words
from bot.wording import day

STAGES = ("joined", "onboarded", "paired", "answered")


@dataclass(frozen=True)
class Funnel:
    since: datetime
    joined: int
    onboarded: int
    paired: int
    answered_followup: int

    @property
    def counts(self) -> tuple[int, ...]:
        return (self.joined, self.onboarded, self.paired, self.answered_followup)


async def welcome_funnel(ctx: CommunityContext, since: datetime) -> Funnel:
    """Read-only: the newcomers who joined since then and how far each one's welcome went."""
    newcomers = await ctx.uow.welcome.newcomers(ctx.community.id, since)
    return Funnel(
        since,
        joined=len(newcomers),
        onboarded=sum(1 for n in newcomers if n.onboarded),
        paired=sum(1 for n in newcomers if n.paired),
        answered_followup=sum(1 for n in newcomers if n.answered_followup),
    )


def chart(ctx: CommunityContext, funnel: Funnel, language: str | None) -> Chart | None:
    """A bar per step; None when nobody joined (nothing to draw)."""
    if not funnel.joined:
        return None
    since = day(ctx, funnel.since, language)
    return Chart(
        key="welcome-funnel",
        title=words(ctx, "welcome_funnel_title", language, since=since),
        description=words(ctx, "welcome_funnel_description", language, since=since),
        category_heading=words(ctx, "welcome_funnel_step", language),
        categories=tuple(words(ctx, f"welcome_funnel_{stage}", language) for stage in STAGES),
        series=(
            Series(
                words(ctx, "welcome_funnel_people", language),
                tuple(Point.drawn(count) for count in funnel.counts),
            ),
        ),
    )

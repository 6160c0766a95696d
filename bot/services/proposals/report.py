"""The proposals section of `/report`: what happened in a period and how long stages took."""

from __future__ import annotations

from datetime import timedelta

from bot.catalog import Markup
from bot.context import CommandContext
from bot.feature import Feature
from bot.services.charting import png_file
from bot.services.proposals.pipeline import chart, pipeline_of
from bot.services.proposals.records import UNDECIDED, State, stays
from bot.services.proposals.texts import state_name
from bot.services.reports import report_period
from bot.wording import roughly

CHART_FILE = "proposals.png"


def install_report(feature: Feature) -> None:
    """The `/report proposals` section."""

    @feature.report("proposals")
    async def report(ctx: CommandContext, period_text: str | None) -> None:
        """Counts of what happened in the period and how long each stage took (medians), with
        the pipeline week by week as an image (the dashboard's chart)."""
        period = report_period(period_text)
        since = ctx.now - period
        proposals = await ctx.uow.proposals.in_community(ctx.community.id)
        opened = sum(1 for p in proposals if p.created_at >= since)
        outcomes = {
            state: 0 for state in (State.ADOPTED, State.PARKED, State.WITHDRAWN, State.MERGED)
        }
        lengths: dict[State, list[timedelta]] = {
            State.INCUBATING: [],
            State.CONSENT: [],
            State.PARKED: [],
        }
        for p in proposals:
            for event in p.events:
                if event.at >= since and event.state in outcomes:
                    outcomes[event.state] += 1
            ends = [e.at for e in p.events if e.state is not None][1:]
            for (state, length), ended in zip(stays(p.events), ends, strict=True):
                if ended >= since and state in lengths:
                    lengths[state].append(length)
        stage_lines = [
            ctx.text(
                "proposal_report_stage",
                ctx.language,
                stage=state_name(ctx, state, ctx.language),
                median=roughly(sorted(found)[len(found) // 2], ctx.language) if found else "—",
                count=len(found),
            )
            for state, found in lengths.items()
        ]
        pipeline = pipeline_of(proposals, since, ctx.now)
        image = chart(ctx, pipeline, ctx.language)
        ctx.say(
            "proposal_report",
            days=period.days,
            opened=opened,
            adopted=outcomes[State.ADOPTED],
            parked=outcomes[State.PARKED],
            withdrawn=outcomes[State.WITHDRAWN],
            merged=outcomes[State.MERGED],
            open_now=sum(1 for p in proposals if p.state in UNDECIDED and not p.hidden),
            stages=Markup("\n".join(stage_lines)),
            files=() if image is None else (png_file(CHART_FILE, image),),
        )

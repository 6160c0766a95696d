"""The welcome funnel: of the people who joined in a period, who finished the welcome
questions, got a buddy and answered a follow-up; each person counted once."""

from __future__ import annotations

from datetime import timedelta

from bot.charts import Chart, table
from bot.context import CommunityContext
from bot.services.welcome import funnel
from tests.chart_support import read
from tests.support import World, text, to
from tests.welcome_support import button, onboard


async def funnel_since(world: World, days: int) -> funnel.Funnel:
    async def reading(ctx: CommunityContext) -> funnel.Funnel:
        return await funnel.welcome_funnel(ctx, ctx.now - timedelta(days=days))

    return await read(world, reading)


async def test_the_funnel_counts_a_newcomer_who_joined_onboarded_got_a_buddy_and_answered(
    world: World,
) -> None:
    await world.say("bea", "/buddy")
    seen = await onboard(world, "Sam", buddy=True)
    assert "Meet your buddy: bea" in text(to(seen, "sam"))
    await world.join("Tom")  # joins and never answers the welcome questions
    await onboard(world, "Uma", buddy=False)
    followups = await world.advance(timedelta(days=3))
    await world.press("Sam", button(to(followups, "sam"), "It's going well"))
    await world.press("Sam", button(to(followups, "sam"), "It's going well"))  # counted once

    found = await funnel_since(world, 30)
    assert found.counts == (3, 2, 1, 1)  # joined, onboarded, paired, answered a follow-up
    assert "first answered a follow-up" in text(await world.privately("Sam", "/mydata"))

    chart = await read(world, lambda ctx: _chart(ctx, found))
    assert table(chart) == (
        ["Step", "people"],
        [
            ["joined", "3"],
            ["finished the welcome questions", "2"],
            ["paired with a buddy", "1"],
            ["answered a follow-up", "1"],
        ],
    )


async def _chart(ctx: CommunityContext, found: funnel.Funnel) -> Chart:
    made = funnel.chart(ctx, found, "en")
    assert made is not None
    return made


async def test_someone_who_joined_before_the_period_is_not_counted_and_rejoining_counts_once(
    world: World,
) -> None:
    await onboard(world, "Sam", buddy=False)
    await world.advance(timedelta(days=20))
    await world.join("Vic")
    await world.leave("Vic")
    await world.join("Vic")
    found = await funnel_since(world, 10)
    assert found.counts == (1, 0, 0, 0)
    assert (await funnel_since(world, 30)).counts == (2, 1, 0, 0)


async def test_no_newcomers_means_no_chart(world: World) -> None:
    await world.say("ana", "hello")
    found = await funnel_since(world, 30)
    assert found.joined == 0
    assert await read(world, lambda ctx: _none(ctx, found))


async def _none(ctx: CommunityContext, found: funnel.Funnel) -> bool:
    return funnel.chart(ctx, found, "de") is None

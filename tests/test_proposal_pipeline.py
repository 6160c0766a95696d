"""The proposal pipeline week by week, from each proposal's history: where each proposal
stood at the end of every week, and the same chart as an image with /report proposals."""

from __future__ import annotations

from datetime import timedelta

from bot.charts import Chart, table
from bot.context import CommunityContext
from bot.services.proposals import pipeline
from tests.chart_support import read
from tests.support import World, text

DAY = timedelta(days=1)
IDEA = "/propose Community garden | Shared vegetable beds on the empty lot behind the library."


async def slow_rules(world: World) -> None:
    """Ten days of incubation and ten of consent, so one proposal spans several weeks."""
    world.make_admin("mo")
    await world.say("mo", "/setup proposals incubation 10d")
    await world.say("mo", "/setup proposals consent 10d")


async def chart_since(world: World, days: int, language: str = "en") -> Chart | None:
    async def reading(ctx: CommunityContext) -> Chart | None:
        found = await pipeline.proposal_pipeline(ctx, ctx.now - timedelta(days=days))
        return pipeline.chart(ctx, found, language)

    return await read(world, reading)


async def test_a_proposal_is_counted_incubating_then_in_consent_then_adopted_in_its_weeks(
    world: World,
) -> None:
    await slow_rules(world)
    await world.say("ana", IDEA)  # Mon 2 Mar, 09:00
    await world.say("bob", "/build 1 and a tool shed we all share")
    await world.say("cy", "/concern 1 who waters the beds in August?")
    opened = await world.advance(10 * DAY)  # Thu 12 Mar: its consent round opens
    assert "The consent round on #1 Community garden is open" in text(opened)
    await world.say("bob", "/consent 1")
    assert "is adopted" in text(await world.advance(10 * DAY))  # Sun 22 Mar
    await world.advance(DAY + timedelta(hours=3))  # now: Mon 23 Mar, 12:00

    chart = await chart_since(world, 28)
    assert chart is not None
    headers, rows = table(chart)
    assert headers == [
        "Week ending",
        "incubating",
        "in its consent round",
        "adopted",
        "parked",
        "withdrawn",
    ]
    assert rows == [
        ["Mon 2 Mar", "1", "0", "0", "0", "0"],
        ["Mon 9 Mar", "1", "0", "0", "0", "0"],
        ["Mon 16 Mar", "0", "1", "0", "0", "0"],
        ["Mon 23 Mar", "0", "0", "1", "0", "0"],
    ]


async def test_withdrawn_and_hidden_proposals_count_as_they_stood(world: World) -> None:
    world.make_admin("mo")
    await world.say("ana", IDEA)
    await world.say("troll", "/propose Nasty title | insulting text about a member")
    await world.advance(8 * DAY)
    await world.say("ana", "/withdraw 1")
    await world.say("mo", "/hide 2 insults a member")
    await world.advance(DAY)
    chart = await chart_since(world, 14)
    assert chart is not None
    _, rows = table(chart)
    assert rows == [
        ["Wed 4 Mar", "2", "0", "0", "0", "0"],  # both incubating
        ["Wed 11 Mar", "0", "0", "0", "0", "1"],  # one withdrawn, the hidden one gone
    ]


async def test_report_proposals_carries_the_pipeline_as_an_image(world: World) -> None:
    world.make_admin("mo")
    assert (await world.say("mo", "/report proposals"))[0].files == ()  # nothing to draw
    await world.say("ana", IDEA)
    await world.advance(DAY)
    replies = await world.say("mo", "/report proposals")
    (image,) = replies[0].files
    assert image.name == "proposals.png" and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    chart = await chart_since(world, 30)
    assert chart is not None and image.alt == chart.description
    assert "at the end of each week since" in image.alt
    assert "Opened: 1 · adopted: 0" in text(replies)  # the text stays for screen readers


async def test_the_pipeline_speaks_spanish_and_german(world: World) -> None:
    await world.say("ana", IDEA)
    spanish, german = await chart_since(world, 7, "es"), await chart_since(world, 7, "de")
    assert spanish is not None and german is not None
    assert spanish.title == "Propuestas semana a semana"
    assert table(german)[0][:2] == ["Woche bis", "in der Reifephase"]

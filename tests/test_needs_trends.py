"""Needs over the closed rounds as charts: each round exactly as /report needs shows it, a
suppressed figure never drawn, and the same charts as an image with /report needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from bot.charts import Chart, table, to_svg
from bot.context import CommunityContext
from bot.services.needs import trends
from tests.chart_support import read
from tests.needs_helpers import answer, community
from tests.support import World, text

OTHERS = ("bob", "carla", "dan", "eve", "finn", "gus", "hal", "ida")
SVG = "{http://www.w3.org/2000/svg}"


async def charts_since(world: World, days: int, language: str = "en") -> list[Chart]:
    async def reading(ctx: CommunityContext) -> list[Chart]:
        found = await trends.needs_trend(ctx, ctx.now - timedelta(days=days))
        return trends.charts(ctx, found, language)

    return await read(world, reading)


def drawn_bars(svg: str) -> int:
    return sum(1 for e in ET.fromstring(svg).iter(f"{SVG}rect") if e.get("class") == "bar")


async def weekly_rounds(world: World, *answers: dict[str, str]) -> None:
    """One scheduled round a week; in each, the people named answer with their letters."""
    await world.say("ana", "/schedule checkin mon 10:00")
    for week in answers:
        await world.advance(timedelta(hours=1))
        for name, letters in week.items():
            await answer(world, name, letters)
        await world.advance(timedelta(days=7) - timedelta(hours=1))


async def test_a_round_too_small_to_split_draws_no_bar_for_its_needs(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    await weekly_rounds(world, {name: "uuuuuu" for name in ("ana", "bob", "carla", "dan")})
    participation, *needs = await charts_since(world, 28)
    assert table(participation)[1] == [["Mon 2 Mar", "4"]]
    assert drawn_bars(to_svg(participation)) == 1
    food = next(c for c in needs if c.title.startswith("food"))
    svg = to_svg(food)
    assert drawn_bars(svg) == 0  # four people, all unmet: no figure may show
    assert svg.count(">too few to split</text>") == 2
    assert table(food)[1] == [["Mon 2 Mar", "too few to split", "too few to split"]]


async def test_each_round_reads_as_in_report_needs_and_nothing_is_added_up(world: World) -> None:
    await community(world, *OTHERS)
    everyone = ("ana", *OTHERS)
    strained = {name: "soooooo"[:6] if i < 4 else "oooooo" for i, name in enumerate(everyone)}
    fine = dict.fromkeys(everyone, "oooooo")
    await weekly_rounds(world, strained, fine, strained)
    report = text(await world.say("ana", "/report needs 3w"))
    assert report.count("food: 4 strained, fewer than 3 unmet") == 2
    participation, *needs = await charts_since(world, 21)
    food = next(c for c in needs if c.title.startswith("food"))
    assert table(food) == (
        ["Round opened", "strained", "unmet"],
        [
            ["Mon 2 Mar", "4", "fewer than 3"],
            ["Mon 9 Mar", "fewer than 3", "fewer than 3"],
            ["Mon 16 Mar", "4", "fewer than 3"],
        ],
    )
    assert drawn_bars(to_svg(food)) == 2  # the two 4s; every "fewer than 3" is a label
    assert [row[1] for row in table(participation)[1]] == ["9", "9", "9"]
    assert "8" not in str(table(food)) and "12" not in str(table(food))


async def test_a_higher_threshold_later_hides_in_the_chart_what_it_hides_in_the_text(
    world: World,
) -> None:
    await community(world, *OTHERS[:7])
    everyone = ("ana", *OTHERS[:7])
    await weekly_rounds(
        world, {n: "soooooo"[:6] if i < 3 else "oooooo" for i, n in enumerate(everyone)}
    )
    await world.say("ana", "/setup privacy_threshold 5")
    assert "3 strained" not in text(await world.say("ana", "/report needs"))
    participation, food, *_ = await charts_since(world, 28)
    assert table(participation)[1] == [["Mon 2 Mar", "8"]]
    # 8 checked in: too few to split under 5, so the 3 published then is no longer drawn
    assert table(food)[1] == [["Mon 2 Mar", "too few to split", "too few to split"]]
    assert drawn_bars(to_svg(food)) == 0


async def test_report_needs_carries_the_charts_as_an_image_described_for_screen_readers(
    world: World,
) -> None:
    await community(world, *OTHERS)
    assert (await world.say("ana", "/report needs"))[0].files == ()  # no round: nothing to draw
    await weekly_rounds(world, dict.fromkeys(("ana", *OTHERS), "suoooo"))
    replies = await world.say("ana", "/report needs")
    (image,) = replies[0].files
    assert image.name == "needs.png" and image.media_type == "image/png"
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")

    async def described(ctx: CommunityContext) -> str:
        since = ctx.now - timedelta(weeks=4)
        sheet = trends.chart(ctx, await trends.needs_trend(ctx, since), "en")
        assert sheet is not None
        return sheet.description

    assert image.alt == await read(world, described)
    assert "Small groups are not drawn" in image.alt
    assert "Round opened Mon 2 Mar" in text(replies)  # the text stays for screen readers


async def test_charts_speak_spanish_and_german(world: World) -> None:
    await community(world, *OTHERS)
    await weekly_rounds(world, dict.fromkeys(("ana", *OTHERS), "soooooo"[:6]))
    spanish = await charts_since(world, 28, "es")
    german = await charts_since(world, 28, "de")
    assert spanish[0].title == "Check-ins por ronda" and german[0].title == "Check-ins pro Runde"
    assert table(spanish[1])[0][1:] == ["con dificultades", "sin cubrir"]
    assert table(german[1])[0][1:] == ["angespannt", "nicht gedeckt"]
    assert "menos de 3" in str(table(spanish[2])) and "weniger als 3" in str(table(german[2]))


async def test_a_need_named_like_markup_is_escaped_on_the_page(world: World) -> None:
    await community(world, *OTHERS)
    await world.say("ana", "/setup needs add <b>x</b>")
    await weekly_rounds(world, dict.fromkeys(("ana", *OTHERS), "ooooooo"))
    *_, added = await charts_since(world, 28)
    assert added.title == "<b>x</b>: strained and unmet"
    svg = to_svg(added)
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;: strained and unmet" in svg
    assert ET.fromstring(svg).findtext(f"{SVG}title") == added.title

"""The web pages in a real headless Chromium, as a moderator and a neighbour use them: by
mouse and keyboard, at desktop and phone width, each page checked by axe-core. Screenshots go
to build/screenshots/web (or $HEARTH_SCREENSHOTS)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser import (
    ROOT,
    assert_accessible,
    screenshot,
    view_as_desktop,
    view_as_phone,
    visit,
)
from tests.community_story import a_season_of_community_life
from tests.support import World, text
from tests.web_support import link_in, web_of

if TYPE_CHECKING:
    from playwright.async_api import Page

SHOTS = Path(os.environ.get("HEARTH_SCREENSHOTS") or ROOT / "build" / "screenshots") / "web"


async def looked_at(tab: Page, name: str) -> None:
    """Accessible at both widths, with a screenshot of each for a person to look at."""
    for width, view in (("desktop", view_as_desktop), ("phone", view_as_phone)):
        await view(tab)
        await assert_accessible(tab)
        wider = await tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{tab.url} is {wider} px wider than the {width} screen"
        await screenshot(tab, f"{name}-{width}", SHOTS)
    await view_as_desktop(tab)


async def test_a_moderator_signs_in_reads_the_charts_and_moves_the_checkin_in_a_browser(
    tab: Page, sqlite_world: World
) -> None:
    world = sqlite_world
    await a_season_of_community_life(world)
    async with web_of(world):
        link = link_in(await world.say("ana", "/dashboard"))
        await visit(tab, link)
        await looked_at(tab, "sign-in")
        await tab.get_by_role("button", name="Open the dashboard").click()
        await tab.wait_for_url(re.compile(r"/dashboard/1$"))

        assert await tab.get_by_role("img", name=re.compile("^Check-ins per round")).count() == 1
        assert await tab.get_by_role("img", name=re.compile("^food: strained")).count() == 1
        pipeline = tab.get_by_role("img", name=re.compile("^Proposals week by week"))
        assert await pipeline.count() == 1
        assert await tab.get_by_role("table", name=re.compile("^food: strained")).count() == 1
        await looked_at(tab, "dashboard")

        await tab.keyboard.press("Tab")  # the first stop skips to the content
        assert await tab.evaluate("document.activeElement.className") == "skip"

        checkin = tab.locator("form").filter(has=tab.locator('input[name="kind"][value="checkin"]'))
        await checkin.get_by_label("Day").select_option("fri")
        await checkin.get_by_label("Time").fill("18:30")
        await checkin.get_by_role("button", name="Save this schedule").click()
        await tab.wait_for_load_state()
        said = await tab.get_by_role("status").inner_text()
        assert "Scheduled. checkin: every Friday at 18:30 (UTC)" in said

    assert "checkin: every Friday at 18:30" in text(await world.say("ana", "/schedule"))
    assert "ana set schedule checkin" in text(await world.say("bob", "/audit"))


async def test_a_neighbour_reads_a_proposals_history_on_the_public_page(
    tab: Page, sqlite_world: World
) -> None:
    world = sqlite_world
    await a_season_of_community_life(world)
    await world.say("ana", "/setup web public on")
    async with web_of(world) as web:
        await visit(tab, web.base + "/c/1")
        await looked_at(tab, "public-proposals")
        await tab.get_by_role("link", name="#1").click()
        await tab.wait_for_url(re.compile(r"/c/1/proposals/1$"))
        record = await tab.get_by_role("article").inner_text()
        assert "build from carla: and a sign-up sheet, by the door" in record
        assert "dan stands aside: I rarely borrow tools" in record
        await looked_at(tab, "public-proposal")
        for page in ("reflections", "offers", "audit"):
            await tab.get_by_role("link", name=re.compile(page, re.I)).first.click()
            await tab.wait_for_url(re.compile(rf"/c/1/{page}$"))
            await looked_at(tab, f"public-{page}")
        await tab.get_by_role("link", name="español (es)").click()
        await tab.wait_for_url(re.compile(r"lang=es$"))
        assert await tab.evaluate("document.documentElement.lang") == "es"
        await visit(tab, web.base + "/")
        await looked_at(tab, "home")
        await visit(tab, web.base + "/c/9", status=404)
        await looked_at(tab, "missing")
        await visit(tab, web.base + "/sign-in/not-a-link", status=403)
        assert "isn't one I made" in await tab.get_by_role("alert").inner_text()
        await looked_at(tab, "refused")

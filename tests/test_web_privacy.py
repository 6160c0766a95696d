"""Nothing a person said privately appears on any web page: every page reachable from the
public page and the dashboard is read, and each private text searched for."""

from __future__ import annotations

import html
import io
import re
import zipfile

from tests.community_story import PRIVATE_WORDS, a_season_of_community_life
from tests.support import World, text
from tests.web_support import Page, Visit, web_of

PRIVATE = PRIVATE_WORDS
HREF = re.compile(r'href="(/[^"#]*)"')


async def every_page(web: Visit, *starts: str) -> dict[str, Page]:
    """Every page of the site reachable from `starts` by following its links."""
    seen: dict[str, Page] = {}
    waiting = list(starts)
    while waiting:
        path = waiting.pop()
        if path in seen or path.startswith("/static/"):
            continue
        page = seen[path] = await web.get(path)
        assert page.status == 200, (path, page.text)
        waiting += [html.unescape(found) for found in HREF.findall(page.html)]
    return seen


async def test_no_page_shows_anything_a_person_said_privately(sqlite_world: World) -> None:
    world = sqlite_world
    await a_season_of_community_life(world)
    assert "web is now a public page" in text(await world.say("ana", "/setup web public on"))
    async with web_of(world) as web:
        dashboard = await web.sign_in(world, "ana")
        assert dashboard.status == 200
        pages = await every_page(web, "/c/1", "/dashboard/1")
        shown = {
            "/c/1",
            "/c/1/proposals/1",
            "/c/1/reflections",
            "/c/1/offers",
            "/c/1/audit",
            "/dashboard/1",
        }
        assert shown <= set(pages), sorted(pages)
        assert "The shed smells of cedar now." in pages["/c/1/reflections"].text
        assert "Soup on Sundays" in pages["/c/1/offers"].text
        assert "/c/1/proposals/2" not in pages  # hidden by a moderator
        board = pages["/dashboard/1"]
        assert "Check-ins per round" in board.text and "Proposals week by week" in board.text
        assert "food: strained and unmet Round opened strained unmet Sun 8 Mar 4 fewer than 3" in (
            board.text
        )  # the table beside the chart: 4 strained drawn, the unmet few only labelled
        assert board.html.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 3
        for path, page in pages.items():
            for words in PRIVATE:
                assert words not in page.html and html.escape(words) not in page.html, (
                    f"{words!r} on {path}"
                )
        form = dashboard.form("/export.zip")
        async with web.http.post(web.base + "/dashboard/1/export.zip", data=form) as response:
            assert response.status == 200
            assert response.headers["Content-Disposition"].startswith("attachment;")
            archive = zipfile.ZipFile(io.BytesIO(await response.read()))
        assert any(name.endswith("proposals.csv") for name in archive.namelist())
        for name in archive.namelist():
            content = archive.read(name).decode("utf-8")
            assert not any(words in content for words in PRIVATE), name
    assert "ana exported the community's public record" in text(await world.say("bob", "/audit"))

"""The browser harness the web pages are checked with (tests/browser.py), proven on small pages
served here: its accessibility check can fail, its screenshots have the width asked for, it
never lets a page reach beyond 127.0.0.1, and a machine without a browser says so loudly."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp import web

from tests import browser
from tests.browser import (
    accessibility_problems,
    assert_accessible,
    chromium,
    first_tab,
    screenshot,
    serving,
    view_as_desktop,
    view_as_phone,
    visit,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    '<circle cx="20" cy="20" r="18" fill="#b4451f"/></svg>'
)
CARELESS = """<!doctype html><html lang="en"><head><title>Careless</title></head>
<body><main><h1>Needs this month</h1>
<img src="/logo.svg">
<form><input name="search"><button>Go</button></form>
</main></body></html>"""
WELL_MADE = """<!doctype html><html lang="en"><head><title>Hearth</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Needs this month</h1>
<img src="/logo.svg" alt="Hearth">
<form><label for="search">Search proposals</label><input id="search" name="search">
<button>Go</button></form>
<p>Fewer than 3 people asked for a ride.</p>
</main></body></html>"""
# What the web app will send too: no inline script may run, so axe cannot come in by a tag.
STRICT = {"Content-Security-Policy": "default-src 'self'"}


def _page(
    html: str, headers: dict[str, str] = STRICT
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html", headers=headers)

    return handler


async def _logo(request: web.Request) -> web.Response:
    return web.Response(text=LOGO, content_type="image/svg+xml")


def _site() -> web.Application:
    app = web.Application()
    app.router.add_get("/careless", _page(CARELESS))
    app.router.add_get("/well-made", _page(WELL_MADE))
    app.router.add_get("/logo.svg", _logo)
    return app


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which follows the 8-byte signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", head
    width, height = struct.unpack(">II", head[16:24])
    return width, height


async def test_the_check_finds_an_image_without_text_and_a_field_without_a_label(
    tab: Page,
) -> None:
    async with serving(_site()) as base:
        await visit(tab, f"{base}/careless")
        problems = await accessibility_problems(tab)
        by_rule = {problem.rule: problem for problem in problems}
        assert by_rule["image-alt"].targets == ("img",)
        assert by_rule["label"].targets == ("input",)
        assert {problem.impact for problem in problems} <= {"serious", "critical"}
        with pytest.raises(AssertionError) as failed:
            await assert_accessible(tab)
    message = str(failed.value)
    assert f"{base}/careless has accessibility problems:" in message
    assert "critical image-alt: Images must have alternative text — at img" in message
    assert "critical label: Form elements must have labels — at input" in message


async def test_a_well_made_page_has_no_serious_problem_under_a_strict_policy(tab: Page) -> None:
    async with serving(_site()) as base:
        await visit(tab, f"{base}/well-made")
        assert await accessibility_problems(tab) == []
        await assert_accessible(tab)
        assert await tab.evaluate("document.images[0].naturalWidth") == 40  # the logo came


async def test_screenshots_at_phone_and_desktop_width(
    tab: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(_site()) as base:
        await visit(tab, f"{base}/well-made")
        await view_as_phone(tab)
        phone = await screenshot(tab, "well made/phone", tmp_path / "shots")
        await view_as_desktop(tab)
        monkeypatch.setenv("HEARTH_SCREENSHOTS", str(tmp_path / "elsewhere"))
        desktop = await screenshot(tab, "well-made-desktop")
    assert phone == tmp_path / "shots" / "well-made-phone.png"
    assert _png_size(phone)[0] == 390
    assert desktop == tmp_path / "elsewhere" / "well-made-desktop.png"
    assert _png_size(desktop)[0] == 1280


async def test_a_page_cannot_be_opened_beyond_loopback(tab: Page) -> None:
    for address in ("http://192.0.2.10/", "https://127.0.0.1/", "http://localhost/"):
        with pytest.raises(AssertionError, match=r"only http://127\.0\.0\.1 pages"):
            await visit(tab, address)
    assert tab.url == "about:blank"
    async with serving(_site()) as base:
        await visit(tab, f"{base}/nowhere", status=404)  # 127.0.0.1 itself is fine
        with pytest.raises(AssertionError, match="answered 404, not 200"):
            await visit(tab, f"{base}/nowhere")


async def test_a_page_that_reaches_elsewhere_is_stopped_and_fails_its_test(
    tmp_path: Path,
) -> None:
    """127.0.0.2 is loopback too, so a request that got through would be seen arriving."""
    arrived: list[str] = []

    async def elsewhere(request: web.Request) -> web.Response:
        arrived.append(request.path)
        return web.Response(text=LOGO, content_type="image/svg+xml")

    other = web.Application()
    other.router.add_get("/{path:.*}", elsewhere)
    async with serving(other, host="127.0.0.2") as far:
        leaky = f'<!doctype html><html lang="en"><title>Leaky</title><img src="{far}/x.svg" alt="">'
        app = web.Application()
        app.router.add_get("/", _page(leaky, headers={}))  # no policy to stop the image first
        with pytest.raises(AssertionError, match=r"beyond http://127\.0\.0\.1") as failed:
            async with serving(app) as base, chromium(tmp_path / "profile") as context:
                from playwright.async_api import Error as PlaywrightError

                tab = await first_tab(context)
                await visit(tab, f"{base}/")
                with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
                    await tab.goto(f"{far}/page")
    assert f"{far}/x.svg" in str(failed.value)
    assert f"{far}/page" in str(failed.value)
    assert arrived == []


def test_without_chromium_a_browser_test_is_skipped_loudly(tmp_path: Path) -> None:
    """As a person sees it: the test's reason and the run's closing lines both say so."""
    (tmp_path / "test_page.py").write_text(
        "async def test_a_page(tab) -> None:\n"
        "    raise AssertionError('a browser test ran without a browser')\n"
    )
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    env = {**os.environ, "HEARTH_CHROMIUM": str(tmp_path / "no-chromium")}
    env["PYTHONPATH"] = str(browser.ROOT)
    env.pop("HEARTH_REQUIRE_BROWSER", None)
    # Only this folder's test, with the suite's fixtures and summary but not its settings.
    options = f"-rs -p no:cacheprovider -c {os.devnull} --rootdir={tmp_path} -o asyncio_mode=auto"
    options += " -o asyncio_default_fixture_loop_scope=function"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *options.split(), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert f"BROWSER TESTS SKIPPED: {tmp_path / 'no-chromium'} not found" in run.stdout
    assert "1 browser tests were skipped: " + str(tmp_path) in run.stdout


async def test_without_chromium_a_required_browser_test_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser, "REQUIRED", True)
    monkeypatch.setattr(browser, "skipped", [])
    with pytest.raises(pytest.fail.Exception, match="HEARTH_REQUIRE_BROWSER=1 says they must"):
        async with chromium(tmp_path / "profile"):
            raise AssertionError("a browser came although there is none")
    assert browser.skipped == []


async def test_without_axe_core_the_check_is_skipped_loudly(
    tab: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "axe_script_path", lambda: None)
    monkeypatch.setattr(browser, "REQUIRED", False)
    monkeypatch.setattr(browser, "skipped", [])
    with pytest.raises(pytest.skip.Exception, match="BROWSER TESTS SKIPPED: axe-core not found"):
        await accessibility_problems(tab)
    assert len(browser.skipped) == 1

"""A real headless Chromium for the web pages' tests, kept on 127.0.0.1.

Debian's Chromium (/usr/bin/chromium, or $HEARTH_CHROMIUM) driven by Playwright's async API;
never Playwright's own browser download, which needs a CDN. Each test gets a fresh profile and
a tab (the `tab` fixture in conftest.py, or `chromium()` directly); every request a page makes
is checked, and one to anywhere but http://127.0.0.1 is refused and fails the test. axe-core
(from npm; `make test` installs it into .venv/node_modules) finds accessibility problems.

When Chromium, Playwright or axe-core is missing, the tests that need it are skipped with a
reason starting "BROWSER TESTS SKIPPED" and the run ends with a red count of them; with
HEARTH_REQUIRE_BROWSER=1 (CI sets it) they fail instead.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
from aiohttp import web

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Route, ViewportSize

REQUIRED = os.environ.get("HEARTH_REQUIRE_BROWSER") == "1"
CHROMIUM = Path(os.environ.get("HEARTH_CHROMIUM") or "/usr/bin/chromium")  # Debian's package
ROOT = Path(__file__).resolve().parent.parent
# Off the network: no Google services, updates, sync or QUIC; and any address but 127.0.0.1
# (host name or IP) resolves to nothing, so not even Chromium's own traffic can leave.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}  # a common phone's CSS pixels
SERIOUS = ("serious", "critical")
skipped: list[str] = []  # why each skipped browser test could not run, for the run's end


def unavailable(missing: str) -> NoReturn:
    """Skip the calling test loudly, or fail it when a browser is required."""
    reason = f"BROWSER TESTS SKIPPED: {missing}"
    if REQUIRED:
        pytest.fail(reason + "; HEARTH_REQUIRE_BROWSER=1 says they must run")
    skipped.append(missing)
    pytest.skip(reason)


def missing_browser() -> str | None:
    """What keeps Chromium from being driven here, if anything."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium; .ci/run does it)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def axe_script_path() -> Path | None:
    """axe.min.js from npm, in this checkout's .venv or the running virtualenv's prefix."""
    for prefix in (ROOT / ".venv", Path(sys.prefix)):
        found = prefix / "node_modules" / "axe-core" / "axe.min.js"
        if found.is_file():
            return found
    return None


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname == "127.0.0.1"


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[BrowserContext]:
    """Debian's Chromium, headless, with a fresh profile in `profile`. A request to anywhere
    but http://127.0.0.1 is aborted before it leaves, and fails the test when the browser
    closes (unless the test failed already)."""
    missing = missing_browser()
    if missing:
        unavailable(missing)
    from playwright.async_api import async_playwright

    refused: list[str] = []

    async def keep_local(route: Route) -> None:
        url = route.request.url
        if is_loopback(url) or urlsplit(url).scheme in ("data", "blob", "about"):
            await route.continue_()
        else:
            refused.append(url)
            await route.abort("blockedbyclient")

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(FLAGS),
            viewport=DESKTOP,
        )
        try:
            await context.route("**/*", keep_local)
            yield context
        finally:
            await context.close()
    assert not refused, f"the page tried to reach beyond http://127.0.0.1: {refused}"


async def first_tab(context: BrowserContext) -> Page:
    """The tab a fresh Chromium opens with (about:blank), at desktop width."""
    return context.pages[0] if context.pages else await context.new_page()


async def visit(page: Page, url: str, status: int = 200) -> None:
    """Open `url`, wait until it has loaded and check it answered `status` (a refusal is a page
    too); only http://127.0.0.1 URLs are allowed."""
    assert is_loopback(url), f"browser tests open only http://127.0.0.1 pages, not {url}"
    response = await page.goto(url)
    answered = response and response.status
    assert answered == status, f"{url} answered {answered}, not {status}"


async def view_as_desktop(page: Page) -> None:
    await page.set_viewport_size(DESKTOP)


async def view_as_phone(page: Page) -> None:
    await page.set_viewport_size(PHONE)


async def screenshot(page: Page, name: str, folder: Path | None = None) -> Path:
    """The whole page as `<folder>/<name>.png` at the page's current width, for a person to
    look at; `folder` defaults to $HEARTH_SCREENSHOTS, else build/screenshots."""
    folder = folder or Path(os.environ.get("HEARTH_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.png"
    await page.screenshot(path=path, full_page=True)
    return path


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks, with where."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]  # CSS selectors of the offending elements

    def __str__(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} — at {', '.join(self.targets)}"


@functools.cache
def _axe_source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# axe's nodes name their element by a selector, or a list of them through frames/shadow roots.
_RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        rule: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.flat(Infinity).join(' >>> ')),
    }));
}"""


async def accessibility_problems(page: Page) -> list[Violation]:
    """axe-core's serious and critical violations on the page as it is now. axe is evaluated
    through the DevTools protocol, not a <script> tag, so a page's Content-Security-Policy
    cannot keep it out (and need not be loosened for the tests)."""
    path = axe_script_path()
    if path is None:
        unavailable("axe-core not found in .venv/node_modules (`make test` installs it with npm)")
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(_axe_source(path) + "\n;undefined")
    found: list[dict[str, Any]] = await page.evaluate(_RUN_AXE)
    return [
        Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"]))
        for v in found
        if v["impact"] in SERIOUS
    ]


async def assert_accessible(page: Page) -> None:
    """Fail with one readable line per serious or critical accessibility problem."""
    problems = await accessibility_problems(page)
    assert not problems, f"{page.url} has accessibility problems:\n" + "\n".join(
        f"  {problem}" for problem in problems
    )


@asynccontextmanager
async def serving(app: web.Application, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """`app` on a free port of `host`; yields its base URL (no trailing slash)."""
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, 0).start()
        yield f"http://{host}:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()

"""The web pages of a test community, visited over real HTTP on 127.0.0.1 with aiohttp's
client: pages are read as a person reads them (their visible text), forms are sent as a
browser sends them (with the hidden fields the page gave)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp

from adapters.web import WebServer
from bot.events import Person
from bot.markup import plain
from bot.replies import Reply
from tests.support import PLATFORM, World

LINK = re.compile(r"https?://\S+/sign-in/\S+")


class PlatformWord:
    """What the test platform says about a person now: an administrator when the world made
    them one, and not there at all once they left."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.gone: set[str] = set()

    async def standing(self, community_ref: str, user_ref: str) -> Person | None:
        if user_ref in self.gone:
            return None
        return Person(user_ref, user_ref, is_platform_admin=user_ref in self.world.admins)


class _Reader(HTMLParser):
    """The visible text of a page, and its forms' fields."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.forms: list[dict[str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "form":
            self.forms.append({"@action": found.get("action", "")})
        if tag == "input" and self.forms and "name" in found:
            self.forms[-1].setdefault(found["name"], found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


@dataclass
class Page:
    status: int
    url: str
    html: str
    text: str = ""
    forms: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, status: int, url: str, html: str) -> Page:
        reader = _Reader()
        reader.feed(html)
        return cls(status, url, html, " ".join(reader.text), reader.forms)

    def form(self, action: str, **matching: str) -> dict[str, str]:
        """The hidden fields of the form sent to `action` (whose fields match `matching`)."""
        for form in self.forms:
            if form["@action"].endswith(action) and all(
                form.get(k) == v for k, v in matching.items()
            ):
                return {k: v for k, v in form.items() if not k.startswith("@")}
        raise AssertionError(f"no form for {action} {matching} on {self.url}")


def link_in(replies: Sequence[Reply]) -> str:
    for reply in replies:
        found = LINK.search(plain(reply.text))
        if found:
            return found.group(0)
    raise AssertionError("no sign-in link in: " + " | ".join(plain(r.text) for r in replies))


@dataclass
class Visit:
    server: WebServer
    http: aiohttp.ClientSession
    word: PlatformWord

    @property
    def base(self) -> str:
        return self.server.address

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    async def get(self, path: str, **headers: str) -> Page:
        async with self.http.get(self._url(path), headers=headers) as response:
            return Page.read(response.status, str(response.url), await response.text())

    async def post(self, path: str, data: dict[str, str] | None = None) -> Page:
        async with self.http.post(self._url(path), data=data or {}) as response:
            return Page.read(response.status, str(response.url), await response.text())

    async def sign_in(self, world: World, who: str) -> Page:
        """`who` asks for a link in the channel and opens it, as a moderator would."""
        link = link_in(await world.say(who, "/dashboard"))
        await self.get(link)
        return await self.post(link)


@asynccontextmanager
async def web_of(world: World) -> AsyncIterator[Visit]:
    word = PlatformWord(world)
    server = WebServer(world.hearth, "127.0.0.1", 0, platforms={PLATFORM: word})
    await server.start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            yield Visit(server, http, word)
    finally:
        await server.stop()

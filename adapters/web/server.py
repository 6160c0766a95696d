"""The web pages of `hearth run` and `hearth console`: aiohttp in Hearth's own event loop, on
HEARTH_WEB_ADDRESS. The community's public page, the sign-in links and the dashboard; every
answer carries headers that keep pages from leaking links or being framed."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.listening import unusable_address
from adapters.web.render import Pages, best_language
from adapters.web.signing import LinkExpired, Signing
from bot.errors import Refusal, StartupProblem
from bot.hearth import Hearth
from bot.scheduling import WEEKDAYS
from bot.services.proposals.records import UNDECIDED
from bot.services.web.access import Visitor, is_public
from bot.services.web.logins import LINK_VALID, SESSION_VALID
from bot.services.web.port import Standing
from bot.services.web.site import DEFAULT_WEEKS, FIGURE_WEEKS, WebSite
from bot.wording import weekday_name

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
COOKIE = "hearth_session"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link never travels in a Referer
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class Links:
    """The WebLinks port: addresses as people open them (HEARTH_WEB_URL behind a proxy)."""

    base: str
    signing: Signing

    def sign_in(self, secret: str) -> str:
        return f"{self.base}/sign-in/{self.signing.link_token(secret)}"

    def public_page(self, community_id: int) -> str:
        return f"{self.base}/c/{community_id}"


class WebServer:
    def __init__(
        self,
        hearth: Hearth,
        host: str,
        port: int,
        *,
        url: str | None = None,
        platforms: Mapping[str, Standing] | None = None,
    ) -> None:
        self.hearth = hearth
        self.host = host
        self.requested_port = port
        self.url = url
        self.site = WebSite(hearth, platforms or {})
        self.pages = Pages(hearth.catalog)
        self.signing: Signing | None = None
        self.links: Links | None = None
        self._runner: web.AppRunner | None = None

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen and tell Hearth where the pages are; one line when the address is unusable."""
        key = await self.site.signing_key()
        self.signing = Signing(key, link_valid=LINK_VALID, session_valid=SESSION_VALID)
        app = web.Application(middlewares=[self._guard])
        self._routes(app)
        runner = web.AppRunner(app, access_log=None)  # an access log would hold sign-in links
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.requested_port, reuse_port=True)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise self._unusable(error) from None
        self._runner = runner
        self.links = Links(self.url or self.address, self.signing)
        if self.hearth.web is not None:
            self.hearth.web.links = self.links

    async def stop(self) -> None:
        if self.hearth.web is not None and self.hearth.web.links is self.links:
            self.hearth.web.links = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        addresses = self._runner.addresses if self._runner is not None else []
        return int(addresses[0][1]) if addresses else self.requested_port

    @property
    def address(self) -> str:
        """Where this server listens, as a URL (the port the system chose when 0 was asked)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def home(self) -> str:
        return self.links.base if self.links is not None else self.address

    def _unusable(self, error: OSError) -> StartupProblem:
        return unusable_address(
            error,
            "HEARTH_WEB_ADDRESS",
            self.host,
            self.requested_port,
            in_use="stop what listens there, choose another port, or set HEARTH_WEB_ADDRESS=off",
        )

    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/", self._home)
        r.add_get("/c/{community:\\d+}", self._community)
        r.add_get("/c/{community:\\d+}/proposals/{number:\\d+}", self._proposal)
        r.add_get("/c/{community:\\d+}/audit", self._audit)
        r.add_get("/c/{community:\\d+}/reflections", self._reflections)
        r.add_get("/c/{community:\\d+}/offers", self._offers)
        r.add_get("/sign-in/{token}", self._sign_in_page)
        r.add_post("/sign-in/{token}", self._sign_in)
        r.add_post("/sign-out", self._sign_out)
        r.add_get("/dashboard/{community:\\d+}", self._dashboard)
        r.add_post("/dashboard/{community:\\d+}/setup", self._setup)
        r.add_post("/dashboard/{community:\\d+}/schedule", self._schedule)
        r.add_post("/dashboard/{community:\\d+}/export.zip", self._export)
        r.add_static("/static", STATIC, append_version=True)

    # -- every request ---------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Security headers on every answer; an unexpected error is logged with an id and
        the visitor told, kindly, that nothing was lost."""
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = self._page(request, "missing.html", status=404)
        except web.HTTPException as exception:
            exception.headers.update(HEADERS)
            raise
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception(
                "web page failed id=%s path=%s",
                error_id,
                request.path.split("/")[1],
                extra={"error_id": error_id},
            )
            response = self._page(request, "error.html", status=500, error_id=error_id)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def _language(self, request: web.Request, fallback: str) -> str:
        asked = request.query.get("lang", "")
        if asked in self.hearth.catalog.languages:
            return asked
        header = request.headers.get("Accept-Language")
        return best_language(header, self.hearth.catalog.languages, fallback)

    def _page(
        self,
        request: web.Request,
        template: str,
        *,
        status: int = 200,
        language: str | None = None,
        **values: Any,
    ) -> web.Response:
        lang = language or self._language(request, self.hearth.defaults.language)
        body = self.pages.render(template, lang, path=request.path, **values)
        response = web.Response(text=body, status=status, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- the public pages ------------------------------------------------------------------

    async def _home(self, request: web.Request) -> web.Response:
        return self._page(request, "home.html")

    async def _public(self, request: web.Request) -> tuple[int, str, Any]:
        community_id = int(request.match_info["community"])
        community = await self.site.public_community(community_id)
        if community is None:
            raise web.HTTPNotFound()
        return community_id, self._language(request, community.language), community

    async def _community(self, request: web.Request) -> web.Response:
        community_id, language, community = await self._public(request)
        proposals = await self.site.proposals(community_id, language)
        return self._page(
            request,
            "community.html",
            language=language,
            community=community,
            undecided=[p for p in proposals if p.state in UNDECIDED],
            decided=[p for p in proposals if p.state not in UNDECIDED],
        )

    async def _proposal(self, request: web.Request) -> web.Response:
        community_id, language, community = await self._public(request)
        number = int(request.match_info["number"])
        view = await self.site.proposal(community_id, number, language)
        if view is None:
            raise web.HTTPNotFound()
        return self._page(
            request,
            "proposal.html",
            language=language,
            community=community,
            number=number,
            view=view,
        )

    async def _audit(self, request: web.Request) -> web.Response:
        community_id, language, community = await self._public(request)
        lines = await self.site.audit(community_id, language)
        return self._page(
            request, "audit.html", language=language, community=community, lines=lines
        )

    async def _reflections(self, request: web.Request) -> web.Response:
        community_id, language, community = await self._public(request)
        rounds = await self.site.reflections(community_id, language)
        return self._page(
            request, "reflections.html", language=language, community=community, rounds=rounds
        )

    async def _offers(self, request: web.Request) -> web.Response:
        community_id, language, community = await self._public(request)
        offers = await self.site.offers(community_id, language)
        return self._page(
            request, "offers.html", language=language, community=community, offers=offers
        )

    # -- signing in and out ----------------------------------------------------------------

    def _secret(self, request: web.Request) -> str:
        assert self.signing is not None
        try:
            secret = self.signing.link_secret(request.match_info["token"])
        except LinkExpired:
            raise Refusal("web_link_expired") from None
        if secret is None:
            raise Refusal("web_link_unknown")
        return secret

    async def _sign_in_page(self, request: web.Request) -> web.Response:
        """A page with one button: link previews and scanners that fetch the link spend
        nothing, only the person pressing it does."""
        try:
            grant = await self.site.sign_in_offer(self._secret(request))
        except Refusal as refusal:
            return self._refused(request, refusal)
        visitor = await self.site.visitor(grant.community_id, grant.member_id)
        if visitor is None:
            return self._refused(request, Refusal("web_not_moderator"))
        return self._page(
            request,
            "sign_in.html",
            language=self._visitor_language(request, visitor),
            community=visitor.community,
        )

    async def _sign_in(self, request: web.Request) -> web.StreamResponse:
        assert self.signing is not None
        try:
            visitor, session = await self.site.sign_in(self._secret(request))
        except Refusal as refusal:
            return self._refused(request, refusal)
        cookie = self.signing.session_cookie(session)
        response = _see_other(f"/dashboard/{visitor.community.id}")
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=int(SESSION_VALID.total_seconds()),
            httponly=True,
            samesite="Strict",
            secure=(self.url or "").startswith("https://"),
            path="/",
        )
        return response

    async def _sign_out(self, request: web.Request) -> web.StreamResponse:
        """The session ends in the database: a copy of the cookie opens nothing after this."""
        secret = self._session_secret(request)
        if secret is None or not self._csrf_ok(secret, await request.post()):
            return self._forbidden(request)
        await self.site.sign_out(secret)
        response = _see_other("/")
        response.del_cookie(COOKIE, path="/")
        return response

    def _refused(self, request: web.Request, refusal: Refusal, status: int = 403) -> web.Response:
        lang = self._language(request, self.hearth.defaults.language)
        text = self.hearth.catalog.text(refusal.key, lang, **refusal.params)
        return self._page(request, "refused.html", status=status, language=lang, text=text)

    def _forbidden(self, request: web.Request) -> web.Response:
        return self._refused(request, Refusal("web_sign_in_again"))

    # -- the dashboard ---------------------------------------------------------------------

    def _session_secret(self, request: web.Request) -> str | None:
        assert self.signing is not None
        return self.signing.session_secret(request.cookies.get(COOKIE))

    def _csrf_ok(self, secret: str, form: Mapping[str, Any]) -> bool:
        assert self.signing is not None
        token = form.get("csrf")
        return self.signing.csrf_ok(secret, token if isinstance(token, str) else None)

    async def _moderator(self, request: web.Request) -> tuple[str, Visitor] | None:
        """The session's moderator, re-checked now, for the community in the address only:
        (the session's secret, the visitor)."""
        secret = self._session_secret(request)
        if secret is None:
            return None
        session = await self.site.session(secret)
        if session is None or session.community_id != int(request.match_info["community"]):
            return None
        visitor = await self.site.visitor(session.community_id, session.member_id)
        return None if visitor is None else (secret, visitor)

    def _visitor_language(self, request: web.Request, visitor: Visitor) -> str:
        asked = request.query.get("lang", "")
        if asked in self.hearth.catalog.languages:
            return asked
        return visitor.member.speaks or visitor.community.language

    async def _dashboard(
        self, request: web.Request, results: list[str] | None = None
    ) -> web.Response:
        found = await self._moderator(request)
        if found is None:
            return self._forbidden(request)
        secret, visitor = found
        assert self.signing is not None
        language = self._visitor_language(request, visitor)
        community_id = visitor.community.id
        asked = request.query.get("weeks", "")
        weeks = int(asked) if asked.isdigit() and int(asked) in FIGURE_WEEKS else DEFAULT_WEEKS
        return self._page(
            request,
            "dashboard.html",
            language=language,
            community=visitor.community,
            visitor=visitor,
            csrf=self.signing.csrf_token(secret),
            new_form=lambda: secrets.token_urlsafe(12),
            figures=await self.site.figures(community_id, language, weeks),
            weeks=weeks,
            periods=FIGURE_WEEKS,
            settings=await self.site.settings(community_id),
            schedules=await self.site.schedules(community_id, language),
            weekdays=_weekdays(language),
            results=results,
            public_link=(
                self.links.public_page(community_id)
                if self.links is not None and is_public(visitor.community)
                else ""
            ),
        )

    async def _export(self, request: web.Request) -> web.StreamResponse:
        """The /export archive; a POST with the form's token, since taking it is recorded."""
        found = await self._form(request)
        if found is None:
            return self._forbidden(request)
        visitor, _ = found
        archive = await self.site.export(visitor, self._visitor_language(request, visitor))
        return web.Response(
            body=archive.data,
            content_type=archive.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{archive.name}"',
                "Cache-Control": "no-store",
            },
        )

    async def _form(self, request: web.Request) -> tuple[Visitor, Mapping[str, Any]] | None:
        found = await self._moderator(request)
        form = await request.post()
        if found is None or not self._csrf_ok(found[0], form):
            return None
        return found[1], form

    async def _setup(self, request: web.Request) -> web.Response:
        found = await self._form(request)
        if found is None:
            return self._forbidden(request)
        visitor, form = found
        key = str(form.get("key", "")).strip()
        value = str(form.get("value", "")).strip()
        if not key or key not in self.hearth.setup_keys:
            raise web.HTTPBadRequest(text="unknown setting")
        result = await self.site.run(visitor, "setup", f"{key} {value}", str(form.get("form")))
        return await self._dashboard(request, self._said(request, visitor, result.texts))

    async def _schedule(self, request: web.Request) -> web.Response:
        found = await self._form(request)
        if found is None:
            return self._forbidden(request)
        visitor, form = found
        kind = str(form.get("kind", ""))
        if kind not in self.hearth.schedules:
            raise web.HTTPBadRequest(text="unknown schedule")
        day, time = form.get("day", ""), form.get("time", "")
        when = "off" if form.get("off") else f"{day} {time}".strip()
        result = await self.site.run(visitor, "schedule", f"{kind} {when}", str(form.get("form")))
        return await self._dashboard(request, self._said(request, visitor, result.texts))

    def _said(self, request: web.Request, visitor: Visitor, texts: list[str]) -> list[str]:
        if texts:
            return texts
        language = self._visitor_language(request, visitor)
        return [self.hearth.catalog.text("web_form_sent_before", language)]


@asynccontextmanager
async def web_pages(
    hearth: Hearth,
    host: str,
    port: int,
    *,
    url: str | None = None,
    adapters: Sequence[object] = (),
) -> AsyncIterator[WebServer]:
    """The web pages of this Hearth while the block runs; each adapter that can tell who
    runs a place now vouches for its platform's moderators."""
    platforms = {
        str(getattr(adapter, "platform", "")): adapter
        for adapter in adapters
        if isinstance(adapter, Standing)
    }
    server = WebServer(hearth, host, port, url=url, platforms=platforms)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _weekdays(language: str) -> list[tuple[str, str]]:
    """The days a schedule may take, as typed (`fri`) and as read ("Friday")."""
    return [(code, weekday_name(index, language)) for index, code in enumerate(WEEKDAYS)]

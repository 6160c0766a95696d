"""What the web pages ask of Hearth, as plain async calls: the adapter serving them handles
HTTP, cookies and templates, and never reads the store itself.

Changes made on a page run as the same commands as in chat (`/setup`, `/schedule`), from the
moderator's private chat, so they meet the same checks, refusals and audit entries."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.charts import Chart, table, to_svg
from bot.context import CommunityContext
from bot.domain import Community, Schedule
from bot.errors import Refusal
from bot.events import CommandInvoked, Origin
from bot.hearth import Hearth
from bot.kernel.conflicts import again_on_conflict
from bot.kernel.dispatch import turn_of
from bot.kernel.membership import community_context
from bot.ports import UnitOfWork
from bot.replies import Attachment, Reply, Visibility
from bot.services.audit import audit_lines
from bot.services.export.community import community_export
from bot.services.export.offer_table import offer_table
from bot.services.export.reflection_tables import reflection_tables
from bot.services.needs.trends import charts as needs_charts
from bot.services.needs.trends import needs_trend
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.pipeline import chart as pipeline_chart
from bot.services.proposals.pipeline import proposal_pipeline
from bot.services.proposals.records import State
from bot.services.proposals.settings import rules_of
from bot.services.proposals.texts import full_view, list_line
from bot.services.schedules import describe
from bot.services.web.access import Visitor, claim_of, is_public, moderator_now
from bot.services.web.logins import (
    check_login,
    end_session,
    open_session,
    open_session_of,
    use_login,
)
from bot.services.web.port import Standing
from bot.services.web.records import LoginGrant, WebSession
from bot.services.welcome.funnel import chart as funnel_chart
from bot.services.welcome.funnel import welcome_funnel
from bot.wording import day

log = logging.getLogger(__name__)
KEY_PLATFORM = "web"  # platform_state row of the signing key, shared by every worker
KEY_NAME = "signing_key"
AUDIT_SHOWN = 50
FIGURE_WEEKS = (4, 12, 26, 52)  # the spans the dashboard's charts may look back over
DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class ProposalLine:
    number: int
    state: State
    line: str  # in the catalog's markup, as /proposals lists it


@dataclass(frozen=True)
class Figure:
    """A chart for the page (its accessible SVG) and the same figures as a table beside it."""

    chart: Chart
    svg: str
    headers: list[str]
    rows: list[list[str]]

    @classmethod
    def of(cls, chart: Chart) -> Figure:
        headers, rows = table(chart)
        return cls(chart, to_svg(chart), headers, rows)


@dataclass(frozen=True)
class Figures:
    """The dashboard's charts, each over its own recent span; empty where nothing happened."""

    needs: list[Figure]
    welcome: Figure | None
    proposals: Figure | None


@dataclass(frozen=True)
class SharedRound:
    number: int
    posted: str  # the day, in the reader's language
    theme: str
    prompt: str
    answers: list[tuple[str, str]]  # (author, text), shared by their authors


@dataclass(frozen=True)
class ScheduleLine:
    kind: str
    schedule: Schedule | None
    line: str  # as /schedule describes it, empty when unset


@dataclass(frozen=True)
class CommandResult:
    """What a command run from a page answered its asker (shown on the page; empty when the
    same form was sent before); everything else it said went out as in chat."""

    texts: list[str]


class WebSite:
    def __init__(self, hearth: Hearth, platforms: Mapping[str, Standing]) -> None:
        self.hearth = hearth
        self.platforms = platforms

    @property
    def catalog(self) -> Catalog:
        return self.hearth.catalog

    async def signing_key(self) -> str:
        """The key links and sessions are signed with: made once, kept in the database so
        every worker and every restart agrees on it (the first of two starting at once wins)."""

        async def keep() -> str:
            async with self.hearth.store.unit_of_work() as uow:
                kept = await uow.platform_state.keep_first(
                    KEY_PLATFORM, KEY_NAME, secrets.token_urlsafe(48)
                )
                await uow.commit()
            return kept

        return await again_on_conflict(keep)

    async def sign_in_offer(self, secret: str) -> LoginGrant:
        """The link's grant if it can still be used (a Refusal otherwise); spends nothing."""
        async with self.hearth.store.unit_of_work() as uow:
            return await check_login(uow, secret, self.hearth.clock.now())

    async def sign_in(self, secret: str) -> tuple[Visitor, str]:
        """Spend the link, and open a session for its moderator: the visitor and the session's
        secret (for the cookie). A Refusal when the link cannot be used or they are no longer
        a moderator there."""
        async with self.hearth.store.unit_of_work() as uow:
            grant = await use_login(uow, secret, self.hearth.clock.now())
            await uow.commit()
        visitor = await self.visitor(grant.community_id, grant.member_id)
        if visitor is None:
            raise Refusal("web_not_moderator")
        async with self.hearth.store.unit_of_work() as uow:
            session = await open_session(uow, grant, self.hearth.clock.now())
            await uow.commit()
        return visitor, session

    async def session(self, secret: str) -> WebSession | None:
        """The open session a cookie's secret names; None once ended or run out."""
        async with self.hearth.store.unit_of_work() as uow:
            return await open_session_of(uow, secret, self.hearth.clock.now())

    async def sign_out(self, secret: str) -> None:
        async with self.hearth.store.unit_of_work() as uow:
            await end_session(uow, secret, self.hearth.clock.now())
            await uow.commit()

    async def visitor(self, community_id: int, member_id: int) -> Visitor | None:
        """The member as a moderator of that community now, asking their platform after the
        database (so no unit of work waits on the network); None when they are not."""
        async with self.hearth.store.unit_of_work() as uow:
            claim = await claim_of(uow, community_id, member_id)
        return None if claim is None else await moderator_now(claim, self.platforms)

    async def public_community(self, community_id: int) -> Community | None:
        """The community when its page is open to everyone; None when closed or unknown."""
        async with self.hearth.store.unit_of_work() as uow:
            try:
                community = await uow.communities.get(community_id)
            except LookupError:
                return None
        return community if is_public(community) else None

    async def _context(self, uow: UnitOfWork, community_id: int) -> CommunityContext:
        return await community_context(uow, community_id, self.hearth.clock, self.catalog)

    async def proposals(self, community_id: int, language: str) -> list[ProposalLine]:
        """Every proposal but the hidden, newest first, as /proposals lists them."""
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            rules = rules_of(ctx.community)
            found = await uow.proposals.tallies(community_id)
        return [
            ProposalLine(p.number, p.state, list_line(ctx, p, rules, language))
            for p in reversed(found)
            if not p.hidden
        ]

    async def proposal(self, community_id: int, number: int, language: str) -> str | None:
        """One proposal's whole record as /proposal shows it; None when hidden or unknown."""
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            found: Proposal | None = await uow.proposals.get(community_id, number)
            if found is None or found.hidden:
                return None
            merged = [
                other
                for other in await uow.proposals.in_community(community_id, {State.MERGED})
                if other.merged_into == found.number and not other.hidden
            ]
            return full_view(ctx, found, rules_of(ctx.community), merged, language)

    async def audit(self, community_id: int, language: str) -> list[str]:
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            entries = await uow.audit.latest(community_id, AUDIT_SHOWN)
            return audit_lines(ctx, entries, language)

    async def figures(self, community_id: int, language: str, weeks: int) -> Figures:
        """Needs over the closed rounds (suppressed as in /report needs), the welcome funnel and
        the proposal pipeline over the last `weeks`, as the reports' charts draw them."""
        span = timedelta(weeks=weeks)
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            now = ctx.now
            trend = await needs_trend(ctx, now - span)
            funnel = await welcome_funnel(ctx, now - span)
            pipeline = await proposal_pipeline(ctx, now - span)
            welcome = funnel_chart(ctx, funnel, language)
            proposals = pipeline_chart(ctx, pipeline, language)
            return Figures(
                [Figure.of(chart) for chart in needs_charts(ctx, trend, language)],
                Figure.of(welcome) if welcome is not None else None,
                Figure.of(proposals) if proposals is not None else None,
            )

    async def reflections(self, community_id: int, language: str) -> list[SharedRound]:
        """Reflection rounds, newest first, with only the answers people chose to share (the
        export's own reading, so the page and the file never differ)."""
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            rounds, answers = await reflection_tables(ctx, language)
            found: list[SharedRound] = []
            for number, posted, _closed, theme, prompt in rounds.rows:
                when = day(ctx, datetime.fromisoformat(str(posted)), language) if posted else ""
                shared = [(str(a[2]), str(a[3])) for a in answers.rows if a[0] == number]
                theme_name = str(theme or "")
                found.append(SharedRound(int(str(number)), when, theme_name, str(prompt), shared))
        return list(reversed(found))

    async def offers(self, community_id: int, language: str) -> list[tuple[str, str, str]]:
        """Public offers of mutual aid: (kind of help, who, what), as /offers lists them."""
        async with self.hearth.store.unit_of_work() as uow:
            table = await offer_table(await self._context(uow, community_id), language)
        return [(str(row[1]), str(row[2]), str(row[3])) for row in table.rows]

    async def export(self, visitor: Visitor, language: str) -> Attachment:
        """The /export archive as a download; taking it is in the audit log like /export."""

        async def once() -> Attachment:
            async with self.hearth.store.unit_of_work(turn=turn_of(_origin(visitor))) as uow:
                ctx = await self._context(uow, visitor.community.id)
                archive = await community_export(ctx, language)
                await ctx.audit("audit_exported", actor=visitor.member)
                await uow.commit()
            return archive

        return await again_on_conflict(once)

    async def settings(self, community_id: int) -> list[tuple[str, str]]:
        """Each setting's name and value as `/setup` shows them."""
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            return [(name, await key.show(ctx)) for name, key in self.hearth.setup_keys.items()]

    async def schedules(self, community_id: int, language: str) -> list[ScheduleLine]:
        """Every kind of weekly schedule, with its day and time when set."""
        async with self.hearth.store.unit_of_work() as uow:
            ctx = await self._context(uow, community_id)
            found = {s.kind: s for s in await uow.schedules.for_community(community_id)}
        return [
            ScheduleLine(
                kind,
                found.get(kind),
                str(describe(ctx, found[kind], language)) if kind in found else "",
            )
            for kind in sorted(self.hearth.schedules)
        ]

    async def run(self, visitor: Visitor, command: str, text: str, form: str) -> CommandResult:
        """Run a command as the visitor typed it in their private chat; `form` names this
        submission, so the same form sent twice changes things once."""
        origin = _origin(visitor)
        event = CommandInvoked(origin, command, text, event_ref=f"web:{form}")
        replies = await self.hearth.handle(event)
        await self._send([r for r in replies if not _to_asker(r, origin)])
        return CommandResult([r.text for r in replies if _to_asker(r, origin)])

    async def _send(self, batch: Sequence[Reply]) -> None:
        """What the command said to others (an announcement) goes out as in chat."""
        if not batch:
            return
        outbox = self.hearth.outbox
        try:
            if outbox is None:
                raise RuntimeError("no outbox")
            await outbox.deliver(batch)
        except Exception:
            log.warning("replies of a web command kept for later count=%d", len(batch))
            await self.hearth.keep(batch)


def _origin(visitor: Visitor) -> Origin:
    """Where a page's work comes from: the moderator's private chat with Hearth."""
    return Origin(
        visitor.member.platform,
        visitor.community_ref,
        visitor.person,
        channel_ref=None,
        community_name=visitor.community.name,
    )


def _to_asker(reply: Reply, origin: Origin) -> bool:
    target = reply.target
    return (
        reply.visibility is not Visibility.PUBLIC
        and target.platform == origin.platform
        and target.user_ref == origin.person.user_ref
    )

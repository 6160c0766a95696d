"""Sign-in without passwords: a moderator asks in chat, gets a private link that works once and
for ten minutes, and the page it opens trusts only what the link was made for."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.errors import Refusal
from bot.ports import UnitOfWork
from bot.secret_digest import digest
from bot.services.web.records import LoginGrant, WebSession

LINK_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=8)


async def open_login(uow: UnitOfWork, community_id: int, member_id: int, now: datetime) -> str:
    """A new link's secret for this member of this community (sent to them privately)."""
    secret = secrets.token_urlsafe(32)
    await uow.web_logins.add(digest(secret), LoginGrant(community_id, member_id, now))
    await uow.web_logins.forget_before(now - 10 * LINK_VALID)
    return secret


async def check_login(uow: UnitOfWork, secret: str, now: datetime) -> LoginGrant:
    """The grant behind a link that may still be used; a Refusal saying why not."""
    grant = await uow.web_logins.find(digest(secret))
    if grant is None:
        raise Refusal("web_link_unknown")
    if grant.used_at is not None:
        raise Refusal("web_link_used")
    if now - grant.created_at > LINK_VALID:
        raise Refusal("web_link_expired")
    return grant


async def use_login(uow: UnitOfWork, secret: str, now: datetime) -> LoginGrant:
    """Spend a link: it opens one session, never a second (two racing requests: one wins)."""
    grant = await check_login(uow, secret, now)
    if not await uow.web_logins.use(digest(secret), now):
        raise Refusal("web_link_used")
    return grant


async def open_session(uow: UnitOfWork, grant: LoginGrant, now: datetime) -> str:
    """A new session's secret for the member a link was made for (the cookie carries it)."""
    secret = secrets.token_urlsafe(32)
    ends = now + SESSION_VALID
    await uow.web_sessions.add(
        digest(secret), WebSession(grant.community_id, grant.member_id, now, ends)
    )
    await uow.web_sessions.forget_before(now - SESSION_VALID)
    return secret


async def open_session_of(uow: UnitOfWork, secret: str, now: datetime) -> WebSession | None:
    """The session a cookie names while it is open; None once it ended, ran out or is unknown."""
    found = await uow.web_sessions.find(digest(secret))
    return found if found is not None and found.open_at(now) else None


async def end_session(uow: UnitOfWork, secret: str, now: datetime) -> None:
    """Signing out: the cookie opens nothing from now on, wherever a copy of it is."""
    await uow.web_sessions.end(digest(secret), now)

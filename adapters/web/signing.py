"""Signed tokens of the web pages (itsdangerous, keyed by the database's signing key): the
sign-in link, the session cookie and the forms' CSRF token, each under its own salt so one can
never stand in for another."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer


@dataclass(frozen=True)
class Session:
    """A signed-in moderator: the community and member a link opened, and a nonce that ties
    this session's forms to it."""

    community_id: int
    member_id: int
    nonce: str


class LinkExpired(Exception):
    """The link's signature is good but older than a link may be."""


class Signing:
    def __init__(self, key: str, *, link_valid: timedelta, session_valid: timedelta) -> None:
        self._links = URLSafeTimedSerializer(key, salt="hearth-sign-in")
        self._sessions = URLSafeTimedSerializer(key, salt="hearth-session")
        self._forms = URLSafeSerializer(key, salt="hearth-form")
        self.link_valid = link_valid
        self.session_valid = session_valid

    def link_token(self, secret: str) -> str:
        return self._links.dumps(secret)

    def link_secret(self, token: str) -> str | None:
        """The secret a link carries; None when forged, LinkExpired when too old."""
        try:
            found = self._links.loads(token, max_age=int(self.link_valid.total_seconds()))
        except SignatureExpired:
            raise LinkExpired from None
        except BadSignature:
            return None
        return found if isinstance(found, str) else None

    def new_session(self, community_id: int, member_id: int) -> tuple[Session, str]:
        session = Session(community_id, member_id, secrets.token_urlsafe(16))
        cookie = self._sessions.dumps([community_id, member_id, session.nonce])
        return session, cookie

    def session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            found = self._sessions.loads(cookie, max_age=int(self.session_valid.total_seconds()))
        except BadSignature:  # SignatureExpired is one too
            return None
        if not (isinstance(found, list) and len(found) == 3):
            return None
        community_id, member_id, nonce = found
        if not (isinstance(community_id, int) and isinstance(member_id, int)):
            return None
        return Session(community_id, member_id, str(nonce))

    def csrf_token(self, session: Session) -> str:
        return self._forms.dumps(session.nonce)

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        if not token:
            return False
        try:
            return bool(self._forms.loads(token) == session.nonce)
        except BadSignature:
            return False

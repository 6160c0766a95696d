"""Signed tokens of the web pages (itsdangerous, keyed by the database's signing key): the
sign-in link, the session cookie and the forms' CSRF token, each under its own salt so one can
never stand in for another. What a session may do is the database's word (bot/services/web)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer


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

    def session_cookie(self, secret: str) -> str:
        """The cookie for a session's secret: signed, so junk is refused before any lookup."""
        return self._sessions.dumps(secret)

    def session_secret(self, cookie: str | None) -> str | None:
        """The session secret a cookie carries; None when missing, forged or too old."""
        if not cookie:
            return None
        try:
            found = self._sessions.loads(cookie, max_age=int(self.session_valid.total_seconds()))
        except BadSignature:  # SignatureExpired is one too
            return None
        return found if isinstance(found, str) else None

    def csrf_token(self, secret: str) -> str:
        """The forms' token of a session: derived from its secret, never the secret itself."""
        return self._forms.dumps(_mark(secret))

    def csrf_ok(self, secret: str, token: str | None) -> bool:
        if not token:
            return False
        try:
            return bool(self._forms.loads(token) == _mark(secret))
        except BadSignature:
            return False


def _mark(secret: str) -> str:
    return hashlib.sha256(b"csrf:" + secret.encode("utf-8")).hexdigest()[:32]

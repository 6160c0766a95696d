"""What the web feature needs: storage for sign-in links (storage/web.py), and from the
adapters, the web's own addresses and each platform's word on who someone is there now."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.events import Person
from bot.services.web.records import LoginGrant, WebSession


class WebLoginRepository(Protocol):
    async def add(self, digest: str, grant: LoginGrant) -> None: ...

    async def find(self, digest: str) -> LoginGrant | None: ...

    async def use(self, digest: str, at: datetime) -> bool:
        """Mark an unused link used; False when it was used already (by a racing request)."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop links made before `moment` (long expired); how many went."""
        ...


class WebSessionRepository(Protocol):
    async def add(self, digest: str, session: WebSession) -> None: ...

    async def find(self, digest: str) -> WebSession | None: ...

    async def end(self, digest: str, at: datetime) -> None: ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop sessions that ended before `moment`; how many went."""
        ...


class WebLinks(Protocol):
    """The addresses people open, as the web adapter serving them makes them."""

    def sign_in(self, secret: str) -> str: ...

    def public_page(self, community_id: int) -> str: ...


@runtime_checkable
class Standing(Protocol):
    """An adapter that can say what someone is in a place now (admin or owner there), for a
    page that must re-check a moderator on every request; None when they are not there.
    LookupError when this process cannot tell (another worker runs that place): then only
    the roles granted in Hearth count."""

    async def standing(self, community_ref: str, user_ref: str) -> Person | None: ...

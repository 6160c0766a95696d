"""What linking needs from storage (storage/linking.py provides it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.ports import PersonalData
from bot.services.linking.records import Account, LinkCode


class LinkCodeRepository(PersonalData, Protocol):
    async def add(self, digest: str, code: LinkCode) -> None: ...

    async def find(self, digest: str) -> LinkCode | None: ...

    async def use(self, digest: str, at: datetime, by: Account | None = None) -> bool:
        """Spend an unused code (noting who sent it); False when it was spent already (by a
        racing request): a code works once."""
        ...

    async def awaiting(self, issuer: Account, redeemer: Account) -> tuple[str, LinkCode] | None:
        """The person code this issuer gave and this other account sent, still unanswered
        (the latest, with its digest); None when there is none. Accounts match by platform
        and user_ref."""
        ...

    async def answer(self, digest: str, at: datetime) -> bool:
        """Note the issuer's answer; False when they had answered already."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop codes made before `moment` (long expired); how many went."""
        ...

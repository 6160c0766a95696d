"""What the proposals feature needs from storage; storage/proposals.py provides it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from bot.ports import PersonalData
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import State
from bot.services.proposals.summaries import Tally


class ProposalRepository(PersonalData, Protocol):
    """Proposals with their versions, builds, concerns, support, positions and history."""

    async def add(self, proposal: Proposal) -> Proposal:
        """Store a new proposal, numbered next in its community; returns it with its number."""
        ...

    async def get(self, community_id: int, number: int, *, history: bool = True) -> Proposal | None:
        """Proposal #number; without `history` its event list is left empty (enough to act on
        it: a save adds only the events added since it was loaded)."""
        ...

    async def save(self, proposal: Proposal) -> None:
        """Store the proposal's current fields and every part added since it was loaded."""
        ...

    async def in_community(
        self, community_id: int, states: Collection[State] | None = None, *, history: bool = True
    ) -> list[Proposal]:
        """Proposals in number order; without `history` their event lists are left empty,
        which is all a listing needs and spares reading every proposal's whole past."""
        ...

    async def tallies(
        self, community_id: int, states: Collection[State] | None = None
    ) -> list[Tally]:
        """Headers and counts for a listing, in number order, without loading any parts."""
        ...

    async def opened_from(self, community_id: int, origin: str) -> list[Proposal]:
        """Proposals opened from `origin` (e.g. a reflection), in number order, no history."""
        ...

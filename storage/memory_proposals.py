"""Proposals in memory, with the same contract as the SQLite repository."""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from bot.proposal_lifecycle import Proposal, Tally, member_record, tally
from bot.proposal_records import Contribution, Position, State, Support, forgotten_voice, voice_of

if TYPE_CHECKING:
    from storage.memory import MemoryState, MemoryStore


class MemoryProposals:
    section = "mydata_section_proposals"

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def s(self) -> MemoryState:
        return self._store.state

    def _assign_ids(self, proposal: Proposal) -> None:
        for table, parts in (
            ("proposal_versions", proposal.versions),
            ("proposal_contributions", proposal.contributions),
            ("proposal_supports", proposal.supports),
            ("proposal_positions", proposal.positions),
            ("proposal_events", proposal.events),
        ):
            for part in parts:
                if part.id is None:
                    part.id = self.s.new_id(table)

    async def add(self, proposal: Proposal) -> Proposal:
        if proposal.id is not None:
            raise ValueError("proposal is stored already")
        stored = copy.deepcopy(proposal)
        stored.id = self.s.new_id("proposals")
        stored.number = 1 + max(
            (
                p.number
                for p in self.s.proposals.values()
                if p.community_id == proposal.community_id
            ),
            default=0,
        )
        self._assign_ids(stored)
        self.s.proposals[stored.id] = stored
        return copy.deepcopy(stored)

    async def get(self, community_id: int, number: int) -> Proposal | None:
        for proposal in self.s.proposals.values():
            if proposal.community_id == community_id and proposal.number == number:
                return copy.deepcopy(proposal)
        return None

    async def save(self, proposal: Proposal) -> None:
        if proposal.id is None or proposal.id not in self.s.proposals:
            raise LookupError("save a proposal that was added")
        self._assign_ids(proposal)
        self.s.proposals[proposal.id] = copy.deepcopy(proposal)

    async def in_community(
        self, community_id: int, states: Collection[State] | None = None, *, history: bool = True
    ) -> list[Proposal]:
        found = copy.deepcopy(
            sorted(
                (
                    p
                    for p in self.s.proposals.values()
                    if p.community_id == community_id and (states is None or p.state in states)
                ),
                key=lambda p: p.number,
            )
        )
        if not history:
            for proposal in found:
                proposal.events = []
        return found

    async def opened_from(self, community_id: int, origin: str) -> list[Proposal]:
        found = [
            p for p in await self.in_community(community_id, history=False) if p.origin == origin
        ]
        return found if origin else []

    async def tallies(
        self, community_id: int, states: Collection[State] | None = None
    ) -> list[Tally]:
        return [tally(p) for p in await self.in_community(community_id, states, history=False)]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return list(member_record(self.s.proposals.values(), member_id))

    async def erase_member(self, member_id: int) -> int:
        """Keep what was said for the community; unlink and unname who said it."""
        voice, forgotten = voice_of(member_id), forgotten_voice()
        changed = 0
        for proposal in self.s.proposals.values():
            if proposal.author == voice:
                proposal.author, proposal.author_id, proposal.author_name = forgotten, None, ""
                changed += 1
            parts: list[Contribution | Support | Position] = [
                *proposal.contributions,
                *proposal.supports,
                *proposal.positions,
            ]
            for part in parts:
                if part.voice == voice:
                    part.voice, part.member_id, part.name = forgotten, None, ""
                    changed += 1
            for event in proposal.events:
                if event.actor_id == member_id:
                    event.actor_id, event.actor_name = None, ""
                    changed += 1
        return changed

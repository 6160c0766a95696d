"""In-memory reflection repositories, with the same contract as storage/sqlite_reflections.py.

Their tables live inside MemoryState, so a unit of work's snapshot and rollback cover them too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.catalog import Phrase
from bot.domain_reflections import CommunityPrompt, Reflection, ReflectionRound

if TYPE_CHECKING:
    from storage.memory import MemoryState, MemoryStore


@dataclass
class ReflectionTables:
    prompts: dict[int, CommunityPrompt] = field(default_factory=dict)
    rounds: dict[int, ReflectionRound] = field(default_factory=dict)
    answers: dict[int, Reflection] = field(default_factory=dict)


class _Repo:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def s(self) -> MemoryState:
        return self._store.state

    @property
    def t(self) -> ReflectionTables:
        return self._store.state.reflections


class MemoryReflectionPrompts(_Repo):
    section = "mydata_section_reflection_prompts"

    async def add(
        self,
        *,
        community_id: int,
        text: str,
        theme: str | None,
        author_id: int | None,
        suggested: bool,
        now: datetime,
    ) -> CommunityPrompt:
        prompt = CommunityPrompt(
            self.s.new_id("reflection_prompts"),
            community_id,
            text,
            theme,
            author_id,
            suggested,
            now,
        )
        self.t.prompts[prompt.id] = prompt
        return prompt

    async def get(self, community_id: int, prompt_id: int) -> CommunityPrompt | None:
        found = self.t.prompts.get(prompt_id)
        return found if found is not None and found.community_id == community_id else None

    async def for_community(self, community_id: int) -> list[CommunityPrompt]:
        return sorted(
            (p for p in self.t.prompts.values() if p.community_id == community_id),
            key=lambda p: p.id,
        )

    async def remove(self, community_id: int, prompt_id: int) -> bool:
        if await self.get(community_id, prompt_id) is None:
            return False
        del self.t.prompts[prompt_id]
        return True

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        return [
            {
                "prompt": p.key,
                "how": Phrase("mydata_value_suggested" if p.suggested else "mydata_value_added"),
                "when": p.created_at,
                "text": p.text,
            }
            for p in sorted(self.t.prompts.values(), key=lambda p: p.id)
            if p.author_id == member_id
        ]

    async def erase_member(self, member_id: int) -> int:
        # A prompt given to the community's deck stays there; only the author's name goes.
        mine = [p for p in self.t.prompts.values() if p.author_id == member_id]
        for prompt in mine:
            self.t.prompts[prompt.id] = replace(prompt, author_id=None)
        return len(mine)


class MemoryReflections(_Repo):
    section = "mydata_section_reflections"

    async def add_round(
        self,
        *,
        community_id: int,
        prompt_key: str,
        prompt_text: str,
        theme: str | None,
        cycle: int,
        now: datetime,
    ) -> ReflectionRound:
        number = 1 + max(
            (r.number for r in self.t.rounds.values() if r.community_id == community_id),
            default=0,
        )
        found = ReflectionRound(
            self.s.new_id("reflection_rounds"),
            community_id,
            number,
            prompt_key,
            prompt_text,
            theme,
            cycle,
            now,
        )
        self.t.rounds[found.id] = found
        return found

    async def latest_round(self, community_id: int) -> ReflectionRound | None:
        mine = [r for r in self.t.rounds.values() if r.community_id == community_id]
        return max(mine, key=lambda r: r.number, default=None)

    async def round_by_number(self, community_id: int, number: int) -> ReflectionRound | None:
        for found in self.t.rounds.values():
            if found.community_id == community_id and found.number == number:
                return found
        return None

    async def get_round(self, round_id: int) -> ReflectionRound | None:
        return self.t.rounds.get(round_id)

    async def close_round(self, round_id: int, now: datetime) -> bool:
        found = self.t.rounds.get(round_id)
        if found is None or not found.is_open:
            return False
        self.t.rounds[round_id] = replace(found, closed_at=now)
        return True

    async def keys_in_cycle(self, community_id: int, cycle: int) -> set[str]:
        return {
            r.prompt_key
            for r in self.t.rounds.values()
            if r.community_id == community_id and r.cycle == cycle
        }

    async def answer(
        self, *, round_id: int, member_id: int, text: str, shared: bool, now: datetime
    ) -> tuple[Reflection, bool]:
        for existing in self.t.answers.values():
            if existing.round_id == round_id and existing.member_id == member_id:
                updated = replace(existing, text=text, shared=shared, written_at=now)
                self.t.answers[existing.id] = updated
                return updated, True
        community_id = self.t.rounds[round_id].community_id
        new = Reflection(
            self.s.new_id("reflections"), community_id, round_id, member_id, text, shared, now
        )
        self.t.answers[new.id] = new
        return new, False

    async def get_answer(self, community_id: int, reflection_id: int) -> Reflection | None:
        found = self.t.answers.get(reflection_id)
        return found if found is not None and found.community_id == community_id else None

    async def set_shared(self, reflection_id: int, shared: bool) -> None:
        found = self.t.answers.get(reflection_id)
        if found is not None:
            self.t.answers[reflection_id] = replace(found, shared=shared)

    async def answers(self, round_id: int) -> list[Reflection]:
        return sorted(
            (a for a in self.t.answers.values() if a.round_id == round_id), key=lambda a: a.id
        )

    async def by_member(self, community_id: int, member_id: int) -> list[Reflection]:
        return sorted(
            (
                a
                for a in self.t.answers.values()
                if a.community_id == community_id and a.member_id == member_id
            ),
            key=lambda a: a.id,
        )

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = []
        for answer in sorted(self.t.answers.values(), key=lambda a: a.id):
            if answer.member_id != member_id:
                continue
            found = self.t.rounds[answer.round_id]
            rows.append(
                {
                    "reflection": answer.id,
                    "round": found.number,
                    "prompt": found.prompt_text,
                    "shared": Phrase(
                        "mydata_value_yes" if answer.shared else "mydata_value_kept_private"
                    ),
                    "when": answer.written_at,
                    "text": answer.text,
                }
            )
        return copy.deepcopy(rows)

    async def erase_member(self, member_id: int) -> int:
        doomed = [a.id for a in self.t.answers.values() if a.member_id == member_id]
        for answer_id in doomed:
            del self.t.answers[answer_id]
        return len(doomed)

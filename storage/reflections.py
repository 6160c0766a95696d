"""Reflections in SQL: the community's prompt deck, the rounds posted and members' answers.

The tables mirror storage/migrations/0005_reflections.sql exactly. AUTOINCREMENT keeps numbers
people have seen (/reflection 12, /prompt_add remove c4) from ever being reused after a deletion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.catalog import Phrase
from bot.domain_reflections import CommunityPrompt, Reflection, ReflectionRound
from storage.communities import communities
from storage.communities import next_number as next_number_of
from storage.sql import Flag, SqlRepo, Timestamp, community_table, member_column, record, reference

reflection_prompts = community_table(
    "reflection_prompts",
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("theme", sa.Text),
    member_column("author_id", ondelete="SET NULL"),
    sa.Column("suggested", Flag, nullable=False, server_default=sa.false()),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("reflection_prompts_by_community", "community_id", "id"),
    sa.Index("reflection_prompts_by_author", "author_id"),
    sqlite_autoincrement=True,
)

reflection_rounds = community_table(
    "reflection_rounds",
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("prompt_key", sa.Text, nullable=False),
    sa.Column("prompt_text", sa.Text, nullable=False),
    sa.Column("theme", sa.Text),
    sa.Column("cycle", sa.Integer, nullable=False),
    sa.Column("posted_at", Timestamp, nullable=False),
    sa.Column("closed_at", Timestamp),
    sa.UniqueConstraint("community_id", "number"),
    sa.Index("reflection_rounds_by_cycle", "community_id", "cycle"),
    sqlite_autoincrement=True,
)

reflections = community_table(
    "reflections",
    reference("round_id", "reflection_rounds.id"),
    member_column(),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("shared", Flag, nullable=False, server_default=sa.false()),
    sa.Column("written_at", Timestamp, nullable=False),
    sa.UniqueConstraint("round_id", "member_id"),
    sa.Index("reflections_by_member", "member_id"),
    sqlite_autoincrement=True,
)

_prompts = reflection_prompts
_rounds = reflection_rounds
_answers = reflections


class SqlReflectionPrompts(SqlRepo):
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
        new_id = await self.db.insert(
            sa.insert(_prompts).values(
                community_id=community_id,
                text=text,
                theme=theme,
                author_id=author_id,
                suggested=suggested,
                created_at=now,
            )
        )
        return CommunityPrompt(new_id, community_id, text, theme, author_id, suggested, now)

    async def get(self, community_id: int, prompt_id: int) -> CommunityPrompt | None:
        row = await self.db.row(
            sa.select(_prompts).where(
                _prompts.c.id == prompt_id, _prompts.c.community_id == community_id
            )
        )
        return record(CommunityPrompt, row) if row else None

    async def for_community(self, community_id: int) -> list[CommunityPrompt]:
        rows = await self.db.rows(
            sa.select(_prompts)
            .where(_prompts.c.community_id == community_id)
            .order_by(_prompts.c.id)
        )
        return [record(CommunityPrompt, row) for row in rows]

    async def remove(self, community_id: int, prompt_id: int) -> bool:
        changed = await self.db.change(
            sa.delete(_prompts).where(
                _prompts.c.id == prompt_id, _prompts.c.community_id == community_id
            )
        )
        return changed > 0

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(
            sa.select(_prompts).where(_prompts.c.author_id == member_id).order_by(_prompts.c.id)
        )
        return [
            {
                "prompt": p.key,
                "how": Phrase("mydata_value_suggested" if p.suggested else "mydata_value_added"),
                "when": p.created_at,
                "text": p.text,
            }
            for p in (record(CommunityPrompt, row) for row in rows)
        ]

    async def erase_member(self, member_id: int) -> int:
        # A prompt given to the community's deck stays there; only the author's name goes.
        return await self.db.change(
            sa.update(_prompts).where(_prompts.c.author_id == member_id).values(author_id=None)
        )


class SqlReflections(SqlRepo):
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
        next_number = await self.db.scalar(
            next_number_of(_rounds, community_id, communities.c.history_rounds)
        )
        number = int(next_number) if next_number is not None else 1
        new_id = await self.db.insert(
            sa.insert(_rounds).values(
                community_id=community_id,
                number=number,
                prompt_key=prompt_key,
                prompt_text=prompt_text,
                theme=theme,
                cycle=cycle,
                posted_at=now,
            )
        )
        return ReflectionRound(
            new_id, community_id, number, prompt_key, prompt_text, theme, cycle, now
        )

    async def latest_round(self, community_id: int) -> ReflectionRound | None:
        # The open round first: after two places were linked, home's open round is the current
        # one even though the joining side's rounds are numbered after it.
        row = await self.db.row(
            sa.select(_rounds)
            .where(_rounds.c.community_id == community_id)
            .order_by(_rounds.c.closed_at.is_(None).desc(), _rounds.c.number.desc())
            .limit(1)
        )
        return record(ReflectionRound, row) if row else None

    async def rounds(self, community_id: int) -> list[ReflectionRound]:
        rows = await self.db.rows(
            sa.select(_rounds)
            .where(_rounds.c.community_id == community_id)
            .order_by(_rounds.c.number)
        )
        return [record(ReflectionRound, row) for row in rows]

    async def round_by_number(self, community_id: int, number: int) -> ReflectionRound | None:
        row = await self.db.row(
            sa.select(_rounds).where(
                _rounds.c.community_id == community_id, _rounds.c.number == number
            )
        )
        return record(ReflectionRound, row) if row else None

    async def get_round(self, round_id: int) -> ReflectionRound | None:
        row = await self.db.row(sa.select(_rounds).where(_rounds.c.id == round_id))
        return record(ReflectionRound, row) if row else None

    async def close_round(self, round_id: int, now: datetime) -> bool:
        changed = await self.db.change(
            sa.update(_rounds)
            .where(_rounds.c.id == round_id, _rounds.c.closed_at.is_(None))
            .values(closed_at=now)
        )
        return changed > 0

    async def keys_in_cycle(self, community_id: int, cycle: int) -> set[str]:
        rows = await self.db.rows(
            sa.select(_rounds.c.prompt_key).where(
                _rounds.c.community_id == community_id, _rounds.c.cycle == cycle
            )
        )
        return {row.prompt_key for row in rows}

    async def answer(
        self, *, round_id: int, member_id: int, text: str, shared: bool, now: datetime
    ) -> tuple[Reflection, bool]:
        existing = await self.db.row(
            sa.select(_answers.c.id, _answers.c.community_id).where(
                _answers.c.round_id == round_id, _answers.c.member_id == member_id
            )
        )
        if existing is not None:
            await self.db.change(
                sa.update(_answers)
                .where(_answers.c.id == existing.id)
                .values(text=text, shared=shared, written_at=now)
            )
            return Reflection(
                existing.id, existing.community_id, round_id, member_id, text, shared, now
            ), True
        found = await self.get_round(round_id)
        if found is None:
            raise LookupError(f"reflection round {round_id}")
        new_id = await self.db.insert(
            sa.insert(_answers).values(
                community_id=found.community_id,
                round_id=round_id,
                member_id=member_id,
                text=text,
                shared=shared,
                written_at=now,
            )
        )
        return Reflection(new_id, found.community_id, round_id, member_id, text, shared, now), False

    async def get_answer(self, community_id: int, reflection_id: int) -> Reflection | None:
        row = await self.db.row(
            sa.select(_answers).where(
                _answers.c.id == reflection_id, _answers.c.community_id == community_id
            )
        )
        return record(Reflection, row) if row else None

    async def set_shared(self, reflection_id: int, shared: bool) -> None:
        await self.db.change(
            sa.update(_answers).where(_answers.c.id == reflection_id).values(shared=shared)
        )

    async def answers(self, round_id: int) -> list[Reflection]:
        rows = await self.db.rows(
            sa.select(_answers).where(_answers.c.round_id == round_id).order_by(_answers.c.id)
        )
        return [record(Reflection, row) for row in rows]

    async def shared_in(self, community_id: int) -> list[Reflection]:
        rows = await self.db.rows(
            sa.select(_answers)
            .where(_answers.c.community_id == community_id, _answers.c.shared)
            .order_by(_answers.c.id)
        )
        return [record(Reflection, row) for row in rows]

    async def by_member(self, community_id: int, member_id: int) -> list[Reflection]:
        rows = await self.db.rows(
            sa.select(_answers)
            .where(_answers.c.community_id == community_id, _answers.c.member_id == member_id)
            .order_by(_answers.c.id)
        )
        return [record(Reflection, row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(
            sa.select(
                _answers.c.id,
                _answers.c.shared,
                _answers.c.written_at,
                _answers.c.text,
                _rounds.c.number,
                _rounds.c.prompt_text,
            )
            .join_from(_answers, _rounds, _rounds.c.id == _answers.c.round_id)
            .where(_answers.c.member_id == member_id)
            .order_by(_answers.c.id)
        )
        return [
            {
                "reflection": row.id,
                "round": row.number,
                "prompt": row.prompt_text,
                "shared": Phrase("mydata_value_yes" if row.shared else "mydata_value_kept_private"),
                "when": row.written_at,
                "text": row.text,
            }
            for row in rows
        ]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(sa.delete(_answers).where(_answers.c.member_id == member_id))

"""SQLite reflection repositories (tables from migrations/0005_reflections.sql)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.catalog import Phrase
from bot.domain_reflections import CommunityPrompt, Reflection, ReflectionRound
from storage.sqlite_base import SqliteRepo as _Repo
from storage.sqlite_base import dt, opt_dt, ts


def _prompt(row: sqlite3.Row) -> CommunityPrompt:
    return CommunityPrompt(
        id=row["id"],
        community_id=row["community_id"],
        text=row["text"],
        theme=row["theme"],
        author_id=row["author_id"],
        suggested=bool(row["suggested"]),
        created_at=dt(row["created_at"]),
    )


def _round(row: sqlite3.Row) -> ReflectionRound:
    return ReflectionRound(
        id=row["id"],
        community_id=row["community_id"],
        number=row["number"],
        prompt_key=row["prompt_key"],
        prompt_text=row["prompt_text"],
        theme=row["theme"],
        cycle=row["cycle"],
        posted_at=dt(row["posted_at"]),
        closed_at=opt_dt(row["closed_at"]),
    )


def _answer(row: sqlite3.Row) -> Reflection:
    return Reflection(
        id=row["id"],
        community_id=row["community_id"],
        round_id=row["round_id"],
        member_id=row["member_id"],
        text=row["text"],
        shared=bool(row["shared"]),
        written_at=dt(row["written_at"]),
    )


class SqliteReflectionPrompts(_Repo):
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
        new_id = await self._insert(
            "INSERT INTO reflection_prompts (community_id, text, theme, author_id, suggested,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (community_id, text, theme, author_id, int(suggested), ts(now)),
        )
        return CommunityPrompt(new_id, community_id, text, theme, author_id, suggested, now)

    async def get(self, community_id: int, prompt_id: int) -> CommunityPrompt | None:
        row = await self._row(
            "SELECT * FROM reflection_prompts WHERE id = ? AND community_id = ?",
            (prompt_id, community_id),
        )
        return _prompt(row) if row else None

    async def for_community(self, community_id: int) -> list[CommunityPrompt]:
        rows = await self._rows(
            "SELECT * FROM reflection_prompts WHERE community_id = ? ORDER BY id", (community_id,)
        )
        return [_prompt(row) for row in rows]

    async def remove(self, community_id: int, prompt_id: int) -> bool:
        changed = await self._change(
            "DELETE FROM reflection_prompts WHERE id = ? AND community_id = ?",
            (prompt_id, community_id),
        )
        return changed > 0

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT * FROM reflection_prompts WHERE author_id = ? ORDER BY id", (member_id,)
        )
        return [
            {
                "prompt": p.key,
                "how": Phrase("mydata_value_suggested" if p.suggested else "mydata_value_added"),
                "when": p.created_at,
                "text": p.text,
            }
            for p in map(_prompt, rows)
        ]

    async def erase_member(self, member_id: int) -> int:
        # A prompt given to the community's deck stays there; only the author's name goes.
        return await self._change(
            "UPDATE reflection_prompts SET author_id = NULL WHERE author_id = ?", (member_id,)
        )


class SqliteReflections(_Repo):
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
        row = await self._row(
            "SELECT coalesce(max(number), 0) + 1 AS n FROM reflection_rounds"
            " WHERE community_id = ?",
            (community_id,),
        )
        number = int(row["n"]) if row else 1
        new_id = await self._insert(
            "INSERT INTO reflection_rounds (community_id, number, prompt_key, prompt_text, theme,"
            " cycle, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (community_id, number, prompt_key, prompt_text, theme, cycle, ts(now)),
        )
        return ReflectionRound(
            new_id, community_id, number, prompt_key, prompt_text, theme, cycle, now
        )

    async def latest_round(self, community_id: int) -> ReflectionRound | None:
        row = await self._row(
            "SELECT * FROM reflection_rounds WHERE community_id = ? ORDER BY number DESC LIMIT 1",
            (community_id,),
        )
        return _round(row) if row else None

    async def round_by_number(self, community_id: int, number: int) -> ReflectionRound | None:
        row = await self._row(
            "SELECT * FROM reflection_rounds WHERE community_id = ? AND number = ?",
            (community_id, number),
        )
        return _round(row) if row else None

    async def get_round(self, round_id: int) -> ReflectionRound | None:
        row = await self._row("SELECT * FROM reflection_rounds WHERE id = ?", (round_id,))
        return _round(row) if row else None

    async def close_round(self, round_id: int, now: datetime) -> bool:
        changed = await self._change(
            "UPDATE reflection_rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (ts(now), round_id),
        )
        return changed > 0

    async def keys_in_cycle(self, community_id: int, cycle: int) -> set[str]:
        rows = await self._rows(
            "SELECT prompt_key FROM reflection_rounds WHERE community_id = ? AND cycle = ?",
            (community_id, cycle),
        )
        return {row["prompt_key"] for row in rows}

    async def answer(
        self, *, round_id: int, member_id: int, text: str, shared: bool, now: datetime
    ) -> tuple[Reflection, bool]:
        existing = await self._row(
            "SELECT * FROM reflections WHERE round_id = ? AND member_id = ?",
            (round_id, member_id),
        )
        if existing is not None:
            await self._change(
                "UPDATE reflections SET text = ?, shared = ?, written_at = ? WHERE id = ?",
                (text, int(shared), ts(now), existing["id"]),
            )
            old = _answer(existing)
            return Reflection(
                old.id, old.community_id, round_id, member_id, text, shared, now
            ), True
        found = await self.get_round(round_id)
        if found is None:
            raise LookupError(f"reflection round {round_id}")
        new_id = await self._insert(
            "INSERT INTO reflections (community_id, round_id, member_id, text, shared, written_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (found.community_id, round_id, member_id, text, int(shared), ts(now)),
        )
        return Reflection(new_id, found.community_id, round_id, member_id, text, shared, now), False

    async def get_answer(self, community_id: int, reflection_id: int) -> Reflection | None:
        row = await self._row(
            "SELECT * FROM reflections WHERE id = ? AND community_id = ?",
            (reflection_id, community_id),
        )
        return _answer(row) if row else None

    async def set_shared(self, reflection_id: int, shared: bool) -> None:
        await self._change(
            "UPDATE reflections SET shared = ? WHERE id = ?", (int(shared), reflection_id)
        )

    async def answers(self, round_id: int) -> list[Reflection]:
        rows = await self._rows(
            "SELECT * FROM reflections WHERE round_id = ? ORDER BY id", (round_id,)
        )
        return [_answer(row) for row in rows]

    async def by_member(self, community_id: int, member_id: int) -> list[Reflection]:
        rows = await self._rows(
            "SELECT * FROM reflections WHERE community_id = ? AND member_id = ? ORDER BY id",
            (community_id, member_id),
        )
        return [_answer(row) for row in rows]

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT a.*, r.number AS round_number, r.prompt_text FROM reflections a"
            " JOIN reflection_rounds r ON r.id = a.round_id WHERE a.member_id = ? ORDER BY a.id",
            (member_id,),
        )
        return [
            {
                "reflection": row["id"],
                "round": row["round_number"],
                "prompt": row["prompt_text"],
                "shared": Phrase(
                    "mydata_value_yes" if row["shared"] else "mydata_value_kept_private"
                ),
                "when": dt(row["written_at"]),
                "text": row["text"],
            }
            for row in rows
        ]

    async def erase_member(self, member_id: int) -> int:
        return await self._change("DELETE FROM reflections WHERE member_id = ?", (member_id,))

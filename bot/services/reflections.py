"""Reflection rounds: on schedule (or on a moderator's word) the next prompt from the
community's deck is posted in the reflections channel. Prompts rotate without repeats."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.catalog import PROMPTS_DIR
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.feature import Feature
from bot.roles import Role

DECK_FILE = PROMPTS_DIR / "decks" / "reflections.yaml"


class DeckError(Exception):
    """A deck file is broken; start-up stops and names it."""


@dataclass(frozen=True)
class Prompt:
    id: str
    theme: str
    texts: dict[str, str]

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts["en"]


def load_deck(path: Path = DECK_FILE) -> list[Prompt]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise DeckError(f"{path}: expected 'themes' and a list under 'prompts'")
    themes = set(data.get("themes") or [])
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for number, item in enumerate(data["prompts"], start=1):
        if not isinstance(item, dict) or not all(k in item for k in ("id", "theme", "text")):
            raise DeckError(f"{path}: prompt {number} needs id, theme and text")
        prompt_id, theme, texts = str(item["id"]), str(item["theme"]), item["text"]
        if prompt_id in seen:
            raise DeckError(f"{path}: prompt id '{prompt_id}' is used twice")
        if theme not in themes:
            raise DeckError(f"{path}: prompt '{prompt_id}' has unknown theme '{theme}'")
        if not isinstance(texts, dict) or "en" not in texts:
            raise DeckError(f"{path}: prompt '{prompt_id}' needs an English text")
        seen.add(prompt_id)
        prompts.append(Prompt(prompt_id, theme, {str(k): str(v) for k, v in texts.items()}))
    return prompts


def reflections_feature(deck: list[Prompt]) -> Feature:
    feature = Feature("reflections")
    by_id = {p.id: p for p in deck}

    async def post_next(ctx: CommunityContext) -> None:
        used: list[str] = list(ctx.community.settings.get("reflection_used", []))
        remaining = [p.id for p in deck if p.id not in used]
        if not remaining:
            used, remaining = [], [p.id for p in deck]
        # A per-community order, stable across restarts, so communities do not move in lockstep.
        random.Random(f"{ctx.community.id}:{len(used) // max(len(deck), 1)}").shuffle(remaining)
        prompt = by_id[remaining[0]]
        used.append(prompt.id)
        ctx.community.settings["reflection_used"] = used
        ctx.community.settings["reflection_current"] = prompt.id
        await ctx.uow.communities.save(ctx.community)
        await ctx.audit("posted reflection prompt", prompt.id)
        ctx.announce("reflections", "reflection_prompt", prompt=prompt.text(ctx.community.language))

    @feature.schedule("reflection")
    async def scheduled(ctx: CommunityContext) -> None:
        await post_next(ctx)

    @feature.command("reflect_now", "Post the next reflection prompt now.", role=Role.MODERATOR)
    async def reflect_now(ctx: CommandContext, args: Args) -> None:
        await post_next(ctx)
        await ctx.audit_action("started a reflection round")
        ctx.say("reflection_posted")

    return feature

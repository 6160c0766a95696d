"""`/setup reflection ...`: which themes come first, and when a round's digest goes out."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.context import CommandContext, CommunityContext
from bot.errors import Refusal
from bot.feature import SetupKey
from bot.scheduling import parse_duration
from bot.services.reflections.deck import THEMES
from bot.services.reflections.rounds import (
    THEMES_SETTING,
    WINDOW_SETTING,
    digest_window,
    emphasis,
)

MIN_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(weeks=4)
_CLEAR = ("all", "none", "off", "even", "evenly")
_WITH_NEXT = ("next", "off", "none")


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


async def _show(ctx: CommunityContext) -> str:
    themes = emphasis(ctx.community)
    window = digest_window(ctx.community)
    return ctx.text(
        "reflection_setup_show",
        themes=", ".join(themes) if themes else ctx.text("reflection_setup_themes_even"),
        digest=(
            ctx.text("reflection_setup_digest_after", window=_duration(window))
            if window
            else ctx.text("reflection_setup_digest_next")
        ),
    )


async def _change(ctx: CommandContext, value: str) -> None:
    what, _, rest = value.strip().partition(" ")
    words = [w for w in re.split(r"[\s,]+", rest.lower()) if w]
    if what.lower() == "themes" and words:
        if len(words) == 1 and words[0] in _CLEAR:
            ctx.community.settings.pop(THEMES_SETTING, None)
            return
        unknown = [w for w in words if w not in THEMES]
        if unknown:
            raise Refusal("reflection_setup_bad_theme", value=unknown[0], themes=", ".join(THEMES))
        ctx.community.settings[THEMES_SETTING] = list(dict.fromkeys(words))
        return
    if what.lower() == "digest" and len(words) == 1:
        if words[0] in _WITH_NEXT:
            ctx.community.settings.pop(WINDOW_SETTING, None)
            return
        try:
            window = parse_duration(words[0])
        except ValueError:
            raise Refusal("reflection_setup_bad_window", value=words[0]) from None
        if not MIN_WINDOW <= window <= MAX_WINDOW:
            raise Refusal("reflection_setup_bad_window", value=words[0])
        ctx.community.settings[WINDOW_SETTING] = int(window.total_seconds() // 60)
        return
    raise Refusal("reflection_setup_usage", themes=", ".join(THEMES))


reflection_setup = SetupKey("reflection", _show, _change)

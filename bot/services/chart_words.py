"""Catalog texts for charts: plain words, since an image shows no markup and the SVG escapes
its text itself (a need named `*x*` reads `*x*`, not `\\*x\\*`)."""

from __future__ import annotations

from typing import Any

from bot.context import CommunityContext
from bot.markup import plain


def words(ctx: CommunityContext, key: str, language: str | None, /, **params: Any) -> str:
    return plain(ctx.text(key, language, **params))

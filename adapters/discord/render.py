"""Core replies as Discord messages: plain text (no embeds) in Discord's Markdown, split within
Discord's limits, and never able to ping anyone.

Plain text rather than embeds: it reads the same on phones and desktops, screen readers handle it
well, and `allowed_mentions` governs it directly.
"""

from __future__ import annotations

import re

import discord

from bot.markup import parse

MESSAGE_LIMIT = 2000  # characters of a message's content
BUTTON_LABEL_LIMIT = 80
OPTION_LABEL_LIMIT = 100

# Sent with every message: user text can never ping @everyone, @here, a role or a user.
NO_MENTIONS = discord.AllowedMentions.none()


def to_discord(text: str) -> str:
    """The core's Markdown subset as Discord Markdown; everything else is escaped literally."""
    out: list[str] = []
    for span in parse(text):
        if span.style == "code":  # the core's code spans never hold a backtick
            out.append(f"`{span.text}`")
            continue
        escaped = discord.utils.escape_markdown(span.text)
        if span.style == "bold":
            out.append(f"**{escaped}**")
        elif span.style == "italic":
            out.append(f"*{escaped}*")
        else:
            out.append(escaped)
    return "".join(out)


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break, else a space, else anywhere
    that does not separate a backslash from the character it escapes."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
            while cut > 1 and _escapes_next(window[:cut]):
                cut -= 1
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece] or [""]


def _escapes_next(text: str) -> bool:
    """True when text ends in an odd run of backslashes (the last one escapes what follows)."""
    run = len(text) - len(text.rstrip("\\"))
    return run % 2 == 1


def shorten(label: str, limit: int) -> str:
    label = re.sub(r"\s+", " ", label).strip()
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"

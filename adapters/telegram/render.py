"""Core replies as Telegram HTML: the core's Markdown subset becomes <b>, <i> and <code>, every
piece of text is escaped, and long texts are cut into messages Telegram accepts.

Splitting happens on the parsed spans, never on the HTML, so a tag is never cut in half; cuts
fall on a paragraph, line or word boundary whenever one exists within the limit.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache

from bot.markup import Span, parse

MESSAGE_LIMIT = 4096  # characters after entity parsing, counted in UTF-16 code units
_TAGS = {"bold": "b", "italic": "i", "code": "code"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_point(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units, preferring a boundary."""
    if utf16_len(text) <= limit:  # nearly every message: no need to walk it character by character
        return len(text)
    fits = 0
    units = 0
    for char in text:
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        fits += 1
    if fits == len(text):
        return fits
    window = text[: fits + 1]  # a boundary right after the last fitting character counts too
    for least in (fits // 2, 1):  # prefer a paragraph or line break, unless it is far back
        for boundary in ("\n\n", "\n", " "):
            at = window.rfind(boundary)
            if at >= least:
                return at
    return fits  # one unbroken word longer than a message: cut it


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[tuple[int, int]]:
    """(start, end) ranges of `text`, each within `limit`, without surrounding whitespace."""
    ranges: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        end = start + _cut_point(text[start:], limit)
        stripped = end
        while stripped > start and text[stripped - 1].isspace():
            stripped -= 1
        ranges.append((start, stripped))
        start = end
    return ranges


def _html(spans: Sequence[Span]) -> str:
    parts = []
    for span in spans:
        escaped = html.escape(span.text, quote=False)
        tag = _TAGS.get(span.style)
        parts.append(f"<{tag}>{escaped}</{tag}>" if tag else escaped)
    return "".join(parts)


def _slice(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans covering characters [start, end) of their joined text, styles kept."""
    found: list[Span] = []
    position = 0
    for span in spans:
        span_start, span_end = position, position + len(span.text)
        position = span_end
        low, high = max(start, span_start), min(end, span_end)
        if low < high:
            found.append(Span(span.text[low - span_start : high - span_start], span.style))
    return found


def to_html(text: str) -> str:
    return _html(parse(text))


def render(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The text as one or more HTML messages, each at most `limit` visible characters."""
    if len(text) <= limit:
        return list(_rendered(text, limit))
    return _render(text, limit)


# The same texts go out again and again (a listing many people ask for, a check-in round to a
# whole group): rendering one was 4% of the bot's time in the Telegram bench, and a kept
# one costs nothing. Only short texts are kept, and few, so the cache stays small.
@lru_cache(maxsize=128)
def _rendered(text: str, limit: int) -> tuple[str, ...]:
    return tuple(_render(text, limit))


def _render(text: str, limit: int) -> list[str]:
    spans = parse(text)
    joined = "".join(span.text for span in spans)
    return [_html(_slice(spans, start, end)) for start, end in split_plain(joined, limit)]


def keyboard_rows(labels: Sequence[str], width: int = 40, per_row: int = 4) -> list[list[int]]:
    """Indexes of buttons grouped in rows: short labels share a row, long ones stand alone."""
    rows: list[list[int]] = []
    used = 0
    for index, label in enumerate(labels):
        size = len(label) + 4  # a button's padding
        if rows and len(rows[-1]) < per_row and used + size <= width:
            rows[-1].append(index)
            used += size
        else:
            rows.append([index])
            used = size
    return rows

"""What people type, made safe once where it enters the core: nothing hidden, nothing disguised.

Every event from an adapter passes through `clean_event` before the core reads it, so stored
and echoed text is Unicode NFC and free of:
- control characters (a newline stays in text; a tab becomes a space; terminal escape
  sequences go whole);
- invisible format characters (zero-width space, word joiner, BOM, soft hyphen, tag
  characters) and characters that show as nothing (Hangul fillers, the blank braille cell,
  combining marks with nothing to combine with). A zero-width joiner or non-joiner stays
  only inside a word or emoji of a script that needs it (a family emoji, Persian, Indic
  scripts); between two ASCII characters it could only disguise a word;
- bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): dropped,
  so nothing typed can flip the text placed after it. Right-to-left text still shows right
  to left: each letter carries its own direction. The direction marks (LRM, RLM, ALM) act
  on their neighbours only, so they stay where they touch something visible.
So what is left either shows or is ordinary white space, and the core's usual "empty once
stripped" checks hold for every part of a text: a required parameter left blank is missing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from bot.events import CommandInvoked, Event, MessagePosted, Origin

JOINERS = frozenset("\u200c\u200d")
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
# Not format characters, yet they show as nothing: fillers and the blank braille cell.
_SHOW_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_NEWLINES = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI, e.g. colours
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, e.g. window titles and links
    r"|\x1b[@-_]"  # other two-character sequences
)
_SPACES = re.compile(r"\s+")


def _kept(char: str, before: str) -> bool:
    """Whether a character stays, given the last character kept before it."""
    if char == "\n":
        return True
    category = unicodedata.category(char)
    if category in ("Cc", "Cs") or char in _SHOW_NOTHING:
        return False
    if category == "Cf":  # joiners and direction marks: decided once their neighbours are known
        return char in JOINERS or char in DIRECTION_MARKS
    if category[0] == "M":  # a mark needs something visible to sit on
        return _shows(before)
    return True


def _shows(char: str) -> bool:
    return bool(char) and not char.isspace() and unicodedata.category(char) != "Cf"


def _stays(char: str, before: str, after: str) -> bool:
    """Whether a joiner or direction mark stays between these neighbours."""
    if char in DIRECTION_MARKS:
        return _shows(before) or _shows(after)
    if not before or not after or (before.isascii() and after.isascii()):
        return False  # a joiner between ASCII letters can only disguise a word
    return all(unicodedata.category(c)[0] in "LMS" for c in (before, after))


def clean_text(text: str) -> str:
    """The text as it may be stored and shown: see the module's docstring."""
    if text.isascii() and text.isprintable():
        # Most text: nothing in it to drop, join or normalize (no control, format or combining
        # character is printable ASCII), so only the ends' spaces go.
        return text.strip()
    text = _NEWLINES.sub("\n", _ESCAPE_SEQUENCE.sub("", text)).replace("\t", " ")
    kept: list[str] = []
    for char in text:
        if _kept(char, kept[-1] if kept else ""):
            kept.append(char)
    joined = [
        c
        for i, c in enumerate(kept)
        if unicodedata.category(c) != "Cf"
        or _stays(c, kept[i - 1] if i else "", kept[i + 1] if i + 1 < len(kept) else "")
    ]
    return unicodedata.normalize("NFC", "".join(joined)).strip()


def is_blank(text: str) -> bool:
    """Whether nothing in the text would show once it is cleaned."""
    return not clean_text(text)


def clean_name(name: str) -> str:
    """A name or title from a platform, on one line with single spaces."""
    return _SPACES.sub(" ", clean_text(name)).strip()


def clean_origin(origin: Origin) -> Origin:
    person = origin.person
    name = clean_name(person.display_name)
    if name != person.display_name:
        person = replace(person, display_name=name)
    community_name = clean_name(origin.community_name)
    if person is origin.person and community_name == origin.community_name:
        return origin  # nearly always: dataclasses.replace costs more than the cleaning
    return replace(origin, person=person, community_name=community_name)


def _option(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def clean_event(event: Event) -> Event:
    """The event as the core may read it: every text a person or platform wrote, cleaned."""
    origin = clean_origin(event.origin)
    match event:
        case CommandInvoked():
            options = event.options
            if options is not None:
                options = tuple((name, _option(value)) for name, value in options)
            name, text = clean_name(event.name), clean_text(event.text)
            if (origin, name, text, options) == (
                event.origin,
                event.name,
                event.text,
                event.options,
            ):
                return event
            return replace(event, origin=origin, name=name, text=text, options=options)
        case MessagePosted():
            text = clean_text(event.text)
            if origin is event.origin and text == event.text:
                return event
            return replace(event, origin=origin, text=text)
    return event if origin is event.origin else replace(event, origin=origin)

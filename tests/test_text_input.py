"""Input that cannot hide or disguise: what people type is cleaned once, where it enters the
core, so nothing stored or shown carries control characters, hidden text or a direction
override, and text with nothing visible is refused like text that is missing."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import unicodedata
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import CommandInvoked
from bot.text_input import clean_name, clean_text, is_blank
from storage.sqlite import SqliteStore
from tests.peek import contents, rows
from tests.support import World, public, text, to

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2062\U000e0041\u3164\u2800\u034f"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CONTROL = "\x00\x07\x08\x1b\x7f\x85\x9b\t\r\n\u2028\u2029"
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hidden(value: str) -> list[str]:
    """Characters that must never be stored or shown: controls (a newline is fine), format
    characters other than joiners and direction marks, and bidirectional controls."""
    allowed = "\n\u200c\u200d\u200e\u200f\u061c"
    return [
        char
        for char in value
        if char in BIDI_CONTROLS
        or (unicodedata.category(char) in ("Cc", "Cf") and char not in allowed)
    ]


# -- the cleaning itself --------------------------------------------------------------------


def test_controls_and_escape_sequences_are_removed_and_a_newline_kept() -> None:
    assert clean_text("bell\x07 nul\x00 \x1b[31mred\x1b[0m\r\nnext\tline") == (
        "bell nul red\nnext line"
    )


def test_zero_width_and_filler_characters_are_removed() -> None:
    assert clean_text("ad\u200bmin\u2060 so\u00adft \ufeffx") == "admin soft x"
    assert clean_text("\u3164\u2800\u200b") == ""


def test_a_joiner_inside_an_emoji_or_a_persian_word_stays() -> None:
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with its ZWNJ
    assert clean_text(family) == family
    assert clean_text(persian) == persian
    assert clean_text("ad\u200dmin \u200d") == "admin"  # between ASCII letters it disguises


def test_a_direction_mark_stays_beside_words_and_goes_alone() -> None:
    shalom = "\u05e9\u05dc\u05d5\u05dd!\u200f"
    assert clean_text(shalom) == shalom
    assert clean_text(" \u200f \u200e\u0301 ") == ""


def test_text_is_composed_into_nfc() -> None:
    assert clean_text("Cafe\u0301") == "Caf\u00e9"


def test_a_name_stays_on_one_line() -> None:
    assert clean_name("  ana\n\u202e  lee\t") == "ana lee"


# -- what people see ----------------------------------------------------------------------


async def test_an_invisible_title_is_refused(world: World) -> None:
    replies = await world.say("ana", "/propose \u200b\u200b")
    assert "I need the" in text(to(replies, "ana"))
    assert not public(replies)
    replies = await world.say("ana", "/propose \u2800\u3164 | \u200bdetails")
    assert not public(replies)
    assert "title" in text(to(replies, "ana")).lower()
    assert "New proposal" not in text(replies)


async def test_an_invisible_build_is_refused(world: World) -> None:
    await world.say("ana", "/propose Garden | Use the empty lot")
    replies = await world.say("bob", "/build 1 \u200b\u2060\u200d")
    assert "I need the" in text(to(replies, "bob"))
    shown = text(await world.say("bob", "/proposal 1"))
    assert "bob" not in shown.lower()


async def test_an_unclosed_right_to_left_override_does_not_flip_what_follows(
    world: World,
) -> None:
    await world.say("ana", "/propose Garden \u202eplan | Use the \u2067empty lot")
    replies = await world.say("ana", "/proposal 1")
    shown = text(replies)
    assert "Garden plan" in shown and "Use the empty lot" in shown
    assert not BIDI_CONTROLS & set(shown)


async def test_nul_bell_and_escape_sequences_are_neither_stored_nor_echoed(world: World) -> None:
    replies = await world.say("ana", "/propose Bells\x07\x00 | \x1b[31mloud\x1b[0m details")
    replies += await world.say("ana", "/proposal 1")
    assert "Bells" in text(replies) and "loud details" in text(replies)
    assert not hidden(text(replies))
    assert not await _hidden_in_store(world)


async def test_an_unknown_command_is_not_echoed_with_its_escape_sequences(world: World) -> None:
    replies = await world.say("ana", "/\x1b[2Jwipe\u202e")
    assert "I don't know the command /wipe." in text(replies)
    assert not hidden(text(replies))


async def test_a_private_answer_of_invisible_characters_is_refused_kindly(world: World) -> None:
    replies = await world.privately("ana", "\u200b\u200d\u2060")
    assert "couldn't find any words" in text(to(replies, "ana"))


async def test_a_display_name_cannot_hide_or_flip(world: World) -> None:
    origin = world.origin("ana")
    person = dataclasses.replace(origin.person, display_name="\u202eana\x1b[2J\u200b")
    event = CommandInvoked(dataclasses.replace(origin, person=person), "propose", "Tea | Daily")
    replies = await world.hearth.handle(event)
    assert "by ana" in text(public(replies))
    assert not hidden(text(replies))


async def test_a_name_with_nothing_visible_is_still_a_name(world: World) -> None:
    origin = world.origin("ana")
    person = dataclasses.replace(origin.person, display_name="\u3164\u200b")
    event = CommandInvoked(dataclasses.replace(origin, person=person), "propose", "Tea | Daily")
    replies = await world.hearth.handle(event)
    assert "by a member with no visible name" in text(public(replies))


# -- every command, anything typed ----------------------------------------------------------

WORLD = World()
WORLD.make_admin("mod")
COMMANDS = [c.name for c in WORLD.hearth.registry.all()]
tricky = st.text(alphabet=st.sampled_from(INVISIBLE + BIDI + CONTROL + "ab1 |#"), max_size=40)
anything = st.one_of(
    tricky,
    st.lists(st.one_of(tricky, st.text(max_size=12)), max_size=4).map(" ".join),
)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        if value[:1] in ('"', "[", "{"):  # JSON text keeps what it holds \u-escaped
            try:
                held = json.loads(value)
            except ValueError:
                held = None
            yield from _strings(held)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


async def _hidden_in_store(world: World) -> list[str]:
    return [value for value in _strings(await contents(world.store)) if hidden(value)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(COMMANDS),
    args=anything,
    who=st.sampled_from(["bob", "mod"]),
    answer=anything,
    structured=st.booleans(),
)
def test_nothing_typed_into_any_command_is_stored_or_shown_hidden(
    command: str, args: str, who: str, answer: str, structured: bool
) -> None:
    async def run() -> None:
        if not await WORLD.say("mod", "/proposal 1"):
            await WORLD.say("mod", "/propose Garden | Use the empty lot")
        if structured:  # as Discord sends it: one typed value per parameter
            declared = WORLD.hearth.registry.get(command)
            assert declared is not None
            words = args.split(" ")
            options = tuple(
                (param.name, words[i % len(words)]) for i, param in enumerate(declared.params)
            )
            event = CommandInvoked(WORLD.origin(who), command, options=options)
            replies = await WORLD.hearth.handle(event)
        else:
            replies = await WORLD.say(who, f"/{command} {args}")
        replies += await WORLD.privately(who, answer)  # an answer to whatever was asked
        for reply in replies:
            assert not hidden(reply.text), reply.text
        assert not await _hidden_in_store(WORLD)
        store = WORLD.store
        assert isinstance(store, SqliteStore)
        for proposal in rows(store, "SELECT title FROM proposals"):
            assert not is_blank(proposal["title"])

    asyncio.run(run())


@given(st.text())
def test_cleaning_twice_changes_nothing_more(value: str) -> None:
    once = clean_text(value)
    assert clean_text(once) == once
    assert not hidden(once)

"""Core text as Telegram HTML: escaped, styled, and split where Telegram would accept it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.render import keyboard_rows, render, to_html, utf16_len
from bot.markup import escape, plain
from tests.telegram_fake import parse_html


def test_markup_becomes_tags_and_user_text_is_escaped() -> None:
    user = "Soup & bread <b>x</b> *not bold*"
    html = to_html(f"**{escape(user)}** _note_ `/help`")
    assert html == (
        "<b>Soup &amp; bread &lt;b&gt;x&lt;/b&gt; *not bold*</b> <i>note</i> <code>/help</code>"
    )
    assert parse_html(html)[0] == f"{user} note /help"


def test_a_long_text_is_split_at_words_within_the_limit() -> None:
    words = [f"word{n}" for n in range(2000)]
    parts = render(" ".join(words))
    assert len(parts) == 5  # 16,889 characters
    assert all(utf16_len(parse_html(p)[0]) <= 4096 for p in parts)
    assert " ".join(parts).split() == words


def test_a_paragraph_break_is_the_preferred_cut() -> None:
    first = "a " * 1500
    parts = render(first + "\n\n" + "b " * 1500)
    assert [set(p.split()) for p in parts] == [{"a"}, {"b"}]


def test_a_split_never_breaks_a_tag() -> None:
    parts = render("**" + "strong " * 1200 + "**")
    assert len(parts) == 3
    for part in parts:
        text, entities = parse_html(part)  # the strict parser accepts every part
        assert part.startswith("<b>") and part.endswith("</b>")
        assert entities == [{"type": "bold", "offset": 0, "length": utf16_len(text)}]


def test_emoji_count_twice_and_are_never_cut_in_half() -> None:
    parts = render("🍲" * 3000)
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == "🍲" * 3000


def test_blank_text_sends_nothing() -> None:
    assert render(" \n ") == []


def test_short_labels_share_a_row() -> None:
    assert keyboard_rows(["okay", "strained", "unmet", "skip"]) == [[0, 1, 2, 3]]
    assert keyboard_rows(["1", "2", "3", "4", "5"]) == [[0, 1, 2, 3], [4]]
    assert keyboard_rows(["Yes, erase it", "No, keep it"]) == [[0, 1]]
    assert keyboard_rows(["A rather long label for a button", "short"]) == [[0], [1]]


_pieces = st.one_of(
    st.text(alphabet="ab <>&\n*_`\\🍲é", min_size=1, max_size=40),
    st.sampled_from(["**bold**", "_it_", "`code`", " ", "\n\n"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_pieces, max_size=60), st.integers(min_value=8, max_value=200))
def test_every_part_is_valid_html_within_the_limit(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    parts = render(text, limit)
    shown = [parse_html(part)[0] for part in parts]
    assert all(0 < utf16_len(s) <= limit for s in shown)
    assert "".join("".join(shown).split()) == "".join(plain(text).split())

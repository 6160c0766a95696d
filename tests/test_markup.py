"""The core's Markdown subset: user text, once escaped, never changes the formatting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.markup import Span, escape, parse, plain


def test_an_escaped_star_next_to_the_closing_marker_stays_text() -> None:
    assert parse("**" + escape("*not bold*") + "**") == [Span("*not bold*", "bold")]
    assert parse("_" + escape("snake_case_") + "_ done") == [
        Span("snake_case_", "italic"),
        Span(" done"),
    ]


@given(st.text(alphabet="ab *_`\\\n", min_size=1, max_size=30))
def test_escaped_user_text_comes_back_unchanged(user: str) -> None:
    assert plain(escape(user)) == user
    assert parse("**" + escape(user) + "**") == [Span(user, "bold")]

"""How core replies look in Discord: Markdown, escaping, splitting and components."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.components import ChoiceButton, ChoiceSelect, choices_view
from adapters.discord.render import MESSAGE_LIMIT, shorten, split, to_discord
from bot.markup import escape
from bot.replies import Choice


def test_the_core_subset_becomes_discord_markdown() -> None:
    assert to_discord("**Hello** _there_ `code`") == "**Hello** *there* `code`"


def test_user_text_cannot_format_or_break_out() -> None:
    user = "*bold* __under__ ~~gone~~ ||spoiler|| `tick`"
    shown = to_discord(f"**Note:** {escape(user)}")
    assert shown.startswith("**Note:** ")
    for marker in ("\\*bold\\*", "\\_\\_under\\_\\_", "\\~\\~gone\\~\\~", "\\|\\|spoiler\\|\\|"):
        assert marker in shown


def test_long_text_is_split_at_line_breaks_within_the_limit() -> None:
    lines = [f"line {n} " + "x" * 50 for n in range(100)]
    pieces = split("\n".join(lines))
    assert len(pieces) > 1 and all(len(p) <= MESSAGE_LIMIT for p in pieces)
    assert "\n".join(pieces).split("\n") == lines


def test_a_long_word_is_cut_without_separating_an_escape() -> None:
    text = "a" * (MESSAGE_LIMIT - 1) + "\\*" + "b" * 10
    pieces = split(text)
    assert pieces[0] == "a" * (MESSAGE_LIMIT - 1)
    assert pieces[1].startswith("\\*")


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\\", "*", "é"]), max_size=6000))
def test_splitting_never_exceeds_the_limit_or_loses_words(text: str) -> None:
    pieces = split(text, 100)
    assert all(0 < len(p) <= 100 for p in pieces) or pieces == [""]
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_labels_are_shortened_for_buttons() -> None:
    assert shorten("x" * 100, 80) == "x" * 79 + "…"
    assert shorten("two\nlines", 80) == "two lines"


def test_a_few_choices_are_buttons_and_many_are_a_select_menu() -> None:
    few = choices_view([Choice("Yes", "c:yes"), Choice("**No**", "c:no")])
    assert few is not None
    buttons = [item for item in few.children if isinstance(item, ChoiceButton)]
    assert [b.item.label for b in buttons] == ["Yes", "No"]
    assert [b.item.custom_id for b in buttons] == ["c:yes", "c:no"]

    many = choices_view([Choice(f"n{n}", f"c:{n}") for n in range(30)])
    assert many is not None
    selects = [item for item in many.children if isinstance(item, ChoiceSelect)]
    assert [s.item.custom_id for s in selects] == ["~pick:0", "~pick:1"]
    assert [len(s.item.options) for s in selects] == [25, 5]


def test_a_button_names_no_server_and_an_older_one_that_does_is_read_without_it() -> None:
    view = choices_view([Choice("Fine", "checkin:1:fine")])
    assert view is not None
    assert [item.custom_id for item in view.children] == [  # type: ignore[attr-defined]
        "checkin:1:fine"
    ]
    older = ChoiceButton.__discord_ui_compiled_template__.fullmatch("@123:checkin:1:fine")
    assert older is not None and older["key"] == "checkin:1:fine"

"""Texts come from the catalog, and user text can never change a message's formatting."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.markup import Span, escape, parse, plain

ROOT = Path(__file__).resolve().parent.parent


@given(st.text())
def test_escaped_user_text_comes_back_exactly_as_written(user_text: str) -> None:
    spans = parse(f"**Title** {escape(user_text)} end")
    assert spans[0] == Span("Title", "bold")
    assert "".join(s.text for s in spans[1:]) == f" {user_text} end"
    assert all(s.style == "" for s in spans[1:])


def test_markup_subset() -> None:
    assert parse("a **b** _c_ `d`") == [
        Span("a "),
        Span("b", "bold"),
        Span(" "),
        Span("c", "italic"),
        Span(" "),
        Span("d", "code"),
    ]
    assert plain("use /suggest_prompt or /prompt_add") == "use /suggest_prompt or /prompt_add"
    assert plain("**unclosed") == "**unclosed"


def test_catalog_params_are_escaped() -> None:
    catalog = Catalog.load()
    shown = catalog.text("mods_added", "en", name="**Ana**_`")
    assert plain(shown).startswith("**Ana**_` is now a moderator")


def test_every_text_key_used_in_code_exists_in_english() -> None:
    catalog = Catalog.load()
    used: set[str] = set()
    first_arg = re.compile(
        r"""(?:Refusal|\.say|ctx\.text|catalog\.text)\(\s*["']([a-z][a-z0-9_]+)["']"""
    )
    second_arg = re.compile(r"""\.(?:announce|tell)\(\s*[^,()]+,\s*["']([a-z][a-z0-9_]+)["']""")
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        source = path.read_text()
        used.update(first_arg.findall(source))
        used.update(second_arg.findall(source))
    missing = sorted(key for key in used if not catalog.has(key))
    assert missing == []

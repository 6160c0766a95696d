"""Reflection decks are data in prompts/decks; a broken one stops start-up, naming file and line."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from bot.app import build_hearth
from bot.catalog import Catalog
from bot.cli import main
from bot.clock import FakeClock
from bot.services.reflections import DeckError, load_deck
from bot.services.reflections import deck as deck_module
from bot.services.reflections.deck import THEMES
from tests.stores import fresh_store

GOOD = """\
prompts:
  - id: test-01
    theme: needs
    text:
      en: "What do you need today?"
"""


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def broken(tmp_path: Path, body: str) -> str:
    write(tmp_path, "broken.yaml", body)
    with pytest.raises(DeckError) as raised:
        load_deck(tmp_path)
    return str(raised.value)


def test_the_built_in_deck_has_forty_prompts_or_more_over_every_theme() -> None:
    deck = load_deck()
    assert len(deck) >= 40
    assert {p.theme for p in deck} == set(THEMES)
    assert len({p.id for p in deck}) == len(deck)
    assert len({p.text("en") for p in deck}) == len(deck)


def test_every_theme_has_a_name_for_people() -> None:
    catalog = Catalog.load()
    for theme in THEMES:
        assert catalog.has(f"reflection_theme_{theme}")


def test_a_prompt_is_shown_in_the_community_language_or_english(tmp_path: Path) -> None:
    write(
        tmp_path,
        "two.yaml",
        """\
        prompts:
          - id: test-01
            theme: gratitude
            text:
              en: "Who helped you?"
              de: "Wer hat dir geholfen?"
        """,
    )
    [prompt] = load_deck(tmp_path)
    assert prompt.text("de") == "Wer hat dir geholfen?"
    assert prompt.text("pt") == "Who helped you?"


def test_a_missing_field_names_the_file_and_line(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        """\
        prompts:
          - id: test-01
            theme: needs
            text:
              en: "What do you need today?"
          - id: test-02
            text:
              en: "What can you give?"
        """,
    )
    assert "broken.yaml, line 6:" in message
    assert "prompt 'test-02' has no theme" in message


def test_a_duplicate_id_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    message = broken(
        tmp_path,
        """\
        prompts:
          - id: other-01
            theme: scale
            text:
              en: "What could grow from this?"
          - id: test-01
            theme: sharing
            text:
              en: "What will you share?"
        """,
    )
    assert "broken.yaml, line 6: id 'test-01' is used twice" in message
    assert "a.yaml line 2" in message


def test_an_unknown_theme_names_the_file_and_line(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        """\
        prompts:
          - id: test-01
            theme: kindness
            text:
              en: "Who was kind to you?"
        """,
    )
    assert "broken.yaml, line 3: unknown theme 'kindness'" in message
    assert "needs, contribution, sharing" in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "prompts:\n  - id: test-01\n    theme: needs\n    text: [oops\n",
            "line 5: not valid YAML",
        ),
        ("", "the file is empty"),
        ("prompt:\n  - id: x\n", "line 1: unknown section 'prompt'"),
        (
            "prompts:\n  - id: test-01\n    theme: needs\n    text:\n      de: 'Was?'\n",
            "line 5: 'test-01' needs an English ('en') text",
        ),
        (
            "prompts:\n  - id: Test_1\n    theme: needs\n    text:\n      en: 'What?'\n",
            "line 2: id 'Test_1' should be lowercase words joined by hyphens",
        ),
        (
            "prompts:\n  - id: test-01\n    theme: needs\n    theme: scale\n    text:\n"
            "      en: 'What?'\n",
            "line 4: a prompt gives 'theme' twice",
        ),
        (
            "prompts:\n  - id: test-01\n    theme: needs\n    txt:\n      en: 'What?'\n",
            "line 4: unknown field 'txt'",
        ),
        (
            "prompts:\n  - id: test-01\n    theme: needs\n    text:\n      en: ''\n",
            "line 5: the en text of 'test-01' is empty",
        ),
    ],
)
def test_other_mistakes_are_named_too(tmp_path: Path, body: str, expected: str) -> None:
    message = broken(tmp_path, body)
    assert message.startswith(str(tmp_path / "broken.yaml"))
    assert expected in message


def test_start_up_stops_on_a_broken_deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "broken.yaml", GOOD.replace("theme: needs", "theme: nonsense"))
    monkeypatch.setattr(deck_module, "DECKS_DIR", tmp_path)
    with pytest.raises(DeckError, match=r"broken\.yaml, line 3: unknown theme 'nonsense'"):
        build_hearth(store=fresh_store(), clock=FakeClock())


def test_the_console_with_a_broken_deck_exits_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    write(decks, "broken.yaml", GOOD.replace("    theme: needs\n", ""))
    monkeypatch.setattr(deck_module, "DECKS_DIR", decks)
    monkeypatch.setenv("HEARTH_DATABASE", str(tmp_path / "hearth.db"))
    monkeypatch.setattr("sys.stdin", io.StringIO("/help\n"))  # never reached

    assert main(["console"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("hearth: ")
    assert "broken.yaml, line 2: prompt 'test-01' has no theme" in err

    assert main(["commands"]) == 2
    assert "broken.yaml, line 2" in capsys.readouterr().err

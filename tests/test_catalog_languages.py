"""Every language has every text, with English's placeholders and markup (the catalog check
translators run as `hearth texts --missing <language>`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog

CATALOG = Catalog.load()
TRANSLATIONS = [language for language in CATALOG.languages if language != "en"]


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_language_has_every_text_with_the_same_placeholders_and_markup(language: str) -> None:
    assert CATALOG.problems(language) == {}


def test_spanish_and_german_are_complete_languages() -> None:
    assert {"es", "de"} <= set(CATALOG.languages)
    assert len(CATALOG.keys("es")) == len(CATALOG.keys("de")) == len(CATALOG.keys("en"))


def test_every_command_is_described_within_discords_limit_in_every_language() -> None:
    described = [key for key in CATALOG.keys("en") if key.startswith("command_")]
    for language in CATALOG.languages:
        too_long = [key for key in described if len(CATALOG.text(key, language)) > 100]
        assert too_long == [], language


def _catalog(tmp_path: Path, english: str, other: str) -> Catalog:
    for language, body in (("en", english), ("xx", other)):
        (tmp_path / language).mkdir()
        (tmp_path / language / "texts.yaml").write_text("texts:\n" + body, encoding="utf-8")
    return Catalog.load(tmp_path)


def test_the_check_names_what_a_translator_should_fix(tmp_path: Path) -> None:
    english = (
        "  greeting: 'Hello {name}, welcome to **{community}**.'\n"
        "  farewell: 'Goodbye.'\n"
        "  listed:\n    one: 'One `entry`'\n    other: '{count} `entries`'\n"
        "  kept: 'Send /help.'\n"
    )
    other = (
        "  greeting: 'Hola {nombre}, bienvenida a {community}.'\n"
        "  listed:\n    one: 'Una `entrada`'\n    other: '{count} `entradas`'\n"
        "  kept: 'Envía **/help.'\n"
        "  typo: 'Hola'\n"
    )
    problems = _catalog(tmp_path, english, other).problems("xx")

    assert problems == {
        "greeting": "placeholders English does not have: nombre",
        "farewell": "missing (English is shown instead)",
        "kept": "a ** or ` marker is left open",
        "typo": "not an English key (a typo, or a text English no longer has)",
    }


def test_a_translation_without_the_bold_english_has_is_reported(tmp_path: Path) -> None:
    catalog = _catalog(
        tmp_path, "  about: 'About **{community}**'\n", "  about: 'Sobre {community}'\n"
    )
    assert catalog.problems("xx") == {
        "about": "other markup than English (bold, italic or code spans)"
    }


def test_a_missing_text_falls_back_to_english(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, "  a: 'Hello'\n  b: 'Bye'\n", "  a: 'Hola'\n")
    assert catalog.text("a", "xx") == "Hola"
    assert catalog.text("b", "xx") == "Bye"


def test_translators_ask_hearth_what_is_left_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["texts", "--missing", "es"]) == 0
    assert (
        f"es: {len(CATALOG.keys())} of {len(CATALOG.keys())} texts ready" in capsys.readouterr().err
    )
    assert main(["texts", "--missing", "fr"]) == 2
    assert "there is no prompts/fr/ yet" in capsys.readouterr().err


def test_commands_are_listed_in_a_language(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["commands", "--language", "de"]) == 0
    listed = capsys.readouterr().out
    assert "/timezone [zone]" in listed and "Zeitzone" in listed

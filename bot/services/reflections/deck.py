"""Reflection decks: prompts/decks/*.yaml, read once at start-up and checked strictly.

A deck file looks like this (every prompt needs an id, a theme and its text per language):

    prompts:
      - id: needs-01
        theme: needs
        text:
          en: "What gave you energy lately, and what used it up?"

Files are read as YAML node trees (yaml.compose) rather than plain data, so that every mistake
can be reported with the file and the line it is on: a broken deck stops Hearth from starting
instead of surfacing weeks later as a round with no prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.catalog import DEFAULT_LANGUAGE, PROMPTS_DIR

DECKS_DIR = PROMPTS_DIR / "decks"

# The themes a prompt may carry, drawn from the thinking behind Hearth. Their names for people
# are catalog texts `reflection_theme_<theme>`.
THEMES = ("needs", "contribution", "sharing", "inclusion", "complexity", "scale", "gratitude")

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")  # always a hyphen: community keys are "c12"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_FIELDS = ("id", "theme", "text")
MAX_PROMPT_CHARS = 300


class DeckError(ValueError):
    """A deck file is broken. A ValueError, so the CLI prints it as one line and stops."""


@dataclass(frozen=True)
class DeckPrompt:
    id: str
    theme: str
    texts: Mapping[str, str]

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class Deck:
    """The built-in prompts every community starts from."""

    prompts: tuple[DeckPrompt, ...]

    def get(self, prompt_id: str) -> DeckPrompt | None:
        for prompt in self.prompts:
            if prompt.id == prompt_id:
                return prompt
        return None

    def __len__(self) -> int:
        return len(self.prompts)

    def __iter__(self) -> Iterator[DeckPrompt]:
        return iter(self.prompts)


def load_deck(directory: Path | None = None) -> Deck:
    """Every deck file in `directory` (prompts/decks by default), as one deck."""
    folder = directory if directory is not None else DECKS_DIR
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        raise DeckError(f"{_shown(folder)}: no reflection deck files (*.yaml) found")
    seen: dict[str, str] = {}
    prompts: list[DeckPrompt] = []
    for file in files:
        prompts.extend(_read_file(file, seen))
    if not prompts:
        raise DeckError(f"{_shown(folder)}: the reflection decks hold no prompts")
    return Deck(tuple(prompts))


def _shown(path: Path) -> str:
    """A path as people know it: relative to the project when it is inside it."""
    try:
        return str(path.resolve().relative_to(PROMPTS_DIR.parent))
    except ValueError:
        return str(path)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> DeckError:
        if node is None:
            return DeckError(f"{_shown(self.path)}: {message}")
        return DeckError(f"{_shown(self.path)}, line {node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key, refusing non-mappings and keys given twice."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} should be a mapping of names to values")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, f"{what} has a key that is not a plain name")
            if key.value in entries:
                raise self.fail(key, f"{what} gives '{key.value}' twice")
            entries[key.value] = (key, value)
        return entries

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.fail(node, f"{what} should be text")
        value = str(node.value).strip()
        if not value:
            raise self.fail(node, f"{what} is empty")
        return value


def _read_file(path: Path, seen: dict[str, str]) -> list[DeckPrompt]:
    reader = _Reader(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise DeckError(f"{_shown(path)}{where}: not valid YAML ({error.problem})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DeckError(f"{_shown(path)}: cannot be read ({error})") from None
    if root is None:
        raise reader.fail(None, "the file is empty; a deck starts with 'prompts:' and a list")
    top = reader.mapping(root, "the deck")
    for name, (key, _) in top.items():
        if name not in ("prompts", "about"):
            raise reader.fail(key, f"unknown section '{name}'; a deck has 'prompts' (and 'about')")
    if "prompts" not in top:
        raise reader.fail(root, "the deck has no 'prompts' list")
    items = top["prompts"][1]
    if not isinstance(items, yaml.SequenceNode):
        raise reader.fail(items, "'prompts' should be a list of prompts")
    return [_read_prompt(reader, item, seen) for item in items.value]


def _read_prompt(reader: _Reader, item: yaml.Node, seen: dict[str, str]) -> DeckPrompt:
    fields = reader.mapping(item, "a prompt")
    for name, (key, _) in fields.items():
        if name not in _FIELDS:
            raise reader.fail(key, f"unknown field '{name}'; a prompt has id, theme and text")
    missing = [name for name in _FIELDS if name not in fields]
    if missing:
        label = f"prompt '{fields['id'][1].value}'" if "id" in fields else "a prompt"
        raise reader.fail(
            item, f"{label} has no {' or '.join(missing)} (every prompt needs id, theme and text)"
        )
    id_node, theme_node, text_node = (fields[name][1] for name in _FIELDS)
    prompt_id = reader.text(id_node, "the id")
    if not _ID.match(prompt_id):
        raise reader.fail(
            id_node, f"id '{prompt_id}' should be lowercase words joined by hyphens, like needs-01"
        )
    where = f"{_shown(reader.path)} line {id_node.start_mark.line + 1}"
    if prompt_id in seen:
        raise reader.fail(id_node, f"id '{prompt_id}' is used twice (first at {seen[prompt_id]})")
    seen[prompt_id] = where
    theme = reader.text(theme_node, "the theme")
    if theme not in THEMES:
        raise reader.fail(
            theme_node, f"unknown theme '{theme}' in '{prompt_id}'; themes: {', '.join(THEMES)}"
        )
    texts: dict[str, str] = {}
    for language, (key, value) in reader.mapping(text_node, f"the text of '{prompt_id}'").items():
        if not _LANGUAGE.match(language):
            raise reader.fail(key, f"'{language}' is not a language code like en or pt-BR")
        texts[language] = reader.text(value, f"the {language} text of '{prompt_id}'")
        if len(texts[language]) > MAX_PROMPT_CHARS:
            raise reader.fail(
                value, f"the {language} text of '{prompt_id}' is over {MAX_PROMPT_CHARS} characters"
            )
    if DEFAULT_LANGUAGE not in texts:
        raise reader.fail(text_node, f"'{prompt_id}' needs an English ('en') text")
    return DeckPrompt(prompt_id, theme, texts)

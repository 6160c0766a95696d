"""Every user-facing sentence, loaded from prompts/<language>/*.yaml and keyed by name.

Adding a language is adding a folder; a key missing in that language falls back to English.
Parameters are escaped as user text unless wrapped in `Markup`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.markup import escape

DEFAULT_LANGUAGE = "en"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class CatalogError(Exception):
    """A catalog file is broken; raised at start-up, naming the file."""


class Markup(str):
    """Text that is already in the core's markup and must not be escaped again."""


def _field_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        if DEFAULT_LANGUAGE not in texts:
            raise CatalogError(f"the catalog has no '{DEFAULT_LANGUAGE}' texts")
        self._texts = texts

    @classmethod
    def load(cls, root: Path = PROMPTS_DIR) -> Catalog:
        texts: dict[str, dict[str, str]] = {}
        for lang_dir in sorted(p for p in root.iterdir() if _LANGUAGE.match(p.name)):
            lang_texts: dict[str, str] = {}
            for file in sorted(lang_dir.glob("*.yaml")):
                data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
                texts_section = data.get("texts", {}) if isinstance(data, dict) else None
                if not isinstance(texts_section, dict):
                    raise CatalogError(f"{file}: expected a mapping under 'texts'")
                for key, value in texts_section.items():
                    if not isinstance(value, str):
                        raise CatalogError(f"{file}: text '{key}' is not a string")
                    if key in lang_texts:
                        raise CatalogError(f"{file}: text '{key}' is defined twice")
                    lang_texts[key] = value.rstrip("\n")
            if lang_texts:
                texts[lang_dir.name] = lang_texts
        return cls(texts)

    @property
    def languages(self) -> list[str]:
        return sorted(self._texts)

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LANGUAGE]

    def template(self, key: str, language: str | None = None) -> str:
        lang = language if language is not None and language in self._texts else DEFAULT_LANGUAGE
        found = self._texts[lang].get(key) or self._texts[DEFAULT_LANGUAGE].get(key)
        if found is None:
            raise KeyError(f"no text '{key}' in the catalog")
        return found

    def text(self, key: str, language: str | None = None, /, **params: Any) -> str:
        template = self.template(key, language)
        safe = {
            name: value if isinstance(value, Markup | int | float) else escape(str(value))
            for name, value in params.items()
        }
        return template.format(**safe)

    def missing_keys(self, language: str) -> set[str]:
        return set(self._texts[DEFAULT_LANGUAGE]) - set(self._texts.get(language, {}))

    def fields(self, key: str) -> set[str]:
        return _field_names(self.template(key))

"""Every user-facing sentence, loaded from prompts/<language>/*.yaml and keyed by name.

Adding a language is adding a folder; a key missing in that language falls back to English.
Parameters are escaped as user text unless wrapped in `Markup`. A text that shows a count is a
mapping of plural forms (`one:`, `other:`, … as the language's rules name them, `other` always
there), chosen by Babel from its `count` parameter. A `Phrase` parameter is another text, rendered
in the same language as the text it sits in.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import yaml
from babel import Locale, UnknownLocaleError

from bot.markup import escape, parse

DEFAULT_LANGUAGE = "en"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
# libyaml's loader where PyYAML was built with it: a tenth of the pure-Python one's time.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(Exception):
    """A catalog file is broken; raised at start-up, naming the file."""


class Markup(str):
    """Text that is already in the core's markup and must not be escaped again."""


_FIELD_THEN_STOP = re.compile(r"\{(\w+)\}(\"?)\.")  # also after a closing quote
_SENTENCE_ENDS = (".", "!", "?", "…")
_PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
Text = str | dict[str, str]  # a sentence, or its plural forms


class Phrase:
    """A catalog text used as a parameter of another, rendered in the reader's language
    (a parameter's label, a counted noun such as "2 consents")."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:  # a value: stored and read back, it is the same
        return isinstance(other, Phrase) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params))))


@runtime_checkable
class Localized(Protocol):
    """A parameter that becomes words only once the reader's language is known (a usage line)."""

    def localize(self, catalog: Catalog, language: str | None) -> str: ...


def _field_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@lru_cache(maxsize=64)  # parsing a locale is costly and the languages are few
def locale_for(language: str) -> Locale:
    """Babel's locale for a language code; English when Babel does not know it."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@lru_cache(maxsize=4096)  # counts are mostly small, and Babel evaluates the rule each time
def _plural_form(language: str, count: int) -> str:
    return str(locale_for(language).plural_form(abs(count)))


@lru_cache(maxsize=4096)
def _fields_before_stop(template: str) -> frozenset[str]:
    """The fields a full stop follows in `template`: most texts have none, and looking for
    them on every call was a tenth of a listing's rendering."""
    return frozenset(match.group(1) for match in _FIELD_THEN_STOP.finditer(template))


def _one_full_stop(template: str, values: Mapping[str, Any]) -> str:
    """A sentence ends once: a value that already ends a sentence ("We meet at 6.") takes the
    place of the template's own full stop instead of doubling it."""
    if not any(
        isinstance(value := values.get(name), str) and value.rstrip().endswith(_SENTENCE_ENDS)
        for name in _fields_before_stop(template)
    ):
        return template  # the common case: no value ends a sentence

    def keep(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if isinstance(value, str) and value.rstrip().endswith(_SENTENCE_ENDS):
            return "{" + match.group(1) + "}" + match.group(2)
        return match.group(0)

    return _FIELD_THEN_STOP.sub(keep, template)


def _checked(file: Path, key: str, value: object) -> Text:
    if isinstance(value, str):
        return value.rstrip("\n")
    if isinstance(value, dict) and "other" in value:
        forms: dict[str, str] = {}
        for form, variant in value.items():
            if form not in _PLURAL_FORMS or not isinstance(variant, str):
                raise CatalogError(f"{file}: text '{key}' has a bad plural form {form!r}")
            forms[form] = variant.rstrip("\n")
        return forms
    raise CatalogError(f"{file}: text '{key}' is neither a string nor plural forms with 'other'")


class Catalog:
    def __init__(self, texts: Mapping[str, Mapping[str, Text]]) -> None:
        if DEFAULT_LANGUAGE not in texts:
            raise CatalogError(f"the catalog has no '{DEFAULT_LANGUAGE}' texts")
        self._texts = {language: dict(own) for language, own in texts.items()}
        # Texts without parameters (a state's name, a date pattern) as rendered, by key and
        # language: a listing asks for the same few hundreds of times. `bring` only adds keys,
        # so nothing here goes stale.
        self._plain: dict[tuple[str, str | None], str] = {}

    @classmethod
    def load(cls, root: Path = PROMPTS_DIR) -> Catalog:
        """The catalog in `root`; the files are parsed once for as long as they stay unchanged
        (each Hearth gets a catalog of its own, the parsing of three languages is shared)."""
        files = sorted(
            file
            for lang_dir in root.iterdir()
            if _LANGUAGE.match(lang_dir.name)
            for file in lang_dir.glob("*.yaml")
        )
        return cls(_parsed(tuple((file, file.stat().st_mtime_ns) for file in files)))

    def bring(self, texts: Mapping[str, str]) -> None:
        """English texts a feature from outside prompts/ brings along (a plugin's, a test's);
        another language says them in English until it has its own."""
        english = self._texts[DEFAULT_LANGUAGE]
        for key, text in texts.items():
            if english.get(key, text) != text:
                raise CatalogError(f"text '{key}' is already in the catalog, with other words")
            english[key] = text

    @property
    def languages(self) -> list[str]:
        return sorted(self._texts)

    def keys(self, language: str = DEFAULT_LANGUAGE) -> list[str]:
        return sorted(self._texts.get(language, {}))

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LANGUAGE]

    def template(self, key: str, language: str | None = None, count: int | None = None) -> str:
        """The text for a key; for a counted text, the plural form that fits `count`
        (without a count, its `other` form)."""
        lang = language if language is not None and language in self._texts else DEFAULT_LANGUAGE
        found = self._texts[lang].get(key) or self._texts[DEFAULT_LANGUAGE].get(key)
        if found is None:
            raise KeyError(f"no text '{key}' in the catalog")
        if isinstance(found, str):
            return found
        if count is None:
            return found["other"]
        return found.get(_plural_form(lang, count), found["other"])

    def label_key(self, command: str, param: str) -> str:
        """The catalog key naming a command's option to people (see prompts/en/params.yaml)."""
        own = f"param_{command}_{param}"
        return own if self.has(own) else f"param_{param}"

    def is_counted(self, key: str) -> bool:
        return isinstance(self._texts[DEFAULT_LANGUAGE].get(key), dict)

    def text(self, key: str, language: str | None = None, /, **params: Any) -> str:
        if not params:
            found = self._plain.get((key, language))
            if found is None:
                found = self._plain[(key, language)] = self.template(key, language).format()
            return found
        count = params.get("count")
        template = self.template(key, language, count if isinstance(count, int) else None)
        safe: dict[str, Any] = {}
        for name, value in params.items():
            # By exact type first: texts are rendered hundreds of times a listing, and most
            # parameters are plain words, numbers or text rendered already.
            kind = type(value)
            if kind is str:
                safe[name] = escape(value)
            elif kind is int or kind is Markup:
                safe[name] = value
            else:
                safe[name] = self._param(value, language)
        if _fields_before_stop(template):
            template = _one_full_stop(template, safe)
        return template.format(**safe)

    def _param(self, value: Any, language: str | None) -> Any:
        # Plain words and numbers first: they are most parameters, and the check against the
        # Localized protocol is slow (it inspects the class on every call).
        if isinstance(value, str):
            return value if isinstance(value, Markup) else escape(value)
        if isinstance(value, int | float):
            return value
        if isinstance(value, Phrase):
            return Markup(self.text(value.key, language, **value.params))
        if isinstance(value, Localized):
            return Markup(value.localize(self, language))
        return escape(str(value))

    def missing_keys(self, language: str) -> set[str]:
        return set(self._texts[DEFAULT_LANGUAGE]) - set(self._texts.get(language, {}))

    def fields(self, key: str) -> set[str]:
        found = self._texts[DEFAULT_LANGUAGE][key]
        forms = [found] if isinstance(found, str) else list(found.values())
        return set().union(*(_field_names(form) for form in forms))

    def problems(self, language: str) -> dict[str, str]:
        """What a translator should fix in `language`, by key: a text missing (it falls back to
        English), one English no longer has, other placeholders than English's, other markup
        (bold, italic and code spans) than English's, or a marker left open."""
        own = self._texts.get(language, {})
        english = self._texts[DEFAULT_LANGUAGE]
        found: dict[str, str] = {}
        for key in sorted(set(english) | set(own)):
            if key not in own:
                found[key] = "missing (English is shown instead)"
            elif key not in english:
                found[key] = "not an English key (a typo, or a text English no longer has)"
            else:
                problem = _difference(english[key], own[key])
                if problem:
                    found[key] = problem
        return found


def _forms(text: Text) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


def _spans(template: str) -> tuple[int, int, int, bool]:
    """Bold, italic and code spans of a template, and whether a marker is left open."""
    filled = re.sub(r"\{\w+\}", "x", template)
    spans = parse(filled)
    counts = Counter(span.style for span in spans)
    stray = any(("**" in s.text or "`" in s.text) for s in spans if s.style == "")
    return counts["bold"], counts["italic"], counts["code"], stray


def _difference(english: Text, own: Text) -> str:
    wanted = set().union(*(_field_names(form) for form in _forms(english)))
    for form in _forms(own):
        extra = _field_names(form) - wanted
        if extra:
            return f"placeholders English does not have: {', '.join(sorted(extra))}"
    if isinstance(english, dict) != isinstance(own, dict):
        return "plural forms where English has one text, or the other way round"
    have = set().union(*(_field_names(form) for form in _forms(own)))
    lacking = wanted - have - {"count"}  # a plural form may say the count in words
    if lacking:
        return f"placeholders left out: {', '.join(sorted(lacking))}"
    reference = _spans(_forms(english)[-1] if isinstance(english, str) else english["other"])
    for form in _forms(own):
        spans = _spans(form)
        if spans[3]:
            return "a ** or ` marker is left open"
        if spans[:3] != reference[:3]:
            return "other markup than English (bold, italic or code spans)"
    return ""


@lru_cache(maxsize=8)
def _parsed(files: tuple[tuple[Path, int], ...]) -> dict[str, dict[str, Text]]:
    """Every text of these files by language (the folder's name) and key."""
    texts: dict[str, dict[str, Text]] = {}
    for file, _ in files:
        lang_texts = texts.setdefault(file.parent.name, {})
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_YamlLoader) or {}
        texts_section = data.get("texts", {}) if isinstance(data, dict) else None
        if not isinstance(texts_section, dict):
            raise CatalogError(f"{file}: expected a mapping under 'texts'")
        for key, value in texts_section.items():
            if key in lang_texts:
                raise CatalogError(f"{file}: text '{key}' is defined twice")
            lang_texts[key] = _checked(file, key, value)
    return {language: own for language, own in texts.items() if own}

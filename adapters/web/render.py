"""Pages from Jinja2 templates in the reader's language: every sentence comes from the catalog,
and the core's small markup (**bold**, _italic_, `code`) becomes HTML with all else escaped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bot.catalog import Catalog
from bot.markup import parse
from bot.markup import plain as unmarked
from bot.wording import autonym

TEMPLATES = Path(__file__).parent / "templates"
_TAGS = {"bold": "strong", "italic": "em", "code": "code"}


def to_html(text: str) -> Markup:
    """The core's markup as HTML: each line its own, nothing a person typed can add a tag."""
    lines = []
    for line in text.split("\n"):
        parts = []
        for span in parse(line):
            body = escape(span.text)
            tag = _TAGS.get(span.style)
            parts.append(Markup(f"<{tag}>{body}</{tag}>") if tag else body)
        lines.append(Markup("").join(parts))
    return Markup("<br>\n").join(lines)


def blocks(text: str) -> list[Markup]:
    """Paragraphs (split at blank lines), each as HTML."""
    return [to_html(part) for part in text.split("\n\n") if part.strip()]


def best_language(header: str | None, offered: Iterable[str], fallback: str) -> str:
    """The reader's language from Accept-Language, among the catalog's; else `fallback`."""
    available = set(offered)
    choices: list[tuple[float, int, str]] = []
    for index, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().split("-")[0].lower()
        if code in available and quality > 0:
            choices.append((-quality, index, code))
    return min(choices)[2] if choices else fallback


class Pages:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["html"] = to_html
        self.env.filters["blocks"] = blocks

    def render(self, template: str, language: str, **values: Any) -> str:
        catalog = self.catalog

        def t(key: str, /, **params: Any) -> Markup:
            return to_html(catalog.text(key, language, **params))

        def raw(key: str, /, **params: Any) -> str:
            """The text in the core's markup, for the `blocks` filter."""
            return catalog.text(key, language, **params)

        def plain(key: str, /, **params: Any) -> str:
            """The text without markup, for titles and attributes."""
            return unmarked(catalog.text(key, language, **params))

        languages = [(code, autonym(code)) for code in catalog.languages]
        return self.env.get_template(template).render(
            t=t, raw=raw, plain=plain, language=language, languages=languages, **values
        )

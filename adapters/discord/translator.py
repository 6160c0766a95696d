"""Slash command descriptions in every language of the catalog, the way Discord asks for them.

The command tree's base texts are in the bot's default language; discord.py asks a `Translator`
for each of Discord's locales at sync and sends what it answers as `description_localizations`,
so a person whose Discord is in Spanish ("es-ES", "es-419") or German ("de") reads the menu in
it. Only descriptions are localized: command and option names are what people type on every
platform, so they stay one word in every language.
"""

from __future__ import annotations

from discord import Locale, app_commands

from bot.catalog import Catalog


def language_of(locale: Locale) -> str:
    """Discord's locale as a catalog language ("es-ES" is "es", "pt-BR" is "pt")."""
    return str(locale.value).split("-")[0].lower()


class CatalogTranslator(app_commands.Translator):
    """Answers with the catalog's text for each locale whose language the catalog has, except
    the base language (already the command's own description)."""

    def __init__(self, catalog: Catalog, base: str) -> None:
        self._catalog = catalog
        self._base = base

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        language = language_of(locale)
        if key is None or language == self._base or language not in self._catalog.languages:
            return None
        return self._catalog.text(key, language)[:DESCRIPTION_LIMIT]


DESCRIPTION_LIMIT = 100  # Discord's limit for a command's or an option's description

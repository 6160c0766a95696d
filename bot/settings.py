"""Settings from the environment and .env (prefix HEARTH_); tokens are secrets, never logged."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.services.setup import valid_timezone
from bot.shards import ShardRange, parse_shards


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HEARTH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database: str = "hearth.db"  # a SQLite file, or postgresql://user:password@host/name
    timezone: str = "UTC"  # default for new communities
    language: str = "en"  # default for new communities
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    discord_token: SecretStr | None = None
    discord_dev_guild: int | None = None
    discord_shards: str | None = None  # e.g. "0-1/4": this process runs shards 0 and 1 of 4
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        found = valid_timezone(value)
        if found is None:
            raise ValueError(f"unknown timezone {value!r}; use a name like Europe/Berlin or UTC")
        return found

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        from bot.catalog import Catalog

        languages = Catalog.load().languages
        if value not in languages:
            raise ValueError(f"no texts for {value!r}; available: {', '.join(languages)}")
        return value

    @field_validator("database")
    @classmethod
    def _database_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("needs a file path or a postgresql:// URL")
        if value.startswith(("postgresql:", "postgres:")):
            parts = urlsplit(value)
            if not parts.path.strip("/"):
                raise ValueError("names no database; write postgresql://user:password@host/name")
        return value

    @field_validator("discord_shards")
    @classmethod
    def _shard_range(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return str(parse_shards(value))

    @property
    def discord_shard_range(self) -> ShardRange | None:
        return None if self.discord_shards is None else parse_shards(self.discord_shards)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_token", "discord_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class SettingsProblem(Exception):
    """One clear line naming the setting that is wrong."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsProblem(f"setting HEARTH_{field.upper()}: {message}") from None

"""Settings from the environment and .env (prefix HEARTH_); tokens are secrets, never logged."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.services.setup import valid_timezone


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HEARTH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database: str = "hearth.db"  # the SQLite file
    timezone: str = "UTC"  # default for new communities
    language: str = "en"  # default for new communities
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    discord_token: SecretStr | None = None
    discord_dev_guild: int | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_listen: str | None = None  # host:port of /healthz and /metrics; unset: no HTTP server

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
            raise ValueError("needs a file path")
        return value

    @field_validator("http_listen", mode="before")
    @classmethod
    def _host_and_port(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        host, port = listen_address(value)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_token", "discord_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def listen_address(text: str) -> tuple[str, int]:
    """`host:port` (an IPv6 host in brackets, `[::1]:9464`) as a host and a port number."""
    host, colon, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]") if host.startswith("[") else host
    if not colon or not host or not port.isdigit() or int(port) > 65535 or " " in host:
        raise ValueError(
            f"{text!r} is not host:port; use an address and a port such as 127.0.0.1:9464"
        )
    return host, int(port)


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

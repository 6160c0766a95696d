"""Settings from the environment and .env (prefix HEARTH_); tokens are secrets, never logged."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
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
    telegram_webhook_url: str | None = None  # unset: Hearth polls Telegram itself
    telegram_webhook_listen: str = "0.0.0.0:8443"  # where this worker takes Telegram's posts
    # the secret_token Telegram sends with each post: shared by every worker of one bot
    telegram_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    discord_token: SecretStr | None = None
    discord_dev_guild: int | None = None
    discord_shards: str | None = None  # e.g. "0-1/4": this process runs shards 0 and 1 of 4
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for machines
    http_listen: str | None = None  # host:port of /healthz and /metrics; unset: no HTTP server
    # The community's web page and the moderators' dashboard; "off" serves none. Port 0 takes
    # any free port (tests); several workers on one machine share a port (SO_REUSEPORT).
    web_address: str | None = "127.0.0.1:8470"
    # The address people open, when a reverse proxy serves the pages (https://hearth.example.org);
    # unset: http://<HEARTH_WEB_ADDRESS>.
    web_url: str | None = None

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

    @field_validator("http_listen", mode="before")
    @classmethod
    def _host_and_port(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        return written(*listen_address(value))

    @field_validator("web_address", mode="before")
    @classmethod
    def _web_address(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("", "off", "no", "false", "0"):
            return None
        return written(*listen_address(value, "127.0.0.1:8470", any_port=True))

    @field_validator("web_url", mode="before")
    @classmethod
    def _web_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip().rstrip("/")
        if not value:
            return None
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            host = None
        if not host or parts.scheme not in ("https", "http") or parts.query or parts.fragment:
            raise ValueError(
                f"{value!r} is not a web address; use the address people open, such as"
                " https://hearth.example.org"
            )
        return value

    def web(self) -> tuple[str, int] | None:
        """Where the web pages listen, or None when they are off."""
        return None if self.web_address is None else listen_address(self.web_address, any_port=True)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "telegram_token",
        "discord_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip()
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            host = None
        if not host or parts.scheme not in ("https", "http"):
            raise ValueError(f"{value!r} is not a URL; use the public https URL Telegram posts to")
        own_server = bool((info.data.get("telegram_base_url") or "").strip())
        if parts.scheme == "http" and not (_is_loopback(host) or own_server):
            raise ValueError(
                "Telegram posts updates only to an https URL; use https:// (http:// works only"
                " on this machine, or with your own Bot API server in HEARTH_TELEGRAM_BASE_URL)"
            )
        return value

    @field_validator("telegram_webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        listen_address(value, "0.0.0.0:8443")
        return value.strip()

    @field_validator("telegram_webhook_secret", mode="after")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("telegram_webhook_url"):
                raise ValueError(
                    "required with HEARTH_TELEGRAM_WEBHOOK_URL: choose 1 to 256 characters of"
                    " A-Z, a-z, 0-9, _ and -, the same for every worker of this bot"
                )
            return None
        if not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("use 1 to 256 characters of A-Z, a-z, 0-9, _ and - (as Telegram does)")
        return value

    def webhook(self) -> Webhook | None:
        """The webhook settings when Telegram should post updates here; None to poll."""
        if self.telegram_webhook_url is None or self.telegram_webhook_secret is None:
            return None
        host, port = listen_address(self.telegram_webhook_listen)
        return Webhook(
            self.telegram_webhook_url, host, port, self.telegram_webhook_secret.get_secret_value()
        )


_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts a bot's updates, where this worker listens, and the shared secret."""

    url: str
    host: str
    port: int
    secret: str = field(repr=False)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen_address(
    value: str, example: str = "127.0.0.1:9464", *, any_port: bool = False
) -> tuple[str, int]:
    """`host:port` (an IPv6 host in brackets, `[::1]:9464`) as a host and a port number;
    ValueError in one line, with `example` as what to write instead. `any_port` admits 0."""
    host, colon, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    lowest = 0 if any_port else 1
    if (
        not colon
        or not host
        or " " in host
        or not port.isdigit()
        or not lowest <= int(port) <= 65535
    ):
        raise ValueError(f"{value!r} is not host:port; use for example {example}")
    return host, int(port)


def written(host: str, port: int) -> str:
    """host:port as a setting writes it (an IPv6 host in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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

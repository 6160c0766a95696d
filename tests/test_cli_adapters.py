"""`hearth run` starts the Discord adapter when its token is configured."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from adapters.discord import DiscordAdapter
from bot.cli import _configured_adapters
from bot.settings import Settings


def test_a_discord_token_configures_the_discord_adapter() -> None:
    settings = Settings(_env_file=None, discord_token=SecretStr("abc"), discord_dev_guild=42)
    (adapter,) = _configured_adapters(settings)
    assert isinstance(adapter, DiscordAdapter)
    assert adapter.platform == "discord" and adapter.dev_guild == 42


def test_no_token_configures_no_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_DISCORD_TOKEN", raising=False)
    assert _configured_adapters(Settings(_env_file=None)) == []

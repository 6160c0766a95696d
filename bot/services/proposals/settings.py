"""/setup proposals: a community's incubation and consent durations and thresholds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import CommandContext, CommunityContext
from bot.domain import Community
from bot.errors import Refusal
from bot.feature import SetupKey
from bot.scheduling import parse_duration
from bot.services.proposals.records import Rules
from bot.services.proposals.texts import span

SETTINGS = "proposals"

# name: (Rules field, lowest, highest); perspectives is a count, the others durations.
_SETTINGS: dict[str, tuple[str, timedelta | int, timedelta | int]] = {
    "incubation": ("incubation", timedelta(hours=1), timedelta(days=90)),
    "perspectives": ("perspectives", 1, 20),
    "revision": ("reincubation", timedelta(hours=1), timedelta(days=30)),
    "consent": ("consent_round", timedelta(hours=1), timedelta(days=30)),
    "revisit": ("revisit", timedelta(days=1), timedelta(days=365)),
}


def rules_of(community: Community) -> Rules:
    stored: dict[str, Any] = community.settings.get(SETTINGS, {})
    defaults = Rules()
    values: dict[str, Any] = {}
    for name, (attribute, _, _) in _SETTINGS.items():
        default = getattr(defaults, attribute)
        raw = stored.get(name)
        if raw is None:
            values[attribute] = default
        elif isinstance(default, timedelta):
            values[attribute] = timedelta(seconds=int(raw))
        else:
            values[attribute] = int(raw)
    return Rules(**values)


async def _show_settings(ctx: CommunityContext) -> str:
    rules = rules_of(ctx.community)
    return ", ".join(
        f"{name} {_shown(getattr(rules, attribute))}"
        for name, (attribute, _, _) in _SETTINGS.items()
    )


def _shown(value: timedelta | int) -> str:
    return span(value) if isinstance(value, timedelta) else str(value)


async def _change_settings(ctx: CommandContext, value: str) -> None:
    name, _, raw = value.strip().partition(" ")
    name, raw = name.lower(), raw.strip()
    if name not in _SETTINGS or not raw:
        raise Refusal("proposal_setting_unknown", names=", ".join(_SETTINGS))
    _, low, high = _SETTINGS[name]
    stored_value: int | None = None
    if isinstance(low, int) and isinstance(high, int):
        if raw.isdigit() and low <= int(raw) <= high:
            stored_value = int(raw)
    elif isinstance(low, timedelta) and isinstance(high, timedelta):
        try:
            length = parse_duration(raw)
        except ValueError:
            length = timedelta(0)
        if low <= length <= high:
            stored_value = int(length.total_seconds())
    if stored_value is None:
        raise Refusal(
            "proposal_setting_range", name=name, value=raw, low=_shown(low), high=_shown(high)
        )
    stored = dict(ctx.community.settings.get(SETTINGS, {}))
    stored[name] = stored_value
    ctx.community.settings[SETTINGS] = stored


setup_key = SetupKey("proposals", _show_settings, _change_settings)

"""The console's places: communities of their own, each on a pseudo-platform of its own.

`console` is the console community as it always was. The others stand in for a Telegram group
and a Discord server: another platform name gives each its own community ref and its own
accounts (ana there is not ana here until she links them), so whatever Hearth does across
platforms can be tried in one terminal. The console adapter delivers to every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    name: str  # what `:place NAME` is given
    platform: str  # the pseudo-platform: accounts and the community's ref live on it
    community_ref: str


DEFAULT = Place("console", "console", "console")
PLACES = (
    DEFAULT,
    Place("telegram-group", "console-telegram", "console-telegram"),
    Place("discord-server", "console-discord", "console-discord"),
)


def named(name: str) -> Place | None:
    return next((place for place in PLACES if place.name == name.lower()), None)


def on_platform(platform: str) -> Place | None:
    """The place a reply for `platform` goes to; None when no console place is on it."""
    return next((place for place in PLACES if place.platform == platform), None)

"""Refusals the core turns into friendly replies; anything else is an unexpected error."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """Bad input or a disallowed action: the person gets the catalog text, nothing is changed."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Ignored(Exception):
    """An event that must change nothing and needs no answer (e.g. a leave from a stranger)."""


class StartupProblem(Exception):
    """Hearth cannot start: one line naming the setting or file and what to do about it."""


class PlatformsEnded(Exception):
    """Every platform adapter stopped on its own (e.g. another instance took over its bot):
    one line saying why, and Hearth exits."""


class StoreConflict(Exception):
    """Another unit of work changed a row this one changed too, since this one's snapshot, so the
    database refused it (PostgreSQL, repeatable read): nothing of it was kept, and running the
    whole unit again is safe. SQLite, whose writers take turns, never raises it."""

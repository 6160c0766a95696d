"""`hearth doctor`'s report: one line per check, ok or what to do, for the person running Hearth.

The checks themselves gather their facts where those live (storage for the database, the
adapters for Telegram and Discord); this module holds what every check shares: the verdicts,
how a line reads, and which verdicts make the command exit non-zero. It also words the database
check, which is the same whatever the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """OK: nothing to do. WARN: worth knowing, nothing breaks. FAIL: fix it before members notice
    (the command then exits 1)."""

    OK = "ok"
    WARN = "note"
    FAIL = "fix"


@dataclass(frozen=True)
class Check:
    name: str  # what was checked, e.g. "database" or 'Telegram group "Kitchen"'
    verdict: Verdict
    message: str  # plain words: what was found and, when something is wrong, what to do


def ok(name: str, message: str) -> Check:
    return Check(name, Verdict.OK, message)


def warn(name: str, message: str) -> Check:
    return Check(name, Verdict.WARN, message)


def fail(name: str, message: str) -> Check:
    return Check(name, Verdict.FAIL, message)


def line(check: Check) -> str:
    """`ok    database: ...`: the verdict first, so a column of them reads at a glance."""
    return f"{check.verdict.value:<5} {check.name}: {check.message}"


def exit_code(checks: Iterable[Check]) -> int:
    """0 when nothing needs fixing (notes included), 1 otherwise."""
    return 1 if any(check.verdict is Verdict.FAIL for check in checks) else 0


@dataclass(frozen=True)
class KnownPlace:
    """A group or server Hearth has a community in, as the database records it."""

    platform: str
    ref: str  # the platform's id of the group or server
    name: str  # the community's name (the group's title when Hearth met it)
    away: bool  # Hearth noted it was removed from there


@dataclass(frozen=True)
class DatabaseState:
    """What a read-only look at the database found; `problem` says why it could not look."""

    shown: str  # the database as it may be printed (a URL without its password)
    problem: str | None = None
    exists: bool = True
    revision: str | None = None  # the schema's Alembic revision; None before any
    legacy: bool = False  # made before Alembic: its numbered SQL files are still recorded
    known_revision: bool = True  # this code has the revision (False: a newer Hearth made it)
    head: str = ""
    places: Sequence[KnownPlace] = ()


def database_check(state: DatabaseState) -> Check:
    name = "database"
    if state.problem is not None:
        return fail(name, state.problem)
    if not state.exists:
        return warn(name, f"{state.shown} does not exist yet; Hearth creates it when it starts")
    if state.revision is None and not state.legacy:
        return warn(name, f"{state.shown} is empty; Hearth sets it up when it starts")
    if not state.known_revision:
        return fail(
            name,
            f"{state.shown} was set up by a newer Hearth (schema {state.revision}) than this one"
            f" ({state.head}); upgrade Hearth to the version that last ran on it, or restore a"
            " backup made by this version",
        )
    if state.legacy or state.revision != state.head:
        return warn(
            name,
            f"{state.shown} is reachable; its schema is older than this Hearth, which updates it"
            " when it next starts (back it up first)",
        )
    return ok(name, f"{state.shown} is reachable and its schema is up to date")

"""Each command is declared once; every surface (slash commands, menus, console, /help) is
generated from these declarations."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from bot.errors import Refusal
from bot.markup import escape
from bot.numbers import whole_number
from bot.roles import Role

if TYPE_CHECKING:
    from bot.catalog import Catalog
    from bot.context import CommandContext

NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_ARGUMENT_CHARS = 4000


class ParamType(Enum):
    WORD = "word"  # one token
    TEXT = "text"  # the rest of the line; only as the last parameter
    INTEGER = "integer"
    CHOICE = "choice"  # one of a fixed list of words
    MEMBER = "member"  # a member of the community, by name or mention
    CHANNEL = "channel"  # a channel of the community


@dataclass(frozen=True)
class Suggestion:
    """One value offered while a person types a parameter (Discord autocomplete)."""

    label: str
    value: str


# Given the asker's context and what they typed so far, values they may mean (reads only).
Suggest = Callable[["CommandContext", str], Awaitable[Sequence[Suggestion]]]


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    required: bool = False
    choices: tuple[str, ...] = ()
    suggest: Suggest | None = field(default=None, compare=False)

    def usage(self) -> str:
        shown = "|".join(self.choices) if self.type is ParamType.CHOICE else self.name
        return f"<{shown}>" if self.required else f"[{shown}]"

    def describe(self, command: str, catalog: Catalog, language: str | None) -> str:
        """What the option is for, in the reader's language (menus and /help)."""
        return catalog.text(f"command_{command}_{self.name}", language)

    def label(self, command: str, catalog: Catalog, language: str | None) -> str:
        """The option in words, from the catalog: 'proposal number', never 'number'."""
        return catalog.text(catalog.label_key(command, self.name), language)

    def usage_in(self, command: str, catalog: Catalog, language: str | None) -> str:
        if self.type is ParamType.CHOICE:
            shown = "|".join(self.choices)
        else:
            shown = self.label(command, catalog, language)
        return f"<{shown}>" if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Label:
    """A command's option named in the reader's words, for a refusal."""

    command: str
    param: Param

    def localize(self, catalog: Catalog, language: str | None) -> str:
        return self.param.label(self.command, catalog, language)


@dataclass(frozen=True)
class Usage:
    """A command's usage line in the reader's words: /merge <proposal number> <…>."""

    command: Command

    def localize(self, catalog: Catalog, language: str | None) -> str:
        parts = [p.usage_in(self.command.name, catalog, language) for p in self.command.params]
        return escape(" ".join([f"/{self.command.name}", *parts]))


class Args:
    """Parsed, typed arguments of one invocation."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        return None if value is None else int(value)

    def __contains__(self, name: str) -> bool:
        return self._values.get(name) is not None


Handler = Callable[["CommandContext", Args], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    """A command as declared once; what it is for is the catalog's `command_<name>` text, and
    each option's `command_<name>_<option>`, so every surface says it in its reader's language."""

    name: str
    role: Role
    handler: Handler
    params: tuple[Param, ...] = ()
    feature: str = ""

    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(p.usage() for p in self.params)])

    def describe(self, catalog: Catalog, language: str | None) -> str:
        return catalog.text(f"command_{self.name}", language)

    def description_keys(self) -> list[str]:
        """The catalog texts this command needs: its own and each option's."""
        return [f"command_{self.name}", *(f"command_{self.name}_{p.name}" for p in self.params)]

    def to_json(self, catalog: Catalog, language: str | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.describe(catalog, language),
            "role": self.role.label,
            "params": [
                {
                    "name": p.name,
                    "type": p.type.value,
                    "required": p.required,
                    "description": p.describe(self.name, catalog, language),
                    **({"choices": list(p.choices)} if p.choices else {}),
                    **({"suggested": True} if p.suggest else {}),
                }
                for p in self.params
            ],
        }


@dataclass
class CommandRegistry:
    commands: dict[str, Command] = field(default_factory=dict)

    def add(self, command: Command) -> None:
        if not NAME_PATTERN.match(command.name):
            raise ValueError(f"command name {command.name!r} is not [a-z0-9_]{{1,32}}")
        if command.name in self.commands:
            raise ValueError(f"command /{command.name} is declared twice")
        for position, param in enumerate(command.params):
            if param.type is ParamType.TEXT and position != len(command.params) - 1:
                raise ValueError(f"/{command.name}: a text parameter must come last")
            if not NAME_PATTERN.match(param.name):
                raise ValueError(f"/{command.name}: bad parameter name {param.name!r}")
        self.commands[command.name] = command

    def get(self, name: str) -> Command | None:
        return self.commands.get(name)

    def all(self) -> list[Command]:
        return sorted(self.commands.values(), key=lambda c: c.name)

    def for_role(self, role: Role) -> list[Command]:
        return [c for c in self.all() if c.role <= role]


def parse_text(command: Command, text: str) -> Args:
    """Parse a text surface's argument string into typed arguments, or refuse with usage."""
    if len(text) > MAX_ARGUMENT_CHARS:
        raise Refusal("args_too_long", limit=MAX_ARGUMENT_CHARS)
    rest = text.strip()
    values: dict[str, Any] = {}
    for param in command.params:
        if not rest:
            break
        if param.type is ParamType.TEXT:
            values[param.name] = rest
            rest = ""
            break
        token, _, rest = rest.partition(" ")
        rest = rest.strip()
        values[param.name] = token
    if rest:
        raise Refusal("args_too_many", usage=Usage(command))
    return check_args(command, values)


def check_args(command: Command, raw: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Args:
    """Validate typed arguments (from any surface) against the declaration."""
    given = dict(raw)
    known = {p.name for p in command.params}
    unknown = set(given) - known
    if unknown:
        raise Refusal("args_unknown", name=sorted(unknown)[0], usage=Usage(command))
    values: dict[str, Any] = {}
    for param in command.params:
        value = given.get(param.name)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if param.required:
                raise Refusal("args_missing", name=Label(command.name, param), usage=Usage(command))
            continue
        if param.type is ParamType.INTEGER:
            number = whole_number(str(value).lstrip("#"))
            if number is None:
                raise Refusal(
                    "args_not_number", name=Label(command.name, param), value=str(value)[:40]
                )
            value = number
        elif param.type is ParamType.CHOICE:
            value = str(value).lower()
            if value not in param.choices:
                raise Refusal(
                    "args_bad_choice",
                    name=Label(command.name, param),
                    value=str(given.get(param.name)),
                    choices=", ".join(param.choices),
                )
        values[param.name] = value
    return Args(values)

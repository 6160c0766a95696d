"""Slash commands generated from the core's declarations, and a sync that only runs on change.

Each core command becomes an `app_commands.Command` whose callback signature is built from its
parameters, so discord.py produces the option types, descriptions, required flags and choices
itself. Moderator commands carry `default_permissions(manage_guild=True)`: Discord hides them
from members by default, and the core still checks the role on every use.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Optional, Union

import discord
from discord import app_commands

from adapters.discord.translator import DESCRIPTION_LIMIT
from bot.catalog import Catalog
from bot.commands import Command, Param, ParamType, Suggestion
from bot.ports import Store
from bot.roles import Role

log = logging.getLogger("hearth.discord")

PLATFORM = "discord"
MAX_COMMANDS = 100  # Discord's limit of chat-input commands per scope
MAX_CHOICES = 25  # more fixed choices than this are offered through autocomplete

SlashHandler = Callable[[discord.Interaction, str, dict[str, Any]], Awaitable[None]]
SuggestHandler = Callable[[discord.Interaction, str, str, str], Awaitable[list[Suggestion]]]

_ANNOTATIONS: dict[ParamType, Any] = {
    ParamType.WORD: str,
    ParamType.TEXT: str,
    ParamType.INTEGER: int,
    ParamType.CHOICE: str,
    ParamType.MEMBER: Union[discord.Member, discord.User],  # noqa: UP007 (discord.py resolves it)
    ParamType.CHANNEL: Union[discord.TextChannel, discord.Thread],  # noqa: UP007
}


def option_value(param: Param, value: Any) -> Any:
    """What the core receives: member and channel options become their ids."""
    if isinstance(value, discord.abc.Snowflake) and param.type in (
        ParamType.MEMBER,
        ParamType.CHANNEL,
    ):
        return str(value.id)
    return value


def _signature(command: Command) -> inspect.Signature:
    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for param in command.params:
        annotation = _ANNOTATIONS[param.type]
        parameters.append(
            inspect.Parameter(
                param.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation if param.required else Optional[annotation],  # noqa: UP045
                default=inspect.Parameter.empty if param.required else None,
            )
        )
    return inspect.Signature(parameters)


def _autocomplete(
    command: Command, param: Param, suggest: SuggestHandler
) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[Any]]]]:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[Any]]:
        if param.suggest is None:  # a long fixed list of choices, filtered as the person types
            typed = current.lower()
            found = [Suggestion(c, c) for c in param.choices if typed in c]
        else:
            found = await suggest(interaction, command.name, param.name, current)
        choices: list[app_commands.Choice[Any]] = []
        for suggestion in found[:MAX_CHOICES]:
            value: Any = suggestion.value
            if param.type is ParamType.INTEGER:
                try:
                    value = int(str(value).lstrip("#"))
                except ValueError:
                    continue
            choices.append(app_commands.Choice(name=suggestion.label[:100] or "…", value=value))
        return choices

    return complete


def _described(key: str, catalog: Catalog, language: str) -> app_commands.locale_str:
    """A description in the tree's base language, with its catalog key for the translator."""
    text = catalog.text(key, language)[:DESCRIPTION_LIMIT] or "…"
    return app_commands.locale_str(text, key=key)


def build_command(
    command: Command,
    on_slash: SlashHandler,
    suggest: SuggestHandler,
    catalog: Catalog,
    language: str,
) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await on_slash(interaction, command.name, values)

    callback.__signature__ = _signature(command)  # type: ignore[attr-defined]
    callback.__name__ = f"slash_{command.name}"
    descriptions = {
        p.name: _described(f"command_{command.name}_{p.name}", catalog, language)
        for p in command.params
    }
    if descriptions:
        app_commands.describe(**descriptions)(callback)
    fixed = {
        p.name: [app_commands.Choice(name=c, value=c) for c in p.choices]
        for p in command.params
        if p.type is ParamType.CHOICE and 0 < len(p.choices) <= MAX_CHOICES and p.suggest is None
    }
    if fixed:
        app_commands.choices(**fixed)(callback)
    completions = {
        p.name: _autocomplete(command, p, suggest)
        for p in command.params
        if p.suggest is not None or (p.type is ParamType.CHOICE and len(p.choices) > MAX_CHOICES)
    }
    if completions:
        app_commands.autocomplete(**completions)(callback)
    if command.role >= Role.MODERATOR:
        app_commands.default_permissions(manage_guild=True)(callback)
    app_commands.guild_only()(callback)
    return app_commands.Command(
        name=command.name,
        description=_described(f"command_{command.name}", catalog, language),
        callback=callback,
    )


def install_commands(
    tree: app_commands.CommandTree[Any],
    commands: list[Command],
    on_slash: SlashHandler,
    suggest: SuggestHandler,
    guild: discord.abc.Snowflake | None,
    catalog: Catalog,
    language: str,
) -> None:
    if len(commands) > MAX_COMMANDS:
        raise ValueError(
            f"Discord allows {MAX_COMMANDS} slash commands; Hearth declares {len(commands)}"
        )
    for command in commands:
        tree.add_command(build_command(command, on_slash, suggest, catalog, language), guild=guild)


async def tree_digest(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> str:
    """A hash of exactly what a sync would send, localizations included."""
    translator = tree.translator
    entries = [
        await command.get_translated_payload(tree, translator)
        if translator is not None
        else command.to_dict(tree)
        for command in tree.get_commands(guild=guild)
    ]
    payload = sorted(entries, key=lambda entry: str(entry["name"]))
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    store: Store,
    application_id: int,
    guild: discord.abc.Snowflake | None,
) -> bool:
    """Sync the tree (globally, or to the development guild) unless the same payload was synced
    before; Discord rate-limits command writes, so restarts with nothing changed send nothing."""
    scope = f"guild:{guild.id}" if guild else "global"
    key = f"command_tree:{application_id}:{scope}"
    digest = await tree_digest(tree, guild)
    async with store.unit_of_work() as uow:
        if await uow.platform_state.get(PLATFORM, key) == digest:
            log.info("slash commands unchanged scope=%s; not syncing", scope)
            return False
    synced = await tree.sync(guild=guild)
    async with store.unit_of_work() as uow:
        await uow.platform_state.put(PLATFORM, key, digest)
        await uow.commit()
    log.info("slash commands synced scope=%s count=%d", scope, len(synced))
    return True

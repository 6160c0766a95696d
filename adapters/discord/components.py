"""Buttons, select menus and the answer modal, as persistent components.

Every component's `custom_id` carries what it acts on, and the classes below are registered as
dynamic items when the client starts, so a button sent before a restart still works after it;
nothing about a sent message is kept in memory.

custom_id formats (at most 100 characters):
- `KEY` a choice button (the core's Choice.key, at most 64 bytes);
- `~pick:N` a select menu of choices (each option's value is a Choice.key);
- `~resume:FLOW` the channel button offered when private messages could not be delivered;
- `~answer` the button that opens a modal for a free-text answer (the modal has the same id).
Core keys are `prefix:part…` with a feature's prefix, so they never start with `~` or `@`.

Anyone can send any custom_id, so none names a server: the server is the interaction's own, and
in a direct message the adapter resolves it as for any DM. Buttons sent by earlier versions
(`@GUILD:KEY`, `~pick:N:GUILD`) still work; the server they name is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, Self

import discord
from discord import app_commands

from adapters.discord.render import BUTTON_LABEL_LIMIT, OPTION_LABEL_LIMIT, shorten
from bot.markup import plain
from bot.replies import Choice

BUTTONS_PER_ROW = 5
MAX_BUTTONS = 5  # more choices than this become a select menu
OPTIONS_PER_SELECT = 25
MAX_SELECTS = 4  # one row stays free for the answer button
ANSWER_ID = "~answer"
ANSWER_INPUT_ID = "answer"
ANSWER_LIMIT = 4000


class ComponentHandler(Protocol):
    """What the adapter does when a component is used; the components only parse ids."""

    async def on_choice(self, interaction: discord.Interaction, key: str) -> None: ...

    async def on_resume(self, interaction: discord.Interaction, flow: str) -> None: ...

    async def on_answer(self, interaction: discord.Interaction) -> None: ...


class HearthClient(discord.Client):
    """A plain client (it connects straight to the gateway) with a command tree; gateway events
    go to `handler` (the adapter), interactions to `answers`."""

    def __init__(self, handler: Any, **options: Any) -> None:
        super().__init__(**options)
        self.handler = handler
        self.answers: Any = None
        self.tree: app_commands.CommandTree[HearthClient] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ChoiceButton, ChoiceSelect, ResumeButton, AnswerButton)
        await self.handler.setup(self)

    async def on_member_join(self, member: discord.Member) -> None:
        await self.handler.on_member_join(member)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.handler.on_member_remove(payload)

    async def on_message(self, message: discord.Message) -> None:
        await self.handler.on_message(message)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.handler.on_guild_remove(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.handler.on_guild_join(guild)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await self.answers.on_modal_submit(interaction)


def _handler(interaction: discord.Interaction) -> ComponentHandler:
    client = interaction.client
    assert isinstance(client, HearthClient)
    handler: ComponentHandler = client.answers
    return handler


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"(?:@[0-9]{1,20}:)?(?P<key>[^~@].*)",
):
    def __init__(self, key: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=shorten(plain(label), BUTTON_LABEL_LIMIT) or "…",
                custom_id=key,
                style=discord.ButtonStyle.secondary,
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_choice(interaction, self.key)


class ChoiceSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"~pick:(?P<n>[0-9])(?::[0-9]{1,20})?",
):
    def __init__(
        self, n: int, choices: Sequence[Choice] = (), placeholder: str | None = None
    ) -> None:
        options = [
            discord.SelectOption(
                label=shorten(plain(c.label), OPTION_LABEL_LIMIT) or "…", value=c.key
            )
            for c in choices
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"~pick:{n}",
                options=options or [discord.SelectOption(label="…", value="~")],
                placeholder=placeholder,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        picked = self.item.values
        if picked:
            await _handler(interaction).on_choice(interaction, picked[0])


class ResumeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"~resume:(?P<flow>[a-z0-9_:.-]{0,80})",
):
    def __init__(self, flow: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=shorten(label, BUTTON_LABEL_LIMIT) or "…",
                custom_id=f"~resume:{flow}",
                style=discord.ButtonStyle.primary,
            )
        )
        self.flow = flow

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["flow"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_resume(interaction, self.flow)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=re.escape(ANSWER_ID)
):
    def __init__(self, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=shorten(label, BUTTON_LABEL_LIMIT) or "…",
                custom_id=ANSWER_ID,
                style=discord.ButtonStyle.primary,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_answer(interaction)


def answer_modal(title: str, label: str) -> discord.ui.Modal:
    """A modal for one free-text answer; its submission is read from the interaction itself
    (see HearthClient.on_interaction), so it works whoever opened it and across restarts."""
    modal = discord.ui.Modal(title=shorten(title, 45), custom_id=ANSWER_ID, timeout=None)
    modal.add_item(
        discord.ui.TextInput(
            label=shorten(label, 45),
            custom_id=ANSWER_INPUT_ID,
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_LIMIT,
        )
    )
    return modal


def submitted_text(interaction: discord.Interaction) -> str | None:
    """The text of the answer modal's input in a modal-submit interaction."""
    data: Any = interaction.data or {}
    stack = list(data.get("components", []))
    while stack:
        component = stack.pop(0)
        if component.get("custom_id") == ANSWER_INPUT_ID and "value" in component:
            return str(component["value"])
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
    return None


def choices_view(
    choices: Sequence[Choice],
    *,
    answer_label: str | None = None,
    pick_placeholder: str | None = None,
) -> discord.ui.View | None:
    """Buttons for a few choices, select menus for many, and an optional answer button."""
    if not choices and answer_label is None:
        return None
    view = discord.ui.View(timeout=None)
    if len(choices) <= MAX_BUTTONS:
        for choice in choices:
            view.add_item(ChoiceButton(choice.key, choice.label))
    else:
        for n in range(min(MAX_SELECTS, -(-len(choices) // OPTIONS_PER_SELECT))):
            batch = choices[n * OPTIONS_PER_SELECT : (n + 1) * OPTIONS_PER_SELECT]
            view.add_item(ChoiceSelect(n, batch, pick_placeholder))
    if answer_label is not None:
        view.add_item(AnswerButton(answer_label))
    return view

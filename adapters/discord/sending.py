"""Sending one core reply as Discord messages, wherever it goes: a channel, a DM, or the
response to an interaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.components import choices_view
from adapters.discord.render import NO_MENTIONS, split, to_discord
from bot.replies import Reply

Send = Callable[..., Awaitable[Any]]


def asker(interaction: discord.Interaction, ephemeral: bool) -> Send:
    """Sends to the person who used an interaction: its response first, then follow-ups."""

    async def send(**kwargs: Any) -> None:
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
        else:
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)

    return send


async def send_reply(
    send: Send,
    reply: Reply,
    *,
    answer_label: str | None = None,
    pick_placeholder: str | None = None,
) -> None:
    """The text in pieces within Discord's limit, the choices on the last piece."""
    if not reply.text.strip() and not reply.choices and answer_label is None:
        return  # Discord refuses empty messages, and there is nothing to show
    view = choices_view(
        reply.choices,
        answer_label=answer_label,
        pick_placeholder=pick_placeholder,
    )
    pieces = split(to_discord(reply.text))
    for index, piece in enumerate(pieces):
        kwargs: dict[str, Any] = {"content": piece, "allowed_mentions": NO_MENTIONS}
        if index == len(pieces) - 1 and view is not None:
            kwargs["view"] = view
        await send(**kwargs)

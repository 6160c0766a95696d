"""Sending one core reply as Discord messages, wherever it goes: a channel, a DM, or the
response to an interaction (an ephemeral one included: Discord lets those carry files too).

A reply's files are attached to its last message, each with its alt text as the attachment's
description (what screen readers announce); past Discord's ten files a message, the rest follow
in messages of their own."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from adapters.discord.components import choices_view
from adapters.discord.render import NO_MENTIONS, shorten, split, to_discord
from bot.replies import Attachment, Reply

Send = Callable[..., Awaitable[Any]]


def asker(interaction: discord.Interaction, ephemeral: bool) -> Send:
    """Sends to the person who used an interaction: its response first, then follow-ups."""

    async def send(**kwargs: Any) -> None:
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
        else:
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)

    return send


FILES_PER_MESSAGE = 10
DESCRIPTION_LIMIT = 1024  # characters of an attachment's description


def discord_files(files: Sequence[Attachment]) -> list[discord.File]:
    """Fresh File objects for one send (discord.py closes them once sent)."""
    return [
        discord.File(
            io.BytesIO(file.data),
            filename=file.name,
            description=shorten(file.alt, DESCRIPTION_LIMIT) or None,
        )
        for file in files
    ]


async def send_reply(
    send: Send,
    reply: Reply,
    *,
    answer_label: str | None = None,
    pick_placeholder: str | None = None,
) -> None:
    """The text in pieces within Discord's limit, the choices and files on the last piece."""
    if not reply.text.strip() and not reply.choices and answer_label is None and not reply.files:
        return  # Discord refuses empty messages, and there is nothing to show
    view = choices_view(
        reply.choices,
        answer_label=answer_label,
        pick_placeholder=pick_placeholder,
    )
    pieces = split(to_discord(reply.text))
    batches = [
        reply.files[at : at + FILES_PER_MESSAGE]
        for at in range(0, len(reply.files), FILES_PER_MESSAGE)
    ]
    for index, piece in enumerate(pieces):
        kwargs: dict[str, Any] = {"content": piece or None, "allowed_mentions": NO_MENTIONS}
        if index == len(pieces) - 1:
            if view is not None:
                kwargs["view"] = view
            if batches:
                kwargs["files"] = discord_files(batches.pop(0))
        await send(**kwargs)
    for batch in batches:
        await send(files=discord_files(batch), allowed_mentions=NO_MENTIONS)

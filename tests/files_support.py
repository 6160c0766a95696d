"""A small feature standing in for the ones that will send files (charts, exports): the same
Feature hooks and the same `files=` of the core, so the adapters' stories can show where each
kind of file arrives. Its sentences are test fixtures, so they are written here."""

from __future__ import annotations

import asyncio
import struct
import zlib

from bot.commands import Args
from bot.context import CommandContext
from bot.feature import Feature
from bot.replies import Attachment, Reply, Target, Visibility
from bot.roles import Role

CHART_ALT = "Bar chart: food 4 people, housing fewer than 3."
EXPORT_ALT = "Proposals and the audit log, as CSV files."
EXPORT_SENT = "Your export is in your private chat."


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (grey pixels), as an image library would write it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


CHART = Attachment("needs.png", "image/png", png(), CHART_ALT)
# Bytes of every value, so a transport that mangles binary data (text decoding, newline
# translation, a cut at a NUL) cannot pass unnoticed.
EXPORT = Attachment("export.zip", "application/zip", bytes(range(256)) * 40, EXPORT_ALT)


def file_sender(gate: asyncio.Event | None = None) -> Feature:
    """/test_chart answers the asker with an image where they asked (only them in a channel),
    once `gate` opens when one is given (a slow answer); /test_export sends a file to the
    asking moderator's private chat."""
    feature = Feature("test_files")

    @feature.command("test_chart", about="Show the needs chart.", role=Role.MODERATOR)
    async def chart(ctx: CommandContext, args: Args) -> None:
        if gate is not None:
            await gate.wait()
        ctx.answer("Needs over the last rounds (the chart has the same figures).", files=(CHART,))

    @feature.command("test_export", about="Send me the export.", role=Role.MODERATOR)
    async def export(ctx: CommandContext, args: Args) -> None:
        origin = ctx.origin
        mine = Target(origin.platform, origin.community_ref, user_ref=origin.person.user_ref)
        ctx.replies.append(Reply("Here is the export.", mine, Visibility.PRIVATE, files=(EXPORT,)))
        if not origin.is_private:
            ctx.answer(EXPORT_SENT, confirms_private=True)

    return feature

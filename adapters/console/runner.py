"""Run the console community over stdin/stdout, with a prompt only when a person is typing."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from adapters.console.community import ConsoleCommunity
from adapters.console.files import folder_for
from bot.app import running_hearth
from bot.clock import FakeClock, SystemClock
from bot.errors import StartupProblem
from bot.hearth import Defaults, Hearth


async def run_console(
    database: str | Path,
    defaults: Defaults,
    *,
    start: datetime | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    notice: str | None = None,
    web: tuple[str, int] | None = None,
    web_url: str | None = None,
) -> None:
    """Run the console community; `notice` goes to stderr once the database has opened, so a
    database that cannot open is the only line printed. With `web` (host, port) it serves the
    web pages too and says where (on another free port when that one is taken)."""
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = source.isatty()
    clock = FakeClock(start or SystemClock().now())
    async with (
        running_hearth(database, clock=clock, defaults=defaults) as hearth,
        contextlib.AsyncExitStack() as beside,
    ):
        if notice:
            print(notice, file=sys.stderr)
        console = ConsoleCommunity(hearth, clock, out, folder_for(database))
        hearth.outbox = console
        if interactive:
            out.write(console.banner() + "\n\n")
        if web is not None:
            address = await _serve_pages(beside, hearth, console, web, web_url)
            note = console.note("console_web", address=address)
            out.write(note + "\n\n")
        await hearth.run_due()  # whatever fell due while Hearth was not running fires once
        while True:
            if interactive:
                out.write(console.prompt)
                out.flush()
            raw = await asyncio.to_thread(source.readline)
            if raw == "":
                break
            if not await console.line(raw):
                break


async def _serve_pages(
    beside: contextlib.AsyncExitStack,
    hearth: Hearth,
    console: ConsoleCommunity,
    web: tuple[str, int],
    url: str | None,
) -> str:
    """The console's web pages, on any free port when the configured one is taken: trying
    Hearth out should not stop at a busy port."""
    from adapters.web import web_pages

    host, port = web
    try:
        pages = await beside.enter_async_context(
            web_pages(hearth, host, port, url=url, adapters=console.standings())
        )
    except StartupProblem:
        if port == 0:
            raise
        pages = await beside.enter_async_context(
            web_pages(hearth, host, 0, url=None, adapters=console.standings())
        )
    return pages.home

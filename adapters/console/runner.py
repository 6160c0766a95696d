"""Run the console community over stdin/stdout, with a prompt only when a person is typing."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from adapters.console.community import ConsoleCommunity
from adapters.console.files import folder_for
from bot.app import running_hearth
from bot.clock import FakeClock, SystemClock
from bot.hearth import Defaults


async def run_console(
    database: str | Path,
    defaults: Defaults,
    *,
    start: datetime | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    notice: str | None = None,
) -> None:
    """Run the console community; `notice` goes to stderr once the database has opened, so a
    database that cannot open is the only line printed."""
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = source.isatty()
    clock = FakeClock(start or SystemClock().now())
    async with running_hearth(database, clock=clock, defaults=defaults) as hearth:
        if notice:
            print(notice, file=sys.stderr)
        console = ConsoleCommunity(hearth, clock, out, folder_for(database))
        hearth.outbox = console
        if interactive:
            out.write(console.banner() + "\n\n")
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

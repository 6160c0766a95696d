"""The example welcome journey runs in the console, in one session or across a restart."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "welcome_journey.txt"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _run(database: Path, lines: list[str], start: datetime) -> str:
    out = io.StringIO()
    await run_console(
        database, Defaults(), start=start, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out
    )
    return out.getvalue()


def _check_journey(output: str) -> None:
    assert "Welcome to console, Sam and Tia! Pull up a chair" in output
    assert output.count("Pull up a chair and say hello") == 2  # the preview and one welcome
    assert "In the moderators' words: A neighbourhood kitchen" in output
    assert "Welcome back! Let's carry on where we left off" in output
    assert "Your first buddy couldn't make it after all, so I've asked someone else: meet cy" in (
        output
    )
    assert "[#general]\nSam introduces themselves:\nHi, I'm Sam!" in output
    assert "• Buddy pairings made: 3 (passed on to someone else: 1)" in output
    assert "[private → sam]\nHi! You've been part of console for a few days now." in output
    assert "[private → sam]\nHi again! A couple of weeks in console now." in output
    assert "Your buddy time with Sam has come to a close" in output


async def test_the_example_welcome_journey_runs_in_the_console(tmp_path: Path) -> None:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    _check_journey(await _run(tmp_path / "console.db", lines, START))


async def test_the_journey_resumes_after_the_console_restarts(tmp_path: Path) -> None:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    resume = lines.index("/welcome") - 2  # ':as Sam', ':in private', '/welcome'
    database = tmp_path / "console.db"
    before = await _run(database, lines[:resume], START)
    stopped = re.findall(r"\(time is now \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d) UTC\)", before)[-1]
    after = await _run(
        database, lines[resume:], datetime.fromisoformat(stopped).replace(tzinfo=UTC)
    )
    assert "Welcome back!" not in before and "What brings you here?" in before
    _check_journey(before + after)

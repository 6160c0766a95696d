"""examples/proposal_lifecycle.txt runs in the console, in one session or across a restart."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "proposal_lifecycle.txt"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PARKED_UNTIL = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


async def _run(database: Path, lines: list[str], start: datetime) -> str:
    out = io.StringIO()
    await run_console(
        database, Defaults(), start=start, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out
    )
    return out.getvalue()


def _check_story(output: str) -> None:
    assert "[#ideas]\nNew proposal #1: Community garden 🌱 by ana" in output
    assert "nobody, moderators included, can park it before it has been heard" in output
    assert "[#ideas]\n#1 Community garden 🌱: cy objects: the lot floods in spring" in output
    assert "was revised during its consent round, so it incubates again" in output
    assert "is parked by mo: waiting for the grant decision" in output
    assert "is back from being parked (waiting for the grant decision)" in output
    assert "#1 Community garden 🌱 is adopted, with 1 consent and" in output
    assert "Version 2 (current" in output
    assert "concern from cy (their objection in the consent round): the lot floods" in output
    assert "Opened: 1 · adopted: 1 · parked: 1 · withdrawn: 0" in output
    assert "mo parked proposal #1 — waiting for the grant decision" in output
    # Nobody takes up #2: raised three times, the last saying so, then it rests and is parked.
    assert output.count("#2 Bike repair café has incubated its minimum time") == 2
    assert output.count("This is the last time I'll raise it") == 1
    assert "#2 Bike repair café · incubating" in output and "next: resting since" in output
    assert "#2 Bike repair café is parked by mo: nobody came this time" in output
    assert "Traceback" not in output and "I don't understand" not in output
    assert "went wrong" not in output


async def test_the_example_proposal_runs_its_whole_life_in_the_console(tmp_path: Path) -> None:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    _check_story(await _run(tmp_path / "console.db", lines, START))


async def test_a_parked_proposal_comes_back_after_the_console_restarts(tmp_path: Path) -> None:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    stop = lines.index(":advance 14d")
    database = tmp_path / "console.db"
    before = await _run(database, lines[:stop], START)
    # Hearth is down while the revisit date passes; on start-up the due work fires once.
    # Console administrators belong to a session, so mo is made one again.
    after = await _run(database, [":admin mo", *lines[stop + 1 :]], PARKED_UNTIL.replace(hour=12))
    assert "back from being parked" not in before
    assert after.count("is back from being parked") == 1
    _check_story(before + after)

"""The console community: a whole community in a terminal, scripted through stdin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _run(script: str, db: Path) -> str:
    out = io.StringIO()
    await run_console(db, Defaults(), start=START, stdin=io.StringIO(script), stdout=out)
    return out.getvalue()


def _blocks(output: str, heading: str) -> list[str]:
    return [b for b in output.split("\n\n") if b.startswith(heading)]


def test_the_foundation_script_runs_as_a_piped_console(tmp_path: Path) -> None:
    """The README's console script, run the way a person would pipe it into `hearth console`."""
    script = (ROOT / "examples" / "foundation.txt").read_text()
    env = {**os.environ, "HEARTH_DATABASE": str(tmp_path / "hearth.db")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--start", "2026-03-02T09:00"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert "timezone is now Europe/Berlin" in out
    assert "every Friday at 17:30 (Europe/Berlin), next on Fri 6 Mar, 17:30" in out
    # The schedule fired exactly once during the week that passed.
    assert len(_blocks(out, "[#general]\nReflection round #")) == 1
    # bob is a plain member: refused, and the schedule is still there afterwards.
    assert "/schedule is for moderators, so I haven't done anything" in out
    assert "next on Fri 13 Mar, 17:30" in out
    assert "cleared schedule" not in out
    assert "Traceback" not in result.stderr


async def test_join_press_and_private_places(tmp_path: Path) -> None:
    out = await _run(
        ":join carla\n/forgetme\n:press 2\n:in private\n/privacy\n:in #random\n/help\n",
        tmp_path / "h.db",
    )
    assert "[#general → carla, only you]\nThis erases everything" in out
    assert "  1. Yes, erase it\n  2. No, keep it" in out
    assert "All right, nothing was erased." in out
    assert "[private → carla]\nYour privacy with Hearth" in out
    assert "[#random → carla, only you]\nHere is what you can use" in out


async def test_console_controls_explain_mistakes(tmp_path: Path) -> None:
    out = await _run(
        "hello\n:as ana\n:advance soon\n:press 1\n:dance\n:in nowhere\n:quit\n/help\n",
        tmp_path / "h.db",
    )
    assert "Choose who is speaking first" in out
    assert "Say how far" in out
    assert "nothing to press for you" in out
    assert "I don't understand ':dance'" in out
    assert "Say ':in #channel' or ':in private'." in out
    assert "Here is what you can use" not in out  # :quit stopped the run


async def test_state_survives_a_console_restart(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    await _run(":admin ana\n:as ana\n/setup about A tool library\n", db)
    out = await _run(":admin ana\n:as ana\n/setup about\n", db)
    assert "about: A tool library" in out

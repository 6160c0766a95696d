"""examples/checkin_round.txt runs a whole check-in round in the console community."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "checkin_round.txt"


def test_the_example_script_runs_a_whole_round(tmp_path: Path) -> None:
    out = io.StringIO()
    asyncio.run(
        run_console(
            tmp_path / "console.db",
            Defaults(),
            start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            stdin=io.StringIO(SCRIPT.read_text(encoding="utf-8")),
            stdout=out,
        )
    )
    shown = out.getvalue()
    assert "I don't understand" not in shown and "I didn't catch that" not in shown
    assert shown.count("[#general]\nCheck-in time.") == 1
    for name in ("ana", "bob", "carla", "dan", "eve"):
        assert f"[private → {name}]\nTime for a check-in." in shown
    # One reminder, to the only one who had not answered by then.
    assert shown.count("gentle nudge") == 1
    assert "[private → eve]\nA gentle nudge" in shown
    # Double opt-in: bob is asked without a name, carla agrees, then both are introduced.
    assert "Someone here could use a hand with food" in shown
    assert "You're introduced: bob offered" in shown
    assert "You're introduced: carla would be glad" in shown
    summary = shown.split("[#general]\nThe check-in has closed.")[1].split("\n\n")[0]
    # Five answers: too few to split by need without giving someone's answer away.
    assert "5 checked in: too few to share anything more" in summary
    assert "strained" not in summary and "1 " not in summary
    assert not re.search(r"\b(ana|bob|carla|dan|eve)\b", summary)
    assert "Round opened Mon 2 Mar\n5 checked in: too few" in shown

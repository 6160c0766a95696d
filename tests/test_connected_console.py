"""examples/connected_features.txt: the features meet in one console community."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "connected_features.txt"


async def test_the_connected_features_example_runs_in_the_console(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_console(
        tmp_path / "console.db",
        Defaults(),
        start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        stdin=io.StringIO(SCRIPT.read_text(encoding="utf-8")),
        stdout=out,
    )
    shown = out.getvalue()
    assert "I don't understand" not in shown and "isn't" not in shown
    # The paused buddy is skipped: Sam waits, and is paired once the pause ends.
    assert "[private → sam]\nTo be honest, no buddy is free right now." in shown
    waited, later = shown.split("(time is now Mon 2026-03-02 09:01 UTC)")
    assert "A newcomer for you to welcome" not in waited
    assert "[private → bea]\nA newcomer for you to welcome: Sam" in later
    # The shared reflection: the author's hint, the proposal that remembers it, and an offer.
    assert "It could grow into something: /propose from answer 1" in shown
    assert "[#ideas]\nNew proposal #1: Honestly? I'd love a Saturday bread morning" in shown
    assert "by Sam, from their reflection answer 1" in shown
    assert "Sam proposed it, from their reflection answer 1" in shown
    assert "Your offer for food is saved" in shown
    assert "[#general → carla, only you]\nOnly the person who wrote answer 1" in shown
    # What Sam said they could bring becomes an offer that meets carla's need, by double opt-in.
    assert '3. Offer "I can fix bicycles."' in shown
    assert 'offer for access (internet, tools, transport) is saved: "I can fix bicycles."' in shown
    assert "You're introduced: Sam offered" in shown
    assert "You're showing around: Sam." in shown

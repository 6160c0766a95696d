"""examples/reflection_rounds.txt runs two rounds in the console community, as documented."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "reflection_rounds.txt"


async def test_the_example_script_runs_two_rounds_with_advance(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_console(
        tmp_path / "console.db",
        Defaults(),
        start=datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
        stdin=io.StringIO(EXAMPLE.read_text(encoding="utf-8")),
        stdout=out,
    )
    shown = out.getvalue()
    blocks = shown.split("\n\n")

    def in_channel(block: str) -> bool:
        return block.startswith("[#reflections]")

    posted = [b for b in blocks if in_channel(b) and " · " in b.splitlines()[1]]
    assert [b.splitlines()[1].split(" · ")[0] for b in posted] == [
        "Reflection round #1",
        "Reflection round #2",
    ]
    first_digest, second_digest = [b for b in blocks if in_channel(b) and "is closing" in b]
    assert "Reflection round #1 is closing" in first_digest
    assert "3 people reflected on this." in first_digest
    assert "bo (answer 1): Asking for help." in first_digest
    assert "Read it all with /reflection 1" in first_digest
    assert "di (answer 3): The seed library" in first_digest
    assert "Reflection round #2 is closing" in second_digest
    assert "Nobody wrote an answer this time" in second_digest
    # Cy's private answer is shown back to her alone, and never to anyone else.
    seen_by_others = [b for b in blocks if not b.startswith(("[#general → cy", "[private → cy"))]
    assert "evening meetings" in shown
    assert not any("evening meetings" in b for b in seen_by_others)
    # Bo reads his whole answer; the suggestion is in the community's deck.
    assert "the fix is a conversation." in shown
    assert "c1: Which meal reminds you of someone you love? (gratitude and care" in shown
    # The rounds were posted on Fridays, before and after the change to summer time.
    assert "(time is now Sat 2026-03-28 09:00 UTC)" in shown
    assert "(time is now Sat 2026-04-04 09:00 UTC)" in shown
    assert "Traceback" not in shown and "I don't understand" not in shown

"""The console cannot show files: it saves each one beside its database and says where, in
the words of the person the reply is for."""

from __future__ import annotations

import io
import json
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults
from tests.support import START


async def console(db: Path, script: str) -> str:
    out = io.StringIO()
    await run_console(db, Defaults(), start=START, stdin=io.StringIO(script), stdout=out)
    return out.getvalue()


async def test_the_console_saves_a_file_and_says_where_without_overwriting_the_first(
    tmp_path: Path,
) -> None:
    shown = await console(
        tmp_path / "console.db",
        ":as ana\nhello\n:in private\n/mydata\n/mydata\n/language es\n/mydata\n",
    )
    folder = tmp_path / "console-files"
    first, second, third = (folder / n for n in ("mydata.json", "mydata-2.json", "mydata-3.json"))
    assert (
        f"📎 mydata.json saved to {first} — What Hearth holds about you in console, as a JSON file"
        in shown
    )
    assert f"📎 mydata.json saved to {second} — " in shown
    assert f"📎 mydata.json guardado en {third} — Lo que Hearth guarda sobre ti" in shown
    for saved in (first, second, third):
        assert json.loads(saved.read_text("utf-8"))["sections"]["membership"]["records"]
    assert json.loads(third.read_text("utf-8"))["language"] == "es"


async def test_the_saved_line_comes_right_after_the_text_of_its_reply(tmp_path: Path) -> None:
    shown = await console(tmp_path / "hearth.db", ":as bo\n/mydata\n")
    private = shown.split("[private → bo]\n", 1)[1].split("\n\n[", 1)[0]
    assert private.startswith("What Hearth holds about you in console")
    saved = private.splitlines()[-1]
    assert saved.startswith("📎 mydata.json saved to ") and "hearth-files" in saved

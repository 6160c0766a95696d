"""examples/two_places.txt: the console's `:place` gives a Telegram group and a Discord server
beside the console community, each a community of its own with its own accounts."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.runner import run_console
from bot.hearth import Defaults
from storage import open_store

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "two_places.txt"
CHECKIN = "Time for a check-in."


async def _run(script: str, db: Path) -> str:
    out = io.StringIO()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await run_console(db, Defaults(), start=start, stdin=io.StringIO(script), stdout=out)
    return out.getvalue()


async def test_each_place_is_a_community_of_its_own_and_says_where_it_spoke(
    tmp_path: Path,
) -> None:
    shown = await _run(SCRIPT.read_text(encoding="utf-8"), tmp_path / "console.db")
    assert "I don't understand" not in shown and "I didn't catch that" not in shown
    # Before another place is used, the console shows what it always did.
    assert "\n[#general]\nNew proposal #1: Soup night by mo" in shown
    assert "The places: console, telegram-group, discord-server. You are in console." in shown
    assert "There is no place called 'kitchen'. The places are: console," in shown
    # The Telegram group numbers its own proposals and asks only its own members.
    assert "telegram-group [#general]\nNew proposal #1: Tool library by ana" in shown
    assert f"telegram-group [private → ana]\n{CHECKIN}" in shown
    assert f"telegram-group [private → tess]\n{CHECKIN}" in shown
    assert shown.count(CHECKIN) == 2  # mo, of the console community, is not asked
    # ana of the Discord server is another account: nothing waits for her, no proposal there.
    assert "There is nothing to press for you right now." in shown
    assert "discord-server [#general → ana, only you]\nNo proposals to show" in shown
    # Back in the group, ana's press answers the question she was asked there.
    assert "telegram-group [private → ana]\nrest & energy (2 of 6)" in shown
    assert shown.rstrip().endswith(
        "You are in telegram-group. ':place NAME' takes you there;"
        " each place is a community of its own until /link joins it to another, and everyone has"
        " an account of that place."
    )

    store = await open_store(tmp_path / "console.db")
    try:
        async with store.unit_of_work() as uow:
            anas = [
                await uow.people.account(p, "ana") for p in ("console-telegram", "console-discord")
            ]
            links = [
                await uow.communities.find_link(platform, platform)
                for platform in ("console", "console-telegram", "console-discord")
            ]
    finally:
        await store.close()
    telegram_ana, discord_ana = anas
    assert telegram_ana is not None and discord_ana is not None
    assert telegram_ana.person_id != discord_ana.person_id  # one person only once linked
    assert all(link is not None for link in links)
    assert len({link.community_id for link in links if link is not None}) == 3


async def test_a_place_switched_to_and_back_keeps_the_console_as_it_was(tmp_path: Path) -> None:
    script = (
        ":as bo\n/propose Shed | A shed\n:place discord-server\n:place console\n"
        ":place  Console\n/proposals\n:place telegram-group now\n"
    )
    shown = await _run(script, tmp_path / "h.db")
    assert shown.count("(you are now in console,") == 2  # names are read in any case
    assert "[#general → bo, only you]\nProposals (open): 1" in shown  # one place used: no prefix
    assert "I don't understand ':place telegram-group now'" in shown


class Typist(io.StringIO):
    """Someone at the console who types the next line once Hearth has answered the last one,
    so a line may use a code Hearth has just sent (`{code}`: the latest one shown)."""

    def __init__(self, lines: list[str], shown: io.StringIO) -> None:
        super().__init__()
        self.lines = lines
        self.shown = shown

    def readline(self, size: int | None = -1, /) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        if "{code}" in line:
            codes = re.findall(r"(?:/link|/link me) ([A-Z2-9]{8})\b", self.shown.getvalue())
            line = line.replace("{code}", codes[-1])
        return line + "\n"


async def test_in_the_console_two_places_become_one_community_and_ana_one_person(
    tmp_path: Path,
) -> None:
    lines = [
        ":place telegram-group", ":admin tess", ":as ana", "Hi from the group",
        ":as tess", "/link",
        ":place discord-server", ":admin dana", ":as ana", "Hi from the server",
        ":as dana", "/link {code}",
        ":place telegram-group", ":as ana", ":in private", "/link me",
        ":place discord-server", ":as ana", ":in private", "/link me {code}",
        ":place telegram-group", ":as ana", ":press 1",
        ":in #general", ":as tess", "/checkin now",
    ]  # fmt: skip
    out = io.StringIO()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    typist = Typist(lines, out)
    await run_console(tmp_path / "c.db", Defaults(), start=start, stdin=typist, stdout=out)
    shown = out.getvalue()

    assert "has joined telegram-group: one community now" in shown
    assert "Done: the Discord (console) account is you too now" in shown
    # One round across both places: ana (one person), tess and dana each asked once.
    assert shown.count(CHECKIN) == 3, shown
    assert "private → ana]\n" + CHECKIN in shown

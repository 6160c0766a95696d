"""What an operator's logs show, in the readable format and in HEARTH_LOG_FORMAT=json: the real
`hearth run` process at DEBUG, serving the fake Bot API while members give their names, answer
the welcome privately, write a private reflection and ask for help; then stopped with SIGTERM,
as systemd and Docker stop it. Neither format may carry the token or anything a member wrote."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Args
from bot.context import CommandContext
from bot.feature import Feature
from bot.logs import formatter
from tests.hearth_process import hearth_run
from tests.support import World, text, to
from tests.telegram_fake import TOKEN, FakeBotApi

GROUP_ID = -1001000000001
OWNER = "Ysolde Brambleton"
NEWCOMER = "Thaddéus Quimbly"
WELCOME_ANSWER = "I mend bicycles on Sundays, ask for Thaddéus"
REFLECTION = "the quarrel with my brother still hurts"
NEED = "evicted from the flat on Lindenstraße"
PRIVATE = (OWNER, NEWCOMER, WELCOME_ANSWER, REFLECTION, NEED)
FIELDS = {"time", "level", "logger", "message"}


async def _answered(
    fake: FakeBotApi, chat_id: int, pushed: Callable[[], Awaitable[dict[str, Any]]]
) -> list[str]:
    """Push one update and wait until Hearth sent something to `chat_id`: what it sent there."""
    before = len(fake.sent)
    await pushed()
    await fake.wait_for(lambda: any(s.chat_id == chat_id for s in fake.sent[before:]), 30)
    return [s.text for s in fake.sent[before:] if s.chat_id == chat_id]


async def _a_day_in_the_kitchen(tmp_path: Path, log_format: str) -> tuple[int, str]:
    """`hearth run` at DEBUG in `log_format` through a newcomer's private welcome, a private
    reflection and a request for help; then SIGTERM. Its exit code and everything it logged."""
    fake = FakeBotApi()
    group = fake.group(GROUP_ID, "Kitchen")
    owner = fake.user(21, OWNER)
    newcomer = fake.user(22, NEWCOMER)
    fake.set_status(group, owner, "creator")
    await fake.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update(
        HEARTH_TELEGRAM_TOKEN=TOKEN,
        HEARTH_TELEGRAM_BASE_URL=fake.base_url.removesuffix("/bot"),
        HEARTH_DATABASE=str(tmp_path / "hearth.db"),
        HEARTH_LOG_LEVEL="DEBUG",
        HEARTH_LOG_FORMAT=log_format,
        HEARTH_WEB_ADDRESS="127.0.0.1:0",  # the web pages log too, on any free port
    )
    log_path = tmp_path / "stderr.log"
    try:
        async with hearth_run(env, tmp_path, log_path) as process:
            await fake.wait_for(
                lambda: any(m == "getUpdates" and p.get("timeout") for m, p in fake.calls), 30
            )
            [notice] = await _answered(
                fake, GROUP_ID, lambda: fake.join(group, newcomer, via="chat_member")
            )
            assert NEWCOMER in notice  # the group sees the name; the logs must not
            link = next(s for s in fake.sent if s.chat_id == GROUP_ID)
            payload = link.button("Open a private chat with me")["url"].split("?start=")[1]
            asked = await _answered(
                fake, newcomer["id"], lambda: fake.say(newcomer, f"/start {payload}")
            )
            assert "1 of 3" in asked[-1]
            more = await _answered(fake, newcomer["id"], lambda: fake.say(newcomer, WELCOME_ANSWER))
            assert "2 of 3" in "\n".join(more)

            await _answered(fake, GROUP_ID, lambda: fake.say(owner, "/reflect_now", chat=group))
            kept = await _answered(
                fake, newcomer["id"], lambda: fake.say(newcomer, f"/reflect private {REFLECTION}")
            )
            assert kept
            await _answered(
                fake, newcomer["id"], lambda: fake.say(newcomer, f"/need housing {NEED}")
            )
            process.send_signal(signal.SIGTERM)  # how systemd and Docker stop it
            code = await asyncio.wait_for(process.wait(), 30)
    finally:
        await fake.close()
    return code, log_path.read_text(encoding="utf-8")


def _assert_nothing_private(logs: str) -> None:
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs
    for words in PRIVATE:
        assert words not in logs, words
    for name in (OWNER, NEWCOMER):  # not even a first or a last name alone
        for part in name.split():
            assert part not in logs, part


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_day_of_private_answers_leaves_no_token_and_no_member_words_in_the_logs(
    tmp_path: Path, log_format: str
) -> None:
    code, logs = await _a_day_in_the_kitchen(tmp_path, log_format)

    assert code == 0, logs  # SIGTERM is a clean stop
    lines = logs.splitlines()
    assert any("DEBUG" in line for line in lines), logs  # DEBUG was really on
    assert any("Telegram adapter polling as @hearth_test_bot" in line for line in lines)
    _assert_nothing_private(logs)
    if log_format == "text":
        assert not any(line.startswith("{") for line in lines)
        return
    said = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in said:
        assert entry.keys() >= FIELDS, entry
        when = datetime.fromisoformat(entry["time"])
        assert when.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - when) < timedelta(hours=1)
        assert entry["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    _assert_nothing_private("\n".join(str(value) for entry in said for value in entry.values()))
    polling = [e for e in said if "Telegram adapter polling as @" in e["message"]]
    assert polling and polling[0]["level"] == "INFO"
    assert polling[0]["logger"].startswith("hearth")


async def test_an_unexpected_error_in_json_carries_the_id_the_member_was_told(
    world: World,
) -> None:
    broken = Feature("broken")

    @broken.command("explode", about="Fail with a member's words in hand.")
    async def explode(ctx: CommandContext, args: Args) -> None:
        raise RuntimeError("the soup pot is empty")

    world.hearth.install(broken)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        replies = await world.say("bob", "/explode")
    finally:
        root.removeHandler(handler)

    told = text(to(replies, "bob"))
    error_id = told.split("id: ")[1].strip().rstrip(".")
    [entry] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["level"] == "ERROR" and entry["logger"] == "hearth.core"
    assert entry["error_id"] == error_id
    assert f"id={error_id}" in entry["message"]
    assert "RuntimeError: the soup pot is empty" in entry["exception"]
    assert entry["exception"].startswith("Traceback")


def test_an_unknown_log_format_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**env, "HEARTH_LOG_FORMAT": "xml"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hearth: setting HEARTH_LOG_FORMAT: Input should be 'text' or 'json'"
    ]
    assert not (tmp_path / "hearth.db").exists()  # nothing was started or changed


def test_a_librarys_warning_is_one_json_line_too(tmp_path: Path) -> None:
    """A library's warning (PTB's deprecation notices) would be a plain line among the JSON."""
    script = (
        "import warnings; from bot.logs import configure_logging;"
        " configure_logging('INFO', 'json');"
        " warnings.warn('this call goes away in version 23', UserWarning)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [entry] = [json.loads(line) for line in result.stderr.splitlines()]
    assert entry["level"] == "WARNING" and entry["logger"] == "py.warnings"
    assert "this call goes away in version 23" in entry["message"]

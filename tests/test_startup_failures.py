"""`hearth run` that cannot start says why in one line and exits at once: no traceback, no
hang. Platforms are unreachable through a loopback port where nothing listens."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROMPT_EXIT = 30  # seconds; a hang (a thread left alive) fails the test instead of blocking
REPO = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(folder: Path, env: dict[str, str], *module: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    return subprocess.run(
        [sys.executable, "-m", *(module or ("bot", "run"))],
        capture_output=True,
        text=True,
        env={
            **clean,
            "PYTHONPATH": str(REPO),  # for tests.discord_offline
            "HEARTH_DATABASE": str(folder / "hearth.db"),
            **env,
        },
        cwd=folder,
        stdin=subprocess.DEVNULL,
        timeout=PROMPT_EXIT,
        check=False,
    )


def _telegram_offline() -> dict[str, str]:
    return {
        "HEARTH_TELEGRAM_TOKEN": "123456:not-a-real-token",
        "HEARTH_TELEGRAM_BASE_URL": f"http://127.0.0.1:{_closed_port()}",
    }


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hearth: ")
    return lines[0]


@pytest.mark.parametrize("command", ["run", "console"])
def test_a_corrupt_database_stops_start_up_in_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "hearth.db").write_bytes(bytes(range(256)) * 64)
    line = _one_line(_run(tmp_path, _telegram_offline(), "bot", command))
    assert "hearth.db is not a SQLite database (or is damaged)" in line
    assert "HEARTH_DATABASE" in line


def test_run_without_a_token_and_a_corrupt_database_says_only_what_stops_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "hearth.db").write_bytes(bytes(range(256)) * 64)
    line = _one_line(_run(tmp_path, {}, "bot", "run"))  # no console notice before it
    assert "is not a SQLite database (or is damaged)" in line


def test_a_truncated_database_stops_start_up_in_one_line(tmp_path: Path) -> None:
    whole = tmp_path / "whole.db"
    with sqlite3.connect(whole) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.executemany("INSERT INTO notes VALUES (?)", [("x" * 500,)] * 200)
    db.close()
    (tmp_path / "hearth.db").write_bytes(whole.read_bytes()[:20_000])
    line = _one_line(_run(tmp_path, {}, "bot", "console"))
    assert "is not a SQLite database (or is damaged)" in line


def test_a_database_in_a_missing_folder_stops_start_up_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "hearth.db"
    line = _one_line(_run(tmp_path, {**_telegram_offline(), "HEARTH_DATABASE": str(missing)}))
    assert f"the folder {missing.parent} does not exist" in line
    assert "HEARTH_DATABASE" in line
    assert not missing.parent.exists()


def test_an_unreachable_discord_stops_start_up_in_one_line(tmp_path: Path) -> None:
    port = str(_closed_port())
    env = {"HEARTH_DISCORD_TOKEN": "not-a-real-token"}
    line = _one_line(_run(tmp_path, env, "tests.discord_offline", port, "run"))
    assert line.startswith("hearth: could not reach Discord")
    assert "network" in line and "not-a-real-token" not in line


def test_an_unreachable_telegram_stops_start_up_in_one_line(tmp_path: Path) -> None:
    line = _one_line(_run(tmp_path, _telegram_offline()))
    assert line.startswith("hearth: could not reach the Telegram Bot API")
    assert "HEARTH_TELEGRAM_BASE_URL" in line and "not-a-real-token" not in line


def test_a_listen_address_in_use_stops_start_up_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = {**_telegram_offline(), "HEARTH_HTTP_LISTEN": f"127.0.0.1:{port}"}
        line = _one_line(_run(tmp_path, env))
    # Checked before any platform is contacted (this Telegram is unreachable).
    assert line == (
        f"hearth: HEARTH_HTTP_LISTEN 127.0.0.1:{port} cannot be used (address already in use);"
        " stop what listens there or choose another port"
    )

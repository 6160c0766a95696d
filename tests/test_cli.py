"""The `hearth` command line: help everywhere, declared commands, and clear settings errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main


def _hearth(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_commands_json_lists_the_foundation_commands_with_roles(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["commands", "--json"]) == 0
    declared = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    expected = {
        "help": "member",
        "setup": "moderator",
        "mods": "moderator",
        "schedule": "moderator",
        "audit": "member",
        "privacy": "member",
        "mydata": "member",
        "forgetme": "member",
    }
    for name, role in expected.items():
        assert declared[name]["role"] == role
        assert declared[name]["description"]
    schedule_params = declared["schedule"]["params"]
    assert [p["name"] for p in schedule_params] == ["kind", "when"]
    assert schedule_params[0]["type"] == "choice" and not schedule_params[0]["required"]


def test_commands_plain_prints_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commands"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("/setup [key] [value]") and "moderator" in line for line in lines)


@pytest.mark.parametrize(
    "subcommand", [[], ["run"], ["console"], ["commands"], ["backup"], ["restore"]]
)
def test_every_subcommand_has_help(
    subcommand: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*subcommand, "--help"])
    assert exited.value.code == 0
    assert "usage: hearth" in capsys.readouterr().out


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = _hearth("run", env={"HEARTH_TIMEZONE": "Mars/Olympus"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hearth: setting HEARTH_TIMEZONE: unknown timezone 'Mars/Olympus';"
        " use a name like Europe/Berlin or UTC"
    ]
    level = _hearth("console", env={"HEARTH_LOG_LEVEL": "LOUD"}, cwd=tmp_path)
    assert level.returncode == 2
    assert level.stderr.startswith("hearth: setting HEARTH_LOG_LEVEL:")
    assert "Traceback" not in level.stderr


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("HEARTH_LANGUAGE=xx\n")
    result = _hearth("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "HEARTH_LANGUAGE" in result.stderr


def test_run_without_tokens_says_so_and_opens_the_console(tmp_path: Path) -> None:
    env = {
        "HEARTH_TELEGRAM_TOKEN": "",
        "HEARTH_DISCORD_TOKEN": "",
        "HEARTH_DATABASE": str(tmp_path / "run.db"),
    }
    result = _hearth("run", env=env, cwd=tmp_path, stdin=":as ana\n/privacy\n")
    assert result.returncode == 0
    assert "No platform token is configured" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Your privacy with Hearth" in result.stdout
    assert (tmp_path / "run.db").exists()

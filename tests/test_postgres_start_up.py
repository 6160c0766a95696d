"""`hearth` on PostgreSQL: HEARTH_DATABASE names a server, and what keeps Hearth from using it
is one line at start-up, never a traceback or a hang, and never the password."""

from __future__ import annotations

import socket
from pathlib import Path

from tests import postgres
from tests.test_cli import _hearth


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_that_is_not_there_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://hearth:s3cret-pw@127.0.0.1:{_closed_port()}/hearth"
    result = _hearth("run", env={"HEARTH_DATABASE": url}, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hearth: database postgresql+asyncpg://hearth:***@127.0.0.1:")
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_a_url_without_a_database_name_is_a_settings_line(tmp_path: Path) -> None:
    result = _hearth("run", env={"HEARTH_DATABASE": "postgresql://hearth@localhost"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hearth: setting HEARTH_DATABASE: names no database;"
        " write postgresql://user:password@host/name"
    ]


async def test_the_console_runs_a_community_on_postgresql(tmp_path: Path) -> None:
    url = await postgres.fresh_database()
    try:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        env = {"HEARTH_DATABASE": plain, "HEARTH_TELEGRAM_TOKEN": "", "HEARTH_DISCORD_TOKEN": ""}
        result = _hearth("run", env=env, cwd=tmp_path, stdin=":as ana\n/privacy\n")
        assert result.returncode == 0, result.stderr
        assert "Your privacy with Hearth" in result.stdout
        assert not (tmp_path / "hearth.db").exists()  # it ran on PostgreSQL, not a file
    finally:
        await postgres.give_back(url)

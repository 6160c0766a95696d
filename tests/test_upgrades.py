"""Upgrades: migrations run at start-up by themselves; a database made by a newer Hearth than
the one installed (someone went back a version) stops start-up in one line and is left as it
was, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import StartupProblem
from storage.migrate import head
from storage.postgres import PostgresStore
from storage.sqlite import SqliteStore
from tests import postgres

FUTURE = "0999_from_a_newer_hearth"
REPO = Path(__file__).resolve().parent.parent
PROMPT_EXIT = 60  # seconds; a hang fails the test instead of blocking the run


def hearth_run(folder: Path, database: str) -> subprocess.CompletedProcess[str]:
    """`hearth run` as an operator starts it, with no platform token (the console's way in)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env={**clean, "PYTHONPATH": str(REPO), "HEARTH_DATABASE": database},
        cwd=folder,
        stdin=subprocess.DEVNULL,
        timeout=PROMPT_EXIT,
        check=False,
    )


def newer_refusal(database: str) -> str:
    return (
        f"hearth: database {database} was made by a newer Hearth (revision {FUTURE}); install"
        " that version or restore a backup from before the upgrade"
    )


def sqlite_revision(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        db.close()


async def test_a_sqlite_database_from_a_newer_hearth_refuses_to_start_in_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    store = await SqliteStore.open(path)
    await store.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
    db.commit()
    db.close()
    before = path.read_bytes()

    started = hearth_run(tmp_path, str(path))

    assert started.returncode != 0
    assert started.stderr.splitlines() == [newer_refusal(str(path))]
    assert "Traceback" not in started.stdout + started.stderr
    assert path.read_bytes() == before  # left as the newer Hearth made it
    with pytest.raises(StartupProblem, match="was made by a newer Hearth"):
        await SqliteStore.open(path)
    assert sqlite_revision(path) == FUTURE
    # The refusal let go of the file: once it is made right, Hearth starts on it.
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = ?", (head(),))
    db.commit()
    db.close()
    store = await SqliteStore.open(path)
    await store.close()


async def test_a_postgresql_database_from_a_newer_hearth_refuses_to_start_in_one_line(
    tmp_path: Path,
) -> None:
    url = await postgres.fresh_database()
    admin = await postgres._admin(url)
    try:
        await admin.execute("UPDATE alembic_version SET version_num = $1", FUTURE)
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        shown = sa.make_url(url).render_as_string(hide_password=True)

        started = hearth_run(tmp_path, database)

        assert started.returncode != 0
        assert started.stderr.splitlines() == [newer_refusal(shown)]
        assert "Traceback" not in started.stdout + started.stderr
        with pytest.raises(StartupProblem, match="was made by a newer Hearth"):
            await PostgresStore.open(url)
        assert await admin.fetchval("SELECT version_num FROM alembic_version") == FUTURE
    finally:
        await admin.execute("UPDATE alembic_version SET version_num = $1", head())
        await admin.close()
        await postgres.give_back(url)

"""`hearth backup` and `hearth restore`: an operator backs up a running Hearth's SQLite file and
puts it back later; what they see is one line (or three) and what they get is exactly the
database as it was at the backup."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.cli import main
from storage import backup as backups
from storage import migrate
from storage.backup import back_up
from storage.migrate import head
from storage.sqlite import SqliteStore
from tests import postgres
from tests.needs_helpers import answer, community
from tests.support import World, public, text

BEFORE = ("bob", "carla", "dan")  # answer the round before the backup
AFTER = ("eve", "finn")  # answer it after


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HEARTH_DATABASE is a file in the test's folder, and no .env is read but the test's."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("HEARTH_")]:
        monkeypatch.delenv(name)
    database = tmp_path / "hearth.db"
    monkeypatch.setenv("HEARTH_DATABASE", str(database))
    return database


def hearth(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`hearth ARGV` as an operator types it: the exit status and what it printed."""
    status = main(list(argv))
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def answered(path: Path) -> dict[str, bool]:
    """Who has answered the open round in the file at `path`, and whether they finished."""
    db = sqlite3.connect(path)
    try:
        found = db.execute(
            "SELECT m.user_ref, a.completed FROM checkin_answers a"
            " JOIN members m ON m.id = a.member_id"
            " JOIN checkin_rounds r ON r.id = a.round_id WHERE r.closed_at IS NULL"
        ).fetchall()
    finally:
        db.close()
    return {who: bool(completed) for who, completed in found}


def members(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT user_ref FROM members")}
    finally:
        db.close()


def named(folder: Path, part: str) -> list[Path]:
    return [entry for entry in folder.iterdir() if part in entry.name]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in `folder` and a digest of its bytes: "nothing changed" is this, unchanged."""
    return {
        entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()
        for entry in sorted(folder.iterdir())
        if entry.is_file()
    }


async def running_round(database: Path) -> World:
    """A Hearth running on the file (holding its lock, as `hearth run` does) with a check-in
    round open to ana and the five members."""
    store = await SqliteStore.open(database)
    world = World(store=store)
    await community(world, *BEFORE, *AFTER)
    await world.say("ana", "/checkin now")
    return world


async def test_a_backup_taken_during_a_check_in_round_restores_to_the_same_members_and_answers(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = _settings
    world = await running_round(database)
    for name in BEFORE:
        await answer(world, name, "oooooo")

    status, out, err = hearth(capsys, "backup", "monday.db")

    assert (status, err) == (0, "")
    saved = tmp_path / "monday.db"
    assert out.splitlines() == [
        f"backed up {database} to {saved}: {backups.size_label(saved.stat().st_size)},"
        f" schema revision {head()}"
    ]
    for name in AFTER:  # answers keep arriving after the backup
        await answer(world, name, "oooooo")
    await world.say("gina", "hello")  # and a newcomer
    assert set(answered(database)) == {*BEFORE, *AFTER}
    await world.store.close()  # Hearth stops

    status, out, err = hearth(capsys, "restore", "monday.db")

    assert (status, err) == (0, "")
    kept = named(tmp_path, ".before-restore-")
    assert len(kept) == 1 and kept[0].name.startswith("hearth.db.before-restore-")
    assert out.splitlines() == [
        f"restored {database} from monday.db: {backups.size_label(database.stat().st_size)},"
        f" schema revision {head()}",
        f"the database it replaced is kept as {kept[0]}",
    ]
    assert answered(database) == dict.fromkeys(BEFORE, True)
    assert members(database) == {"ana", *BEFORE, *AFTER}  # gina came after
    assert set(answered(kept[0])) == {*BEFORE, *AFTER}  # nothing lost: the newer one is kept
    assert "gina" in members(kept[0])

    # Hearth starts again on the restored file: the round is still open, and it closes with
    # the answers the backup had.
    reopened = World(store=await SqliteStore.open(database), clock=world.clock)
    try:
        summary = text(public(await reopened.advance(timedelta(days=3))))
        assert "The check-in has closed" in summary
        assert f"{len(BEFORE)} checked in" in summary
    finally:
        await reopened.store.close()


async def test_answers_that_arrive_while_the_backup_is_copied_are_not_in_it(
    tmp_path: Path, _settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is the database at one moment: answers committed between its steps (to the
    running Hearth's WAL) are neither half in it nor in it at all."""
    database = _settings
    monkeypatch.setattr(backups, "PAGES_PER_STEP", 4)  # many steps, for answers between them
    world = await running_round(database)
    for name in BEFORE:
        await answer(world, name, "oooooo")
    loop = asyncio.get_running_loop()
    copying = asyncio.Event()
    go_on = threading.Event()
    steps: list[int] = []

    def step(remaining: int, total: int) -> None:
        steps.append(remaining)
        if len(steps) == 1:  # after the first step, wait while the answers arrive
            loop.call_soon_threadsafe(copying.set)
            go_on.wait()

    saved = tmp_path / "during.db"
    copy = asyncio.ensure_future(asyncio.to_thread(back_up, str(database), saved, on_step=step))
    try:
        await copying.wait()
        for name in AFTER:
            await answer(world, name, "oooooo")
    finally:
        go_on.set()
    made = await copy
    await world.store.close()

    assert steps[0] > 0 and steps[-1] == 0 and len(steps) > 2  # it did copy in steps
    assert made.revision == head()
    assert answered(saved) == dict.fromkeys(BEFORE, True)
    assert set(answered(database)) == {*BEFORE, *AFTER}
    assert named(tmp_path, ".during.db") == []  # no temporary file left


async def test_restore_is_refused_while_hearth_runs_on_the_database(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = _settings
    world = await running_round(database)
    try:
        assert hearth(capsys, "backup", "saved.db")[0] == 0
        await answer(world, "bob", "oooooo")
        before = fingerprint(tmp_path)

        status, out, err = hearth(capsys, "restore", "saved.db")

        assert status != 0 and out == ""
        assert err.splitlines() == [
            f"hearth: Hearth is running on {database} (pid {os.getpid()}); stop it first, then"
            " restore. Nothing was changed"
        ]
        assert fingerprint(tmp_path) == before
        assert set(answered(database)) == {"bob"}
    finally:
        await world.store.close()


async def test_restore_refuses_a_file_that_is_not_a_hearth_database(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await SqliteStore.open(_settings)
    await store.close()
    (tmp_path / "notes.txt").write_text("shopping: bread, tea\n" * 200)
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    scribbled = tmp_path / "scribbled.db"
    shutil.copy(_settings, scribbled)
    with scribbled.open("r+b") as file:  # a disk error over the middle of the file
        file.seek(scribbled.stat().st_size // 2)
        file.write(b"\xff" * 8192)
    damaged = tmp_path / "damaged.db"
    shutil.copy(_settings, damaged)
    db = sqlite3.connect(damaged)  # an index's pages that no table owns any more
    db.execute("PRAGMA writable_schema = ON")
    db.execute("DELETE FROM sqlite_master WHERE name = 'checkin_answers_by_member'")
    db.commit()
    db.close()
    before = fingerprint(tmp_path)

    refusals = {
        name: hearth(capsys, "restore", name)
        for name in ("notes.txt", "other.db", "scribbled.db", "damaged.db", "missing.db")
    }

    assert {name: (status != 0, out) for name, (status, out, _) in refusals.items()} == {
        name: (True, "") for name in refusals
    }
    said = {name: err.splitlines() for name, (_, _, err) in refusals.items()}
    assert said == {
        "notes.txt": [
            "hearth: notes.txt is not a SQLite database (or is damaged); nothing was changed"
        ],
        "other.db": [
            "hearth: other.db is a SQLite database but not a Hearth one (it names no schema"
            " revision); nothing was changed"
        ],
        "scribbled.db": [
            "hearth: scribbled.db is not a SQLite database (or is damaged); nothing was changed"
        ],
        "damaged.db": [
            "hearth: damaged.db is damaged (SQLite's integrity check failed); nothing was changed"
        ],
        "missing.db": ["hearth: there is no file missing.db to restore"],
    }
    assert fingerprint(tmp_path) == before


async def test_restore_refuses_a_backup_from_a_newer_hearth(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await SqliteStore.open(_settings)
    await store.close()
    assert hearth(capsys, "backup", "newer.db")[0] == 0
    newer = sqlite3.connect(tmp_path / "newer.db")
    newer.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
    newer.commit()
    newer.close()
    before = fingerprint(tmp_path)

    status, out, err = hearth(capsys, "restore", "newer.db")

    assert status != 0 and out == ""
    assert err.splitlines() == [
        "hearth: newer.db was made by a newer Hearth (revision 0999_from_the_future); install"
        " that version to restore it. Nothing was changed"
    ]
    assert fingerprint(tmp_path) == before


async def test_a_backup_from_an_older_hearth_restores_and_is_brought_up_to_date_at_start(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = tmp_path / "older.db"
    engine = sa.create_engine(f"sqlite:///{older}")
    with engine.begin() as conn:  # what the first Hearth with Alembic made
        migrate._run(conn, lambda config: command.upgrade(config, migrate.BASELINE))
    engine.dispose()

    status, out, err = hearth(capsys, "restore", "older.db")

    assert (status, err) == (0, "")
    assert f"schema revision {migrate.BASELINE}" in out.splitlines()[0]
    assert out.splitlines()[-1] == (
        "the backup is from an older Hearth: its schema is brought up to date when Hearth next"
        " starts"
    )
    assert named(tmp_path, ".before-restore-") == []  # there was no database to keep
    started = await SqliteStore.open(_settings)
    try:
        assert migrate.current(started.conn) == head()
    finally:
        await started.close()


async def test_backup_refuses_to_overwrite_a_file_unless_told_to(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = await running_round(_settings)
    try:
        (tmp_path / "saved.db").write_text("last week's backup, say")
        before = fingerprint(tmp_path)

        status, out, err = hearth(capsys, "backup", "saved.db")

        assert status != 0 and out == ""
        assert err.splitlines() == [
            "hearth: saved.db already exists; choose another name, or add --force to replace it"
        ]
        assert fingerprint(tmp_path) == before

        await answer(world, "bob", "oooooo")
        status, out, err = hearth(capsys, "backup", "saved.db", "--force")

        assert (status, err) == (0, "")
        assert out.startswith(f"backed up {_settings} to {tmp_path / 'saved.db'}: ")
        assert answered(tmp_path / "saved.db") == {"bob": True}
    finally:
        await world.store.close()


def test_backup_of_a_missing_database_or_into_a_missing_folder_says_so(
    tmp_path: Path, _settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = hearth(capsys, "backup", "saved.db")
    assert status != 0
    assert err.splitlines() == [
        f"hearth: there is no database at {_settings} to back up (HEARTH_DATABASE)"
    ]
    _settings.write_bytes(b"")  # an empty file is a SQLite database, but not Hearth's
    status, _, err = hearth(capsys, "backup", "nowhere/saved.db")
    assert status != 0
    assert err.splitlines() == ["hearth: the folder nowhere does not exist; create it first"]
    status, _, err = hearth(capsys, "backup", "saved.db")
    assert status != 0
    assert err.splitlines() == [
        f"hearth: database {_settings} is a SQLite database but not a Hearth one (it names no"
        " schema revision); nothing was written"
    ]
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["hearth.db"]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_a_postgresql_database_is_pointed_to_its_own_tools_without_the_password(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://hearth:s3cret-pw@db.example.org:5432/hearth?sslmode=require"
    monkeypatch.setenv("HEARTH_DATABASE", url)

    status, out, err = hearth(capsys, command, "hearth.dump")

    assert status != 0 and out == ""
    assert "s3cret" not in err
    plain = "'postgresql://hearth@db.example.org:5432/hearth?sslmode=require'"
    line = {
        "backup": f"pg_dump -Fc --dbname {plain} --file hearth.dump",
        "restore": f"pg_restore --clean --if-exists --dbname {plain} hearth.dump",
    }[command]
    assert err.splitlines() == [
        f"hearth: HEARTH_DATABASE is a PostgreSQL database: {_verb(command)} e.g. {line}"
        " (it asks for the password, or reads it from ~/.pgpass)"
    ]


def _verb(command: str) -> str:
    if command == "backup":
        return "back it up with PostgreSQL's own tool,"
    return "stop Hearth, then restore with PostgreSQL's own tool,"


async def test_the_pg_dump_and_pg_restore_lines_work_as_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On the tests' real PostgreSQL: the printed lines, run as printed (with the server's own
    pg_dump and pg_restore), take a dump and put it back."""
    url = await postgres.fresh_database()
    try:
        tools = _pg_tools()
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        monkeypatch.setenv("HEARTH_DATABASE", database)
        admin = await postgres._admin(url)
        try:
            await admin.execute("CREATE TABLE backup_probe (said TEXT)")
            await admin.execute("INSERT INTO backup_probe VALUES ('before the dump')")
            dumped = _printed_line(hearth(capsys, "backup", "hearth.dump")[2])
            _run(tools, dumped)
            await admin.execute("UPDATE backup_probe SET said = 'after the dump'")
            _run(tools, _printed_line(hearth(capsys, "restore", "hearth.dump")[2]))
            assert await admin.fetchval("SELECT said FROM backup_probe") == "before the dump"
            assert await admin.fetchval("SELECT version_num FROM alembic_version") == head()
        finally:
            await admin.execute("DROP TABLE IF EXISTS backup_probe")
            await admin.close()
    finally:
        await postgres.give_back(url)


def _pg_tools() -> Path:
    """The folder of the PostgreSQL client tools matching the tests' server."""
    if os.environ.get("HEARTH_TEST_POSTGRES_URL"):
        found = shutil.which("pg_dump")
        if found is None:
            pytest.skip("no pg_dump on PATH beside HEARTH_TEST_POSTGRES_URL's server")
        return Path(found).parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def _printed_line(err: str) -> list[str]:
    """The command line in the one line Hearth printed, as words."""
    (line,) = err.splitlines()
    command = line.split(" e.g. ", 1)[1].split(" (it asks", 1)[0]
    return shlex.split(command)


def _run(tools: Path, words: list[str]) -> None:
    done = subprocess.run(
        [str(tools / words[0]), *words[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

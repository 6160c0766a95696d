"""The recipes for running Hearth on a server: the Dockerfile, compose.yaml and the systemd unit.

No image can be built here (no registry is reachable, and `docker` has no daemon), so what can
be checked is checked for real: the image's command and environment start the installed `hearth`
as `hearth run` against the fake Bot API, its HEALTHCHECK answers from /healthz and fails once
Hearth is gone, and STOPSIGNAL stops it cleanly; compose's database URL passes Hearth's own
settings; systemd-analyze verifies the unit.
"""

from __future__ import annotations

import asyncio
import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from adapters.telegram.intake import FINISH_GRACE
from bot.runtime import PUMP_GRACE
from bot.settings import Settings
from tests.hearth_process import free_port
from tests.telegram_fake import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("HEARTH_REQUIRE_SYSTEMD") == "1"


@dataclass
class Dockerfile:
    """The instructions of a Dockerfile that matter here, continuation lines joined."""

    instructions: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        found = cls()
        logical = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if not logical and (not line.strip() or line.lstrip().startswith("#")):
                continue
            logical += line.rstrip().removesuffix("\\") + " "
            if not line.rstrip().endswith("\\"):
                name, _, rest = logical.strip().partition(" ")
                found.instructions.append((name.upper(), rest.strip()))
                logical = ""
        return found

    def all(self, name: str) -> list[str]:
        return [rest for found, rest in self.instructions if found == name]

    def last(self, name: str) -> str:
        return self.all(name)[-1]

    def exec_form(self, name: str) -> list[str]:
        command = json.loads(self.last(name))
        assert isinstance(command, list), f"{name} in exec form: a JSON list"
        return [str(part) for part in command]

    def env(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for rest in self.all("ENV"):
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                found[key] = value
        return found

    def healthcheck(self) -> list[str]:
        options, _, command = self.last("HEALTHCHECK").partition("CMD ")
        assert all(o.startswith("--") for o in options.split()), options
        return [str(part) for part in json.loads(command)]


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return Dockerfile.read(ROOT / "Dockerfile")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "deploy" / "hearth.service", encoding="utf-8")
    return parser


def installed_hearth() -> Path:
    """The `hearth` console script of the environment running the tests."""
    found = Path(sys.executable).parent / "hearth"
    assert found.exists(), f"no {found}: install the project (make test does)"
    return found


def test_the_image_and_the_service_start_the_hearth_run_the_tests_start(
    dockerfile: Dockerfile,
) -> None:
    command = dockerfile.exec_form("ENTRYPOINT") + dockerfile.exec_form("CMD")
    assert command == ["hearth", "run"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["hearth"] == "bot.cli:main"
    # the tests start `python -m bot run`: bot/__main__.py is that same main
    assert "from bot.cli import main" in (ROOT / "bot" / "__main__.py").read_text(encoding="utf-8")
    exec_start = shlex.split(unit()["Service"]["ExecStart"])
    assert Path(exec_start[0]).name == "hearth" and exec_start[1:] == ["run"]
    assert exec_start[0].endswith("/.venv/bin/hearth")


def test_the_image_installs_only_hearth_and_runs_it_as_an_unprivileged_user(
    dockerfile: Dockerfile,
) -> None:
    assert dockerfile.last("FROM").startswith("python:3.11-slim")
    user = dockerfile.last("USER")
    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))
    assert re.search(rf"useradd .*\b{re.escape(user)}\b", " ".join(dockerfile.all("RUN")))
    runs_after_user = dockerfile.instructions.index(("USER", user))
    assert not [n for n, _ in dockerfile.instructions[runs_after_user:] if n == "RUN"]
    installs = [r for r in dockerfile.all("RUN") if "pip install" in r]
    assert installs and not any("[dev]" in r or " -e " in r for r in installs)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".git" in ignored  # secrets never reach the build


def test_pip_install_dot_brings_every_file_hearth_reads() -> None:
    """The image (and a venv) install Hearth with `pip install .`, not from the checkout: each
    file beside the code that Hearth reads (texts, decks, templates, migrations) must be package
    data, or the installed Hearth misses it."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    included = setuptools["packages"]["find"]["include"]
    shipped: set[Path] = set()
    for package, patterns in setuptools["package-data"].items():
        for pattern in patterns:
            shipped.update((ROOT / package).glob(pattern))
    for top in ("bot", "adapters", "storage", "prompts"):
        assert f"{top}*" in included, top
        data = [
            path
            for path in (ROOT / top).rglob("*")
            if path.is_file()
            and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts
        ]
        assert data or top == "bot", top
        missing = [str(path.relative_to(ROOT)) for path in data if path not in shipped]
        assert missing == [], f"not in [tool.setuptools.package-data]: {missing}"


def test_the_database_lives_in_the_data_volume(dockerfile: Dockerfile) -> None:
    env = dockerfile.env()
    assert env["HEARTH_DATABASE"] == "/data/hearth.db"
    assert "/data" in dockerfile.all("VOLUME")


def test_the_healthcheck_asks_healthz_on_the_exposed_port(dockerfile: Dockerfile) -> None:
    env = dockerfile.env()
    port = env["HEARTH_HTTP_LISTEN"].rpartition(":")[2]
    exposed = " ".join(dockerfile.all("EXPOSE")).split()
    assert port in exposed
    web_port = env["HEARTH_WEB_ADDRESS"].rpartition(":")[2]
    assert web_port in exposed
    check = dockerfile.healthcheck()
    assert check[0] == "python" and "/healthz" in " ".join(check)


async def _run(command: list[str], env: dict[str, str]) -> int:
    process = await asyncio.create_subprocess_exec(*command, env=env)
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_images_command_serves_telegram_answers_its_healthcheck_and_stops_cleanly(
    dockerfile: Dockerfile, tmp_path: Path
) -> None:
    """The container without Docker: the image's ENV and command, on loopback ports and a
    temporary database instead of 0.0.0.0 and /data; the installed `hearth` script."""
    fake = FakeBotApi()
    await fake.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update(dockerfile.env())
    env.update(
        HEARTH_HTTP_LISTEN=f"127.0.0.1:{free_port()}",
        HEARTH_WEB_ADDRESS="127.0.0.1:0",
        HEARTH_DATABASE=str(tmp_path / "hearth.db"),
        HEARTH_TELEGRAM_TOKEN=TOKEN,  # from the env file, in real life
        HEARTH_TELEGRAM_BASE_URL=fake.base_url.removesuffix("/bot"),
    )
    command = dockerfile.exec_form("ENTRYPOINT") + dockerfile.exec_form("CMD")
    command[0] = str(installed_hearth())
    healthcheck = dockerfile.healthcheck()
    healthcheck[0] = sys.executable
    log_path = tmp_path / "stderr.log"
    try:
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=tmp_path, env=env, stderr=log
            )
        try:
            await fake.wait_for(
                lambda: any(m == "getUpdates" and p.get("timeout") for m, p in fake.calls), 30
            )
            healthy = await _run(healthcheck, env)
            assert dockerfile.last("STOPSIGNAL") == "SIGTERM"
            process.terminate()  # what `docker stop` sends
            code = await asyncio.wait_for(process.wait(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        gone = await _run(healthcheck, env)
    finally:
        await fake.close()
    logs = log_path.read_text(encoding="utf-8")
    assert healthy == 0, logs
    assert code == 0, logs
    assert gone != 0  # nothing answers: Docker marks the container unhealthy
    assert (tmp_path / "hearth.db").exists()
    assert TOKEN not in logs


def test_compose_runs_hearth_on_postgresql_16_once_the_database_is_ready(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    db, hearth = services["db"], services["hearth"]
    assert str(db["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    volume = str(db["volumes"][0]).split(":")[0]
    assert volume in compose["volumes"]
    assert hearth["depends_on"]["db"]["condition"] == "service_healthy"
    assert hearth["env_file"] in (".env", [".env"])
    assert hearth["build"] == "."

    password = "s3cretForTheTest"  # what compose puts in for ${POSTGRES_PASSWORD} from .env
    url = str(hearth["environment"]["HEARTH_DATABASE"]).replace("${POSTGRES_PASSWORD}", password)
    parts = urlsplit(url)
    assert parts.scheme == "postgresql" and parts.hostname == "db"
    assert parts.username == db["environment"]["POSTGRES_USER"]
    assert parts.password == password
    assert parts.path == "/" + db["environment"]["POSTGRES_DB"]
    assert "${POSTGRES_PASSWORD" in str(db["environment"]["POSTGRES_PASSWORD"])
    assert Settings(database=url, _env_file=None).database == url  # type: ignore[call-arg]
    grace = int(str(hearth["stop_grace_period"]).removesuffix("s"))
    assert grace > PUMP_GRACE + FINISH_GRACE  # Docker's default 10 s would cut Hearth short


def test_the_service_runs_hearth_unprivileged_restarts_it_and_stops_it_gently() -> None:
    service = unit()["Service"]
    assert service["User"] == "hearth"
    assert service["EnvironmentFile"] == "/etc/hearth/hearth.env"
    assert service["Restart"] == "on-failure"
    assert int(service["RestartSec"]) > 0
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > PUMP_GRACE + FINISH_GRACE
    data = service["WorkingDirectory"]
    assert data in service["ReadWritePaths"].split()
    assert service["StateDirectory"] == Path(data).name and data.startswith("/var/lib/")
    for setting, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "MemoryDenyWriteExecute": "yes",
        "LockPersonality": "yes",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    }.items():
        assert service[setting] == value, setting


def test_systemd_analyze_verifies_the_service_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        reason = "systemd-analyze is not installed (Debian: apt-get install systemd)"
        if REQUIRED:
            pytest.fail(reason + "; HEARTH_REQUIRE_SYSTEMD=1 says it must be")
        print(f"\nSKIPPED LOUDLY: {reason}; the service unit was not verified", file=sys.stderr)
        pytest.skip(reason)
    # verify checks that ExecStart exists: the same unit, pointing at this environment's hearth
    shipped = (ROOT / "deploy" / "hearth.service").read_text(encoding="utf-8")
    here = re.sub(
        r"^ExecStart=\S+", f"ExecStart={installed_hearth()}", shipped, count=1, flags=re.M
    )
    assert here != shipped
    copy = tmp_path / "hearth.service"
    copy.write_text(here, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = [line for line in (result.stdout + result.stderr).splitlines() if "hearth" in line]
    assert result.returncode == 0, result.stderr
    assert said == []  # systemd would ignore any setting it names here

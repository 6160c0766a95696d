"""No English outside the catalog: the audit log and /mydata are stored as keys and parameters,
put into words when read; an audit log written before that still reads after the upgrade."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.catalog import Catalog
from bot.ports import Store
from bot.services.proposals import news as proposal_news
from storage.sql import metadata, ts
from storage.sqlite import SqliteStore
from tests.legacy_db import legacy_database
from tests.support import COMMUNITY, MAIN, PLATFORM, World, text

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Catalog.load()


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _audit_writes() -> list[tuple[Path, ast.Call]]:
    """Every `….audit(…)` and `….audit_action(…)` call in the core (but where one passes its
    key on to the other)."""
    found = []
    for path in _modules("bot"):
        if path.name == "context.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("audit", "audit_action")
                and node.args
            ):
                found.append((path, node))
    return found


def test_every_audit_entry_hearth_writes_is_a_catalog_key() -> None:
    writes = _audit_writes()
    assert len(writes) >= 15  # every feature that changes something writes here
    for path, call in writes:
        first = call.args[0]
        if isinstance(first, ast.Subscript):  # the proposals' table of keys, checked below
            assert ast.unparse(first.value) == "_AUDIT_KEYS", f"{path}:{call.lineno}"
            continue
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{path}:{call.lineno} writes an audit entry that is not a catalog key"
        )
        assert first.value.startswith("audit_") and CATALOG.has(first.value), (
            f"{path}:{call.lineno}: {first.value!r} is not in the catalog"
        )
    for key in proposal_news._AUDIT_KEYS.values():
        assert CATALOG.has(key), key


def _string_constants(folder: str) -> set[str]:
    found: set[str] = set()
    for path in _modules(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_catalog_key_the_audit_log_and_mydata_name_exists() -> None:
    # Table and index names (`audit_log`) look like keys but name the schema.
    schema = set(metadata.tables) | {i.name for t in metadata.tables.values() for i in t.indexes}
    named = {
        s
        for s in _string_constants("bot") | _string_constants("storage")
        if re.fullmatch(r"(audit|proposal_audit|mydata_(section|field|value))_\w+", s)
        and s not in schema
    }
    assert "mydata_section_outbox" in named and "audit_checkin_closed" in named
    assert sorted(key for key in named if not CATALOG.has(key)) == []


def _statement_params(func: ast.AST) -> list[ast.Dict]:
    """Dicts handed to `self.db.<method>(statement, {...})`: a query's params, not a row."""
    return [
        arg
        for node in ast.walk(func)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and ast.unparse(node.func.value) == "self.db"
        for arg in node.args
        if isinstance(arg, ast.Dict)
    ]


def _export_row_keys() -> list[tuple[Path, str]]:
    """The field names of every row a store exports for /mydata."""
    found = []
    for path in [*_modules("storage"), ROOT / "bot" / "services" / "proposals" / "summaries.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            exporting = func.name in ("export_member", "member_record", "audit_row")
            if not (exporting or path.name.endswith("_export.py")):
                continue
            params = _statement_params(func)
            for node in ast.walk(func):
                if isinstance(node, ast.Dict) and node not in params:
                    keys = [k for k in node.keys if isinstance(k, ast.Constant)]
                    found.extend((path, str(k.value)) for k in keys)
                if (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.ctx, ast.Store)
                    and isinstance(node.slice, ast.Constant)
                ):
                    found.append((path, str(node.slice.value)))
    return found


def test_no_storage_module_holds_a_heading_or_field_name_in_english() -> None:
    for path in _modules("storage"):
        source = path.read_text(encoding="utf-8")
        for heading in re.findall(r'(?:section|_SECTION) = "([^"]*)"', source):
            assert " " not in heading and CATALOG.has(heading), f"{path.name}: {heading!r}"
    fields = _export_row_keys()
    assert len(fields) > 40
    for path, field in fields:
        assert " " not in field, f"{path.name}: field {field!r} is English, not a name"
        assert CATALOG.has(f"mydata_field_{field}"), f"{path.name}: no mydata_field_{field}"


async def test_every_repository_names_its_mydata_section_by_a_catalog_key(store: Store) -> None:
    async with store.unit_of_work() as uow:
        sections = [repository.section for repository in uow.personal_data()]
    assert len(sections) >= 10
    assert [s for s in sections if not CATALOG.has(s)] == []


async def test_an_audit_log_written_before_keys_reads_the_same_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    at = ts(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    db = legacy_database(path, upto=14)
    # the community and its two members as that older Hearth wrote them
    db.execute(
        "INSERT INTO communities (name, timezone, language, created_at)"
        " VALUES ('Test community', 'UTC', 'en', ?)",
        (at,),
    )
    db.execute(
        "INSERT INTO community_links (platform, community_ref, community_id, main_channel)"
        " VALUES (?, ?, 1, ?)",
        (PLATFORM, COMMUNITY, MAIN),
    )
    db.executemany(
        "INSERT INTO members (community_id, platform, user_ref, display_name, joined_at)"
        " VALUES (1, ?, ?, ?, ?)",
        [(PLATFORM, who, who, at) for who in ("ana", "bob")],
    )
    community = db.execute("SELECT id FROM communities").fetchone()[0]
    ids = dict(db.execute("SELECT user_ref, id FROM members").fetchall())
    rows = [
        (ids["ana"], "ana", "changed setting", "timezone", None, "Europe/Lisbon"),
        (ids["ana"], "ana", "granted moderator to", "bob", ids["bob"], ""),
        (None, "", "removed moderator from", "", None, ""),  # both since forgotten
    ]
    db.executemany(
        "INSERT INTO audit_log (community_id, at, actor_id, actor_name, action, subject,"
        " subject_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(community, at, *row) for row in rows],
    )
    db.close()

    upgraded = await SqliteStore.open(path)
    try:
        world = World(store=upgraded)
        audit = text(await world.say("bob", "/audit"))
        assert "ana changed setting timezone — Europe/Lisbon" in audit
        assert "ana granted moderator to bob" in audit
        assert "a former member removed moderator from a former member" in audit
        mine = text(await world.privately("ana", "/mydata"))
        assert "action: changed setting; subject: timezone" in mine
        assert "action: granted moderator to bob" in mine
    finally:
        await upgraded.close()

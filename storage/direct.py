"""Statements run straight on the database driver, compiled and typed by SQLAlchemy.

SQLAlchemy Core builds every statement and its compiled form, types and result rows stay
SQLAlchemy's; what is skipped is its execution layer, which cost more than many statements
themselves (see `Plan`). Anything that needs that layer (IN lists expanded at execution,
defaults computed in Python, unnamed columns) is left to it: `bound` says None.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import LRUCache

from storage.sql import Params


def bound(
    statement: Executable, params: Params, dialect: Dialect, cache: LRUCache[Any, Any]
) -> tuple[Plan, list[Any]] | None:
    """How `statement` runs straight on the driver (`Plan`), with its arguments in order;
    None where only SQLAlchemy's execution does it right."""
    keys = tuple(params) if params else ()
    try:
        found = _RECIPES[(statement, dialect, keys)]
    except KeyError:
        found = _RECIPES[(statement, dialect, keys)] = _recipe(statement, params, dialect, cache)
    except TypeError:  # a statement that cannot be a key (not a ClauseElement)
        return None
    if found is None:
        return None
    plan, recipe = found
    if params is None:
        return plan, [value for _, _, value in recipe]
    return plan, [
        value if name is None else params[name] if process is None else process(params[name])
        for name, process, value in recipe
    ]


# Each statement's recipe for its arguments, per dialect and the names of the values given:
# which come from those values (through their type's processor) and which are the statement's
# own constants. Asking SQLAlchemy's compiled cache and building its parameters every time
# cost 14% of the core bench's time; the statements are built once (module constants), so
# the same few hundred recipes serve every command.
_Recipe = tuple["Plan", list[tuple[str | None, Callable[[Any], Any] | None, Any]]]
_RECIPES: LRUCache[tuple[Any, ...], _Recipe | None] = LRUCache(2000)


def _recipe(
    statement: Executable, params: Params, dialect: Dialect, cache: LRUCache[Any, Any]
) -> _Recipe | None:
    if not isinstance(statement, sa.sql.ClauseElement):
        return None
    compiled, extracted, collected, _ = statement._compile_w_cache(
        dialect,
        compiled_cache=cache,
        column_keys=sorted(params) if params else [],
        linting=0,
    )
    if not isinstance(compiled, SQLCompiler):
        return None
    plan = plan_of(compiled)
    if plan is None:
        return None
    values = compiled.construct_params(
        params,
        escape_names=False,
        extracted_parameters=extracted,
        _collected_params=collected,
    )
    given = params or {}
    recipe: list[tuple[str | None, Callable[[Any], Any] | None, Any]] = [
        (name, process, None)
        if name in given
        else (None, None, values[name] if process is None else process(values[name]))
        for name, process in plan.binds
    ]
    return plan, recipe


class Plan:
    """A statement as it runs straight on the driver: SQLAlchemy compiles it (once, cached)
    and its types convert the values both ways, but its execution layer is skipped. On
    PostgreSQL that layer cost 115 µs of a 230 µs read (a greenlet per statement, the
    execution context, the cursor adapter); on SQLite 8 µs of 25."""

    __slots__ = (
        "binds",
        "columns",
        "key_is_rowid",
        "make_row",
        "returns_key",
        "returns_rows",
        "sql",
        "writes",
    )

    def __init__(self, compiled: SQLCompiler, columns: SimpleResultMetaData | None) -> None:
        processors = compiled._bind_processors
        self.sql = compiled.string
        self.binds: list[tuple[str, Callable[[Any], Any] | None]] = [
            (name, processors.get(name))  # type: ignore[misc]  # callables: `plan_of`
            for name in compiled.positiontup or ()
        ]
        self.columns = columns
        # SQLAlchemy's own Row, each value through its type's processor, made as its results
        # make them but without a Result per statement (`rows_of`).
        self.make_row: Callable[[Sequence[Any]], Row[Any]] | None = (
            None
            if columns is None
            else partial(Row, columns, columns._effective_processors, columns._key_to_index)
        )
        self.writes = bool(compiled.isinsert or compiled.isupdate or compiled.isdelete)
        implicit = compiled.implicit_returning or ()
        # An INSERT whose new key SQLAlchemy asks back (RETURNING id) and nothing else.
        self.returns_key = bool(
            compiled.isinsert
            and columns is not None
            and len(implicit) == 1
            and getattr(implicit[0], "primary_key", False)
        )
        # A write that says RETURNING itself.
        self.returns_rows = self.writes and columns is not None and not implicit
        # An INSERT into a table keyed by one INTEGER column, asking nothing back: on SQLite
        # that column is the rowid, so the new key is the cursor's `lastrowid` (as SQLAlchemy
        # itself reads it there).
        self.key_is_rowid = bool(compiled.isinsert and columns is None and _rowid_keyed(compiled))


def _rowid_keyed(compiled: SQLCompiler) -> bool:
    """The table's key is one column declared INTEGER (SQLite's alias of the rowid)."""
    table = getattr(compiled.statement, "table", None)
    key = list(table.primary_key) if isinstance(table, sa.Table) else []
    types = compiled.dialect.type_compiler_instance
    return len(key) == 1 and types.process(key[0].type) == "INTEGER"


def rows_of(plan: Plan, found: Sequence[Sequence[Any]]) -> Sequence[Row[Any]]:
    """The driver's rows as SQLAlchemy's, each value through its type's processor: a few made
    one by one (a Result and its memoized attributes cost 2.8 µs for one row, the Row alone
    0.4), many through a Result (its compiled loop makes each row in 0.19 µs, not 0.34)."""
    assert plan.columns is not None and plan.make_row is not None
    if len(found) > _FEW:
        result: IteratorResult[Any] = IteratorResult(plan.columns, iter(found))
        return result.all()
    return list(map(plan.make_row, found))


# Rows: where making them one by one stops paying (24 rows took 7.7 µs so, 25 through a
# Result 7.9 µs; 12 rows 3.0 µs against 6.1).
_FEW = 24


_PLANS: weakref.WeakKeyDictionary[SQLCompiler, Plan | None] = weakref.WeakKeyDictionary()


def plan_of(compiled: SQLCompiler) -> Plan | None:
    """How `compiled` runs straight on the driver, or None for what only SQLAlchemy's execution
    does right: parameters expanded at execution (IN lists), values computed in Python (column
    defaults), columns without a plain name of their own."""
    if compiled in _PLANS:
        return _PLANS[compiled]
    plain = (
        compiled.positional
        and not compiled.post_compile_params
        and not compiled.literal_execute_params
        and not compiled.insert_prefetch
        and not compiled.update_prefetch
        and all(callable(process) for process in compiled._bind_processors.values())
    )
    result = compiled._result_columns
    keys = [column[0] for column in result]
    named = (
        compiled._ordered_columns
        and not compiled._textual_ordered_columns
        and len(set(keys)) == len(keys)
        and all(isinstance(key, str) for key in keys)
    )
    columns = None
    if result and named:
        dialect = compiled.dialect
        columns = SimpleResultMetaData(
            keys,
            _processors=[column[3]._cached_result_processor(dialect, None) for column in result],
        )
    plan = Plan(compiled, columns) if plain and (named or not result) else None
    _PLANS[compiled] = plan
    return plan

"""Catalog texts kept in the database as a key and its parameters, not as sentences.

A stored parameter is a number, a person's own words, a moment (shown in the reader's time and
language when read) or another catalog text (a `Phrase`); JSON carries all four, so a record
written today reads in whatever language its reader has chosen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.catalog import Phrase

_PHRASE = "phrase"
_MOMENT = "moment"


def _encode(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {_PHRASE: value.key, "params": _encode_all(value.params)}
    if isinstance(value, datetime):
        return {_MOMENT: value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a stored text's parameter must be plain, not {type(value).__name__}")


def _encode_all(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _encode(value) for name, value in params.items()}


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and _PHRASE in value:
        return Phrase(value[_PHRASE], **_decode_all(value.get("params", {})))
    if isinstance(value, dict) and _MOMENT in value:
        return datetime.fromisoformat(value[_MOMENT])
    return value


def _decode_all(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _decode(value) for name, value in params.items()}


def dump(params: Mapping[str, Any]) -> str:
    return json.dumps(_encode_all(params), ensure_ascii=False, sort_keys=True)


def load(text: str) -> dict[str, Any]:
    found = json.loads(text) if text else {}
    return _decode_all(found) if isinstance(found, dict) else {}

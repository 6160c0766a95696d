"""The store's read cache hands out copies written by hand (they are on every event's path):
each keeps every field, so a field added to the records cannot be dropped on the way out."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from bot.domain import Community, CommunityLink, Member
from bot.roles import Role
from storage.sqlite_cache import copy_community, copy_link, copy_member

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _unlike_defaults(record_type: type[Any]) -> Any:
    """A record whose every field holds a value no default has."""
    values: dict[str, Any] = {}
    for number, field in enumerate(fields(record_type)):
        kind = str(field.type)
        if "datetime" in kind:
            values[field.name] = WHEN
        elif "Role" in kind:
            values[field.name] = Role.MODERATOR
        elif "bool" in kind:
            values[field.name] = True
        elif "dict" in kind:
            values[field.name] = {"kept": [number]}
        elif kind.startswith("int"):
            values[field.name] = 1000 + number
        else:
            values[field.name] = f"value {number}"
    return record_type(**values)


def test_a_copied_member_keeps_every_field() -> None:
    member = _unlike_defaults(Member)
    assert copy_member(member) == member
    assert copy_member(member) is not member


def test_a_copied_community_keeps_every_field_and_owns_its_settings() -> None:
    community = _unlike_defaults(Community)
    copied = copy_community(community)
    assert copied == community
    copied.settings["kept"].append("changed")
    assert community.settings["kept"] != copied.settings["kept"]


def test_a_copied_link_keeps_every_field_and_owns_its_channels() -> None:
    link = _unlike_defaults(CommunityLink)
    copied = copy_link(link)
    assert copied == link
    copied.channels["kept"] = "changed"
    assert link.channels != copied.channels

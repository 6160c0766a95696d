"""A person apart from their memberships: one human, reached through one or more platform
accounts, who may belong to several communities. Nothing behaves differently yet; linking a
second platform's account to the same person builds on these records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    id: int
    created_at: datetime


@dataclass(frozen=True)
class Account:
    """One platform account (a Discord user, a Telegram user), belonging to exactly one person."""

    platform: str
    user_ref: str
    person_id: int

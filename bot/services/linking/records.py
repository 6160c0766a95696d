"""What linking keeps: one-time codes, each by the digest of its secret. A PLACE code carries a
community to the other place that joins it; a PERSON code carries an account to the other
account that asks to become the same person, which the first must then confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CodeKind(StrEnum):
    PLACE = "place"
    PERSON = "person"


@dataclass(frozen=True)
class Account:
    """A platform account, and the place its private chat with Hearth belongs to (where a
    private message to it is addressed)."""

    platform: str
    user_ref: str
    place_ref: str


@dataclass(frozen=True)
class LinkCode:
    """A code as issued: by whom (their account and membership), for which community, and,
    once spent, by whom and when; a person code also when its issuer answered."""

    kind: CodeKind
    community_id: int
    member_id: int
    issuer: Account
    created_at: datetime
    person_id: int | None = None  # the issuing account's person (person codes)
    used_at: datetime | None = None
    redeemer: Account | None = None  # who sent it (person codes: the account to link)
    answered_at: datetime | None = None  # the issuer said yes or no (person codes)

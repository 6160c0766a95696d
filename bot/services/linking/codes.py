"""Link codes: 8 characters nobody misreads, stored only as a digest, valid for 15 minutes
and spent once (two racing requests: one wins)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.errors import Refusal
from bot.ports import UnitOfWork
from bot.secret_digest import digest
from bot.services.linking.records import Account, CodeKind, LinkCode

CODE_VALID = timedelta(minutes=15)
CODE_LENGTH = 8
# No 0/O, 1/I/L: a code is read on one screen and typed on another.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_FORGET_AFTER = 10 * CODE_VALID


def minutes_valid() -> int:
    return int(CODE_VALID.total_seconds() // 60)


def normalized(typed: str) -> str:
    """A code as typed, forgiving case, spaces and dashes."""
    return "".join(ch for ch in typed.upper() if ch not in " -")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def issue(uow: UnitOfWork, code: LinkCode) -> str:
    """A new code for this record; the secret goes to its issuer privately, never stored."""
    secret = new_code()
    await uow.link_codes.add(digest(secret), code)
    await uow.link_codes.forget_before(code.created_at - _FORGET_AFTER)
    return secret


async def valid(uow: UnitOfWork, typed: str, kind: CodeKind, now: datetime) -> LinkCode:
    """The code typed, while it may still be used and is of this kind; a Refusal saying why
    not (the other kind says what it is for)."""
    found = await uow.link_codes.find(digest(normalized(typed)))
    if found is None:
        raise Refusal("link_code_unknown", code=typed)
    if found.kind is not kind:
        raise Refusal(f"link_code_is_{found.kind.value}")
    if found.used_at is not None:
        raise Refusal("link_code_used", minutes=minutes_valid())
    if now - found.created_at > CODE_VALID:
        raise Refusal("link_code_expired", minutes=minutes_valid())
    return found


async def spend(uow: UnitOfWork, typed: str, now: datetime, by: Account | None = None) -> None:
    """Use the code up; refused as used when another request spent it first."""
    if not await uow.link_codes.use(digest(normalized(typed)), now, by):
        raise Refusal("link_code_used", minutes=minutes_valid())

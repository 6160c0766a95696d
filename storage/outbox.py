"""The outbox: one row per message until its platform has taken it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from bot.domain import OutboxMessage
from bot.markup import plain
from bot.replies import Reply, moved_reply, reply_from_dict, reply_to_dict
from storage.accounts import accounts
from storage.communities import paused_places
from storage.members import members
from storage.sql import JsonText, SqlRepo, Timestamp, schema_table

outbox = schema_table(
    "outbox",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("user_ref", sa.Text),
    sa.Column("reply", JsonText, nullable=False),
    # text(): the DDL's default is the number 0, not the string '0'.
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("next_attempt_at", Timestamp, nullable=False),
    # A pump claims what it is about to send (0013_outbox_claims): a dead pump's claims lapse.
    sa.Column("claimed_by", sa.Text),
    sa.Column("claimed_until", Timestamp),
    sa.Index("outbox_by_next_attempt", "next_attempt_at", "id"),
    sa.Index("outbox_by_person", "platform", "user_ref"),
)


class _AsJson(sa.ColumnElement[Any]):
    """JSON text read as JSON: SQLite's JSON functions take the text as it is, PostgreSQL
    needs it cast. (A plain CAST would give the text NUMERIC affinity on SQLite.)"""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: sa.ColumnElement[Any]) -> None:
        self.column = column
        self.type = sa.JSON()


@compiles(_AsJson)
def _as_is(element: _AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_AsJson, "postgresql")
def _cast_to_json(element: _AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.column, **kw)} AS JSON)"


# The place a message goes to, read from its reply (JsonText is text on every engine).
_place = sa.type_coerce(_AsJson(outbox.c.reply), sa.JSON)[("target", "community_ref")].as_string()


# Waiting messages for the places of paused communities are held, not sent.
_NOT_HELD = sa.tuple_(outbox.c.platform, _place).not_in(paused_places())
_MESSAGE = (outbox.c.id, outbox.c.reply, outbox.c.attempts)

# Statements are built once and run with params: building one costs more than running it.
_ADD = sa.insert(outbox)
_PENDING = (
    sa.select(*_MESSAGE)
    .where(outbox.c.next_attempt_at <= sa.bindparam("now"), _NOT_HELD)
    .order_by(outbox.c.id)
    .limit(sa.bindparam("limit"))
)
# The name of an outbox sender's advisory lock on PostgreSQL: this prefix and the sender's name
# (held by storage/postgres.py while its process lives).
SENDER_LOCK = "hearth-sender:"
_locks = sa.table(
    "pg_locks",
    sa.column("locktype"),
    sa.column("database"),
    sa.column("classid"),
    sa.column("objid"),
    sa.column("objsubid"),
    sa.column("granted"),
)
# A bigint advisory lock shows in pg_locks as its high 32 bits (classid) and its low 32 bits
# (objid), both unsigned oids, with objsubid 1. Shifted back together in a bigint they give
# the key with its sign (a shift does not check for overflow).
_SENDER_ALIVE = sa.exists().where(
    _locks.c.locktype == "advisory",
    _locks.c.granted,
    _locks.c.objsubid == 1,
    _locks.c.database
    == sa.select(sa.literal_column("oid"))
    .select_from(sa.table("pg_database"))
    .where(sa.literal_column("datname") == sa.func.current_database())
    .scalar_subquery(),
    sa.cast(_locks.c.classid, sa.BigInteger)
    .op("<<")(sa.literal_column("32"))
    .op("|")(sa.cast(_locks.c.objid, sa.BigInteger))
    == sa.func.hashtextextended(sa.literal(SENDER_LOCK) + outbox.c.claimed_by, 0),
)


def _claim(*free: sa.ColumnElement[bool]) -> sa.Update:
    """One statement: on SQLite under the unit's write lock (BEGIN IMMEDIATE), so nobody claims
    between the choice and the claim; on PostgreSQL the choice locks its rows and passes over
    rows another process is claiming right now (FOR UPDATE SKIP LOCKED; SQLite has no such
    clause and leaves it out), so two senders take different messages without waiting.
    A message is free when it is not claimed, its claim's lease is over, or any of `free`.

    The choice is MATERIALIZED: made once, before any row is claimed. As a plain subquery,
    PostgreSQL may plan it as the inner side of a nested loop and run it again for each row of
    the outbox; each run then passes over the rows this statement had just claimed (locked by
    its own update) and picks the next batch, so one claim took the whole outbox (240 rows for
    a batch of 10 in a test whose database's statistics led to that plan)."""
    chosen = (
        sa.select(outbox.c.id)
        .where(
            outbox.c.next_attempt_at <= sa.bindparam("now"),
            sa.or_(
                outbox.c.claimed_until.is_(None),
                outbox.c.claimed_until <= sa.bindparam("now"),
                *free,
            ),
            _NOT_HELD,
        )
        .order_by(outbox.c.id)
        .limit(sa.bindparam("batch"))
        .with_for_update(skip_locked=True)
        .cte("chosen")
        .prefix_with("MATERIALIZED")
    )
    return (
        sa.update(outbox)
        .where(outbox.c.id.in_(sa.select(chosen.c.id)))
        .values(
            claimed_by=sa.bindparam("owner"), claimed_until=sa.bindparam("until", type_=Timestamp)
        )
        .returning(*_MESSAGE)
    )


_CLAIM = _claim()
# On PostgreSQL also the messages of a sender whose process is gone: its lock went with it.
_CLAIM_PG = _claim(sa.not_(_SENDER_ALIVE))
_RELEASE = (
    sa.update(outbox)
    .where(outbox.c.claimed_by == sa.bindparam("owner"))
    .values(claimed_by=None, claimed_until=None)
)
_REMOVE = sa.delete(outbox).where(outbox.c.id == sa.bindparam("message_id"))
_POSTPONE = (
    sa.update(outbox)
    .where(outbox.c.id == sa.bindparam("message_id"))
    .values(
        attempts=outbox.c.attempts + 1,
        next_attempt_at=sa.bindparam("until", type_=Timestamp),
        claimed_by=None,
        claimed_until=None,
    )
)
# When each message may next go: its next attempt, or its claim's end if that is later.
_MAY_GO = sa.case(
    (outbox.c.claimed_until > outbox.c.next_attempt_at, outbox.c.claimed_until),
    else_=outbox.c.next_attempt_at,
)
_EARLIEST = sa.select(sa.func.min(_MAY_GO)).where(_NOT_HELD)
# On PostgreSQL a dead sender's claim holds nothing; a live one's is looked at again by
# `look_again` (when given), since its process may die meanwhile.
_LOOK_AGAIN = sa.bindparam("look_again", type_=Timestamp)
_MAY_GO_PG = sa.case(
    (
        sa.and_(outbox.c.claimed_until > outbox.c.next_attempt_at, _SENDER_ALIVE),
        sa.func.greatest(
            outbox.c.next_attempt_at,
            sa.func.least(
                outbox.c.claimed_until, sa.func.coalesce(_LOOK_AGAIN, outbox.c.claimed_until)
            ),
        ),
    ),
    else_=outbox.c.next_attempt_at,
)
_EARLIEST_PG = sa.select(sa.func.min(_MAY_GO_PG)).where(_NOT_HELD)
_DEPTH = sa.select(sa.func.count()).select_from(outbox).where(_NOT_HELD)
_AT_PLACE = sa.select(*_MESSAGE).where(
    outbox.c.platform == sa.bindparam("platform"), _place == sa.bindparam("place")
)
_SET_REPLY = (
    sa.update(outbox)
    .where(outbox.c.id == sa.bindparam("message_id"))
    .values(reply=sa.bindparam("new_reply", type_=JsonText))
)
# A member's messages went to any account of their person (linked accounts are one member).
_MEMBER_ACCOUNTS = (
    sa.select(accounts.c.platform, accounts.c.user_ref)
    .join(members, members.c.person_id == accounts.c.person_id)
    .where(members.c.id == sa.bindparam("member_id"))
)
_OF_MEMBER = sa.tuple_(outbox.c.platform, outbox.c.user_ref).in_(_MEMBER_ACCOUNTS)
_MEMBER_MESSAGES = sa.select(outbox.c.created_at, *_MESSAGE).where(_OF_MEMBER).order_by(outbox.c.id)
_ERASE = sa.delete(outbox).where(_OF_MEMBER)


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(row.id, reply_from_dict(row.reply), row.attempts)


class SqlOutbox(SqlRepo):
    section = "mydata_section_outbox"

    async def add(self, reply: Reply, now: datetime) -> int:
        return await self.db.insert(
            _ADD,
            {
                "created_at": now,
                "platform": reply.target.platform,
                "user_ref": reply.target.user_ref,
                "reply": reply_to_dict(reply),
                "next_attempt_at": now,
            },
        )

    async def pending(self, now: datetime, limit: int) -> list[OutboxMessage]:
        rows = await self.db.rows(_PENDING, {"now": now, "limit": limit})
        return [_message(row) for row in rows]

    async def claim(
        self, now: datetime, *, batch: int, lease: timedelta, owner: str
    ) -> list[OutboxMessage]:
        await self.db.hold_claims(owner)
        claim = _CLAIM_PG if self.db.dialect == "postgresql" else _CLAIM
        rows = await self.db.returning(
            claim, {"now": now, "batch": batch, "owner": owner, "until": now + lease}
        )
        return sorted((_message(row) for row in rows), key=lambda m: m.id)

    async def release(self, owner: str) -> None:
        await self.db.change(_RELEASE, {"owner": owner})

    async def remove(self, message_id: int) -> None:
        await self.db.change(_REMOVE, {"message_id": message_id})

    async def postpone(self, message_id: int, until: datetime) -> None:
        await self.db.change(_POSTPONE, {"message_id": message_id, "until": until})

    async def earliest(self, look_again: datetime | None = None) -> datetime | None:
        if self.db.dialect == "postgresql":
            found: datetime | None = await self.db.scalar(_EARLIEST_PG, {"look_again": look_again})
        else:
            found = await self.db.scalar(_EARLIEST)
        return found

    async def depth(self) -> int:
        return int(await self.db.scalar(_DEPTH))

    async def move_place(self, platform: str, old_ref: str, new_ref: str) -> int:
        rows = await self.db.rows(_AT_PLACE, {"platform": platform, "place": old_ref})
        for row in rows:
            moved = moved_reply(_message(row).reply, old_ref, new_ref)
            await self.db.change(
                _SET_REPLY, {"message_id": row.id, "new_reply": reply_to_dict(moved)}
            )
        return len(rows)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self.db.rows(_MEMBER_MESSAGES, {"member_id": member_id})
        return [{"since": row.created_at, "text": plain(_message(row).reply.text)} for row in rows]

    async def erase_member(self, member_id: int) -> int:
        return await self.db.change(_ERASE, {"member_id": member_id})

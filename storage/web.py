"""Sign-in links and sessions of the web pages: the digest of each secret, whom and where it
opens, and when it was made, used or ended. A member's links and sessions go with them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.services.web.records import LoginGrant, WebSession
from storage.sql import SqlRepo, Timestamp, community_column, member_column, schema_table

web_logins = schema_table(
    "web_logins",
    sa.Column("digest", sa.Text, primary_key=True),
    community_column(),
    member_column(),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp, nullable=True),
)

_t = web_logins
_FIND = sa.select(_t.c.community_id, _t.c.member_id, _t.c.created_at, _t.c.used_at).where(
    _t.c.digest == sa.bindparam("b_digest")
)
_USE = (
    sa.update(_t)
    .where(_t.c.digest == sa.bindparam("b_digest"), _t.c.used_at.is_(None))
    .values(used_at=sa.bindparam("b_at"))
)
_FORGET = sa.delete(_t).where(_t.c.created_at < sa.bindparam("b_before"))


class SqlWebLogins(SqlRepo):
    async def add(self, digest: str, grant: LoginGrant) -> None:
        await self.db.change(
            sa.insert(_t).values(
                digest=digest,
                community_id=grant.community_id,
                member_id=grant.member_id,
                created_at=grant.created_at,
                used_at=grant.used_at,
            )
        )

    async def find(self, digest: str) -> LoginGrant | None:
        row = await self.db.row(_FIND, {"b_digest": digest})
        if row is None:
            return None
        return LoginGrant(row.community_id, row.member_id, row.created_at, row.used_at)

    async def use(self, digest: str, at: datetime) -> bool:
        return await self.db.change(_USE, {"b_digest": digest, "b_at": at}) == 1

    async def forget_before(self, moment: datetime) -> int:
        return await self.db.change(_FORGET, {"b_before": moment})


web_sessions = schema_table(
    "web_sessions",
    sa.Column("digest", sa.Text, primary_key=True),
    community_column(),
    member_column(),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("ends_at", Timestamp, nullable=False),
    sa.Column("ended_at", Timestamp, nullable=True),
)

_s = web_sessions
_FIND_SESSION = sa.select(
    _s.c.community_id, _s.c.member_id, _s.c.created_at, _s.c.ends_at, _s.c.ended_at
).where(_s.c.digest == sa.bindparam("b_digest"))
_END = (
    sa.update(_s)
    .where(_s.c.digest == sa.bindparam("b_digest"), _s.c.ended_at.is_(None))
    .values(ended_at=sa.bindparam("b_at"))
)
_FORGET_SESSIONS = sa.delete(_s).where(_s.c.ends_at < sa.bindparam("b_before"))


class SqlWebSessions(SqlRepo):
    async def add(self, digest: str, session: WebSession) -> None:
        await self.db.change(
            sa.insert(_s).values(
                digest=digest,
                community_id=session.community_id,
                member_id=session.member_id,
                created_at=session.created_at,
                ends_at=session.ends_at,
                ended_at=session.ended_at,
            )
        )

    async def find(self, digest: str) -> WebSession | None:
        row = await self.db.row(_FIND_SESSION, {"b_digest": digest})
        if row is None:
            return None
        return WebSession(
            row.community_id, row.member_id, row.created_at, row.ends_at, row.ended_at
        )

    async def end(self, digest: str, at: datetime) -> None:
        await self.db.change(_END, {"b_digest": digest, "b_at": at})

    async def forget_before(self, moment: datetime) -> int:
        return await self.db.change(_FORGET_SESSIONS, {"b_before": moment})

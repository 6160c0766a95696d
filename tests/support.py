"""A test community: the real core on a fresh SQLite store (tests.stores), a fake clock and an
outbox that records what scheduled work sent. Tests read like what people say and see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.app import build_hearth
from bot.clock import FakeClock
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Person,
    Unreachable,
)
from bot.hearth import Defaults, Hearth
from bot.markup import plain
from bot.ports import Store
from bot.replies import Reply, Visibility
from bot.simulation import advance
from tests.stores import fresh_store

PLATFORM = "test"
COMMUNITY = "hearth-test"
MAIN = "#general"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class RecordingOutbox:
    def __init__(self) -> None:
        self.sent: list[Reply] = []

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.sent.extend(replies)


class World:
    """One community on a test platform; every helper returns the replies a person would see."""

    def __init__(self, store: Store | None = None, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock(START)
        self.store: Store = store or fresh_store()
        self.outbox = RecordingOutbox()
        self.admins: set[str] = set()
        self.languages: dict[str, str] = {}  # what each person's platform reports, if anything
        self.hearth: Hearth = build_hearth(
            store=self.store, clock=self.clock, defaults=Defaults(), outbox=self.outbox
        )

    def origin(self, who: str, where: str | None = MAIN) -> Origin:
        person = Person(
            user_ref=who.lower(),
            display_name=who,
            is_platform_admin=who.lower() in self.admins,
            language=self.languages.get(who.lower()),
        )
        return Origin(PLATFORM, COMMUNITY, person, where, community_name="Test community")

    async def say(
        self,
        who: str,
        line: str,
        *,
        where: str | None = MAIN,
        event_ref: str | None = None,
        in_public: bool = False,
    ) -> list[Reply]:
        """`line` is '/command args' or a plain message. A command is given as on Discord,
        its words seen by Hearth alone, unless `in_public` (typed where others read it, as a
        Telegram group's command); a plain message in a channel is always read there."""
        origin = self.origin(who, where)
        if line.startswith("/"):
            name, _, rest = line[1:].partition(" ")
            unseen = where is not None and not in_public
            command = CommandInvoked(origin, name, rest, event_ref=event_ref, confidential=unseen)
            return await self.hearth.handle(command)
        return await self.hearth.handle(MessagePosted(origin, line, event_ref=event_ref))

    async def privately(self, who: str, line: str) -> list[Reply]:
        return await self.say(who, line, where=None)

    async def press(self, who: str, key: str, *, where: str | None = None) -> list[Reply]:
        return await self.hearth.handle(ChoicePressed(self.origin(who, where), key))

    async def join(self, who: str) -> list[Reply]:
        return await self.hearth.handle(MemberJoined(self.origin(who)))

    async def leave(self, who: str) -> list[Reply]:
        return await self.hearth.handle(MemberLeft(self.origin(who)))

    async def unreachable(self, who: str, resume: str = "") -> list[Reply]:
        reach = await self.hearth.handle_unreachable(
            Unreachable(PLATFORM, COMMUNITY, who.lower(), payload={"resume": resume})
        )
        return reach.replies

    async def advance(self, delta: timedelta) -> list[Reply]:
        """Move time on; returns what the scheduled work sent meanwhile."""
        before = len(self.outbox.sent)
        await advance(self.hearth, self.clock, delta)
        return self.outbox.sent[before:]

    def make_admin(self, who: str) -> None:
        self.admins.add(who.lower())


def text(replies: Sequence[Reply]) -> str:
    """Everything in these replies as plain text, for assertions."""
    return "\n".join(plain(r.text) for r in replies)


def to(replies: Sequence[Reply], who: str) -> list[Reply]:
    """Replies that only `who` sees."""
    return [
        r
        for r in replies
        if r.target.user_ref == who.lower()
        and r.visibility in (Visibility.PRIVATE, Visibility.EPHEMERAL)
    ]


def public(replies: Sequence[Reply]) -> list[Reply]:
    return [r for r in replies if r.visibility is Visibility.PUBLIC]

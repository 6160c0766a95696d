"""Helpers for reflection tests: read rounds and digests from what the community sees."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.clock import FakeClock
from bot.markup import plain
from bot.replies import Reply, Visibility
from tests.support import World

_POSTED = re.compile(r"^Reflection round #(\d+) · ")


def prompts_posted(replies: Sequence[Reply]) -> list[str]:
    """The prompt texts of the rounds posted publicly in these replies, in order."""
    found = []
    for reply in replies:
        lines = plain(reply.text).splitlines()
        if reply.visibility is Visibility.PUBLIC and lines and _POSTED.match(lines[0]):
            found.append(lines[1])
    return found


def digests(replies: Sequence[Reply]) -> list[str]:
    return [
        plain(r.text)
        for r in replies
        if r.visibility is Visibility.PUBLIC and " is closing" in plain(r.text).splitlines()[0]
    ]


class TimedOutbox:
    """Records when (on the fake clock) each scheduled reply was delivered."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[datetime, Reply]] = []

    async def deliver(self, replies: Sequence[Reply]) -> None:
        self.sent.extend((self.clock.now(), reply) for reply in replies)


async def reflect_now(world: World, moderator: str = "ana") -> list[Reply]:
    """/reflect_now, confirming with "Yes" when Hearth asks before closing an unanswered round."""
    replies = await world.say(moderator, "/reflect_now")
    asked = [r for r in replies if r.choices]
    if asked:
        replies = await world.press(moderator, asked[0].choices[0].key, where="#general")
    return replies


async def start_rounds(world: World, count: int, moderator: str = "ana") -> list[Reply]:
    """A moderator starts `count` rounds with /reflect_now; returns every public post."""
    world.make_admin(moderator)
    posted: list[Reply] = []
    for _ in range(count):
        replies = await reflect_now(world, moderator)
        posted.extend(r for r in replies if r.visibility is Visibility.PUBLIC)
    return posted

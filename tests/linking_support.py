"""Two places on one Hearth, as on a real install: a Telegram group and a Discord server (and
more when a test needs them), each its own community until a moderator links them. People
speak in a place or privately with one of their accounts; helpers return what they see."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.events import ChoicePressed, CommandInvoked, MessagePosted, Origin, Person
from bot.ports import Store
from bot.replies import Reply
from tests.support import World


@dataclass(frozen=True)
class Place:
    platform: str
    ref: str
    name: str
    main: str  # the channel people talk in


GARDEN = Place("telegram", "-1001", "Garden group", "-1001")
WORKSHOP = Place("discord", "9001", "Workshop server", "general")
ALLOTMENT = Place("telegram", "-1002", "Allotment group", "-1002")
KITCHEN = Place("console", "kitchen", "Kitchen", "#kitchen")

_CODE = re.compile(r"`([A-Z0-9]{8})`")


class Places(World):
    """The core with a fake clock, spoken to from several places and accounts."""

    def __init__(self, store: Store | None = None) -> None:
        super().__init__(store=store)
        self.moderators: set[tuple[str, str]] = set()  # (platform, person)

    def moderate(self, who: str, place: Place) -> None:
        self.moderators.add((place.platform, who.lower()))

    def place_origin(self, who: str, place: Place, *, private: bool = False) -> Origin:
        person = Person(
            user_ref=who.lower(),
            display_name=who,
            is_platform_admin=(place.platform, who.lower()) in self.moderators,
        )
        where = None if private else place.main
        return Origin(place.platform, place.ref, person, where, community_name=place.name)

    async def in_place(
        self, who: str, place: Place, line: str, *, private: bool = False
    ) -> list[Reply]:
        """`line` is '/command args' or a plain message, in the place's channel or privately."""
        origin = self.place_origin(who, place, private=private)
        if line.startswith("/"):
            name, _, rest = line[1:].partition(" ")
            return await self.hearth.handle(
                CommandInvoked(origin, name, rest, confidential=not private)
            )
        return await self.hearth.handle(MessagePosted(origin, line))

    async def privately_in(self, who: str, place: Place, line: str) -> list[Reply]:
        return await self.in_place(who, place, line, private=True)

    async def press_in(self, who: str, place: Place, key: str) -> list[Reply]:
        origin = self.place_origin(who, place, private=True)
        return await self.hearth.handle(ChoicePressed(origin, key))


def code_in(replies: Sequence[Reply]) -> str:
    """The link code a private message carried."""
    for reply in replies:
        found = _CODE.search(reply.text)
        if found:
            return found.group(1)
    raise AssertionError("no code in: " + " | ".join(r.text for r in replies))


def where_to(replies: Sequence[Reply], place: Place, who: str | None = None) -> list[Reply]:
    """Replies addressed in a place: to one of its people privately, or (who=None) to all."""
    return [
        r
        for r in replies
        if r.target.platform == place.platform
        and (r.target.user_ref == (who.lower() if who else None))
        and (who is not None or r.target.community_ref == place.ref)
    ]

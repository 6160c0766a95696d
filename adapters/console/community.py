"""The console community: one community named "console" with a #general channel, and on
`:place` two more places on pseudo-platforms of their own (adapters/console/places.py).

Lines starting with ':' steer the console (who speaks, where, time, which place); '/command
args' runs a command; anything else is a message from the speaker where they are.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import TextIO

from babel.dates import format_datetime

from adapters.console import files
from adapters.console.places import DEFAULT, PLACES, Place, named, on_platform
from bot.catalog import locale_for
from bot.clock import FakeClock
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MessagePosted,
    Origin,
    Person,
)
from bot.hearth import Hearth
from bot.markup import plain
from bot.numbers import whole_number
from bot.replies import Choice, Reply, Visibility, settle_removal
from bot.scheduling import parse_duration
from bot.simulation import advance

PLATFORM = DEFAULT.platform
COMMUNITY_REF = DEFAULT.community_ref
MAIN_CHANNEL = "#general"
# The console community's channels; `:in #name` opens another one.
CHANNELS = ("#general", "#announcements", "#ideas", "#reflections", "#welcome")
_NAME = re.compile(r"^[\w.-]{1,32}$")


class ConsoleCommunity:
    platform = PLATFORM

    def __init__(
        self, hearth: Hearth, clock: FakeClock, out: TextIO, files_folder: Path | None = None
    ) -> None:
        self.hearth = hearth
        self.clock = clock
        self.out = out
        self.files_folder = files_folder or Path("hearth-files")
        self.speaker: str | None = None
        self.location: str | None = MAIN_CHANNEL
        self.place = DEFAULT
        self.used: set[Place] = set()  # places something was said or shown in
        # Each place has its own administrators, channels and people waiting to press.
        self.admins: dict[str, set[str]] = {place.community_ref: set() for place in PLACES}
        self.pending: dict[tuple[str, str], tuple[Reply, tuple[Choice, ...]]] = {}
        self.channels: dict[str, list[str]] = {p.community_ref: list(CHANNELS) for p in PLACES}
        for place in PLACES:
            hearth.channel_directories[place.platform] = self

    # -- the ChannelDirectory port -----------------------------------------------------------

    async def known(self, community_ref: str) -> Sequence[str]:
        return self.channels.get(community_ref, [])

    async def has(self, community_ref: str, typed: str) -> bool:
        return "#" + typed.strip().lstrip("#").lower() in await self.known(community_ref)

    # -- the Standing port (the web's check of a moderator) ---------------------------------

    async def standing(self, community_ref: str, user_ref: str) -> Person | None:
        admins = self.admins.get(community_ref, set())
        return Person(user_ref, user_ref, is_platform_admin=user_ref in admins)

    def standings(self) -> list[PlaceStanding]:
        """The Standing port once per place's platform, for the web pages."""
        return [PlaceStanding(place.platform, self) for place in PLACES]

    # -- the Outbox port -------------------------------------------------------------------

    async def deliver(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            self._show(reply, await self._saved(reply))

    # -- input ------------------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        where = self.location or "private"
        if self._several_places:
            where = f"{self.place.name}/{where}"
        return f"{self.speaker or '?'}@{where}> "

    async def line(self, raw: str) -> bool:
        """Handle one input line; False when the console should stop."""
        text = raw.strip()
        if not text or text == "#" or text.startswith("# "):
            return True  # blank lines and comments (for scripts)
        if text.startswith(":"):
            return await self._control(text[1:])
        if self.speaker is None:
            self._say("console_choose_speaker")
            return True
        origin = self._origin(self.speaker, self.location)
        event: Event
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            event = CommandInvoked(origin, name.lower(), rest)
        else:
            event = MessagePosted(origin, text)
        # What was typed in a channel has been read there: the console cannot take it back.
        await self.deliver(settle_removal(await self.hearth.handle(event), removed=False))
        return True

    async def _control(self, text: str) -> bool:
        try:
            verb, *args = shlex.split(text)
        except ValueError:
            verb, args = text.split(" ", 1)[0], []
        verb = verb.lower()
        if verb == "quit":
            return False
        if verb == "help":
            self._say("console_help")
        elif verb in ("as", "join", "admin") and len(args) == 1 and _NAME.match(args[0]):
            await self._person(verb, args[0])
        elif verb == "in" and len(args) == 1:
            place = args[0].lower()
            if place == "private":
                self.location = None
            elif re.match(r"^#[\w-]{1,32}$", place):
                self.location = place
                channels = self.channels[self.place.community_ref]
                if place not in channels:
                    channels.append(place)
            else:
                self._say("console_where")
        elif verb == "press" and len(args) == 1 and whole_number(args[0]) is not None:
            await self._press(int(args[0]))
        elif verb == "advance" and len(args) == 1:
            try:
                delta = parse_duration(args[0])
            except ValueError:
                self._say("console_how_far")
                return True
            await advance(self.hearth, self.clock, delta)
            self._say("console_time_now", time=self._clock_shown())
        elif verb == "time":
            self._say("console_time", time=self._clock_shown())
        elif verb == "place" and len(args) <= 1:
            self._switch(args[0] if args else None)
        else:
            self._say("console_unknown", control=text)
        return True

    def _switch(self, name: str | None) -> None:
        """`:place NAME` moves the console to that place's main channel. The speaker stays
        who they are, now with their account of that place, which Hearth meets when they
        first say something there (as on a platform, being there is not being known)."""
        names = ", ".join(place.name for place in PLACES)
        if name is None:
            self._say("console_places", places=names, current=self.place.name)
            return
        place = named(name)
        if place is None:
            self._say("console_place_unknown", name=name, places=names)
            return
        self.place = place
        self.location = MAIN_CHANNEL
        self._say("console_place_now", place=place.name)

    async def _person(self, verb: str, name: str) -> None:
        if verb == "admin":
            self.admins[self.place.community_ref].add(name.lower())
            self._say("console_admin", name=name)
            return
        self.speaker = name
        self.location = MAIN_CHANNEL
        if verb == "join":
            await self.deliver(
                await self.hearth.handle(MemberJoined(self._origin(name, MAIN_CHANNEL)))
            )
        else:
            await self.hearth.register(self._origin(name, MAIN_CHANNEL))

    async def _press(self, number: int) -> None:
        speaker = self.speaker
        waiting = (self.place.platform, speaker.lower()) if speaker else None
        if speaker is None or waiting is None or waiting not in self.pending:
            self._say("console_nothing_to_press")
            return
        reply, choices = self.pending[waiting]
        if not 1 <= number <= len(choices):
            self._say("console_press_range", count=len(choices))
            return
        where = reply.target.channel_ref if reply.visibility is not Visibility.PRIVATE else None
        origin = self._origin(speaker, where)
        event = ChoicePressed(origin, choices[number - 1].key)
        await self.deliver(await self.hearth.handle(event))

    def _origin(self, name: str, channel: str | None) -> Origin:
        place = self.place
        self.used.add(place)
        admin = name.lower() in self.admins[place.community_ref]
        person = Person(user_ref=name.lower(), display_name=name, is_platform_admin=admin)
        return Origin(
            place.platform, place.community_ref, person, channel, community_name=place.name
        )

    # -- output -----------------------------------------------------------------------------

    def _show(self, reply: Reply, saved: Sequence[str] = ()) -> None:
        target = reply.target
        if reply.visibility is Visibility.PRIVATE:
            heading = f"[private → {target.user_ref}]"
        elif reply.visibility is Visibility.EPHEMERAL:
            heading = f"[{target.channel_ref} → {target.user_ref}, only you]"
        else:
            heading = f"[{target.channel_ref or MAIN_CHANNEL}]"
        place = on_platform(target.platform)
        if place is not None:
            self.used.add(place)
        if self._several_places and place is not None:  # the reader sees where it went
            heading = f"{place.name} {heading}"
        lines = [heading, plain(reply.text), *saved]
        lines.extend(f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, 1))
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        if reply.choices:
            for user in self._addressees(reply):
                self.pending[(target.platform, user)] = (reply, reply.choices)

    @property
    def _several_places(self) -> bool:
        return len(self.used) > 1

    async def _saved(self, reply: Reply) -> list[str]:
        """Save the reply's files; a line for each, in its reader's language, saying where."""
        if not reply.files:
            return []
        language = await self.hearth.language_for(reply.target)
        lines = []
        for attachment in reply.files:
            path = files.save(self.files_folder, attachment)
            key = "console_file_saved" if attachment.alt else "console_file_saved_bare"
            text = self.hearth.catalog.text(
                key, language, name=attachment.name, path=str(path), alt=attachment.alt
            )
            lines.append(plain(text))
        return lines

    def _addressees(self, reply: Reply) -> list[str]:
        if reply.target.user_ref:
            return [reply.target.user_ref]
        return []

    def _clock_shown(self) -> str:
        """The simulated clock (UTC), its weekday in the console's language."""
        return format_datetime(
            self.clock.now(), "EEE yyyy-MM-dd HH:mm", tzinfo=UTC, locale=locale_for(self._language)
        )

    @property
    def _language(self) -> str:
        """The console's own notes speak the operator's language (HEARTH_LANGUAGE); what the
        community says follows its members' and its own."""
        return self.hearth.defaults.language

    def note(self, key: str, /, **params: str | int) -> str:
        """A console note in the operator's language, as plain text."""
        return plain(self.hearth.catalog.text(key, self._language, **params))

    def _say(self, key: str, /, **params: str | int) -> None:
        self.out.write(self.note(key, **params) + "\n\n")
        self.out.flush()

    def banner(self) -> str:
        return plain(self.hearth.catalog.text("console_banner", self._language))


class PlaceStanding:
    """The console's Standing for one place's platform: the web asks by platform."""

    def __init__(self, platform: str, console: ConsoleCommunity) -> None:
        self.platform = platform
        self._console = console

    async def standing(self, community_ref: str, user_ref: str) -> Person | None:
        return await self._console.standing(community_ref, user_ref)

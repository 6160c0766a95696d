"""The console community: one community named "console" with a #general channel.

Lines starting with ':' steer the console (who speaks, where, time); '/command args' runs a
command; '# ' starts a comment (for scripts); anything else is a message from the speaker.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import TextIO

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
from bot.replies import Choice, Reply, Visibility
from bot.scheduling import parse_duration
from bot.simulation import advance

PLATFORM = "console"
COMMUNITY_REF = "console"
MAIN_CHANNEL = "#general"
_NAME = re.compile(r"^[\w.-]{1,32}$")

HELP = """Console controls:
  :as NAME          speak as NAME
  :join NAME        NAME joins as a newcomer and speaks
  :admin NAME       make NAME a platform administrator
  :in #channel      talk in a channel; ':in private' talks to the bot privately
  :press N          press option N of the latest message to you
  :advance 2h       move the clock forward (m, h, d, w), firing what falls due
  :time             show the simulated time
  :quit             leave
Anything else is said by the speaker; /help lists the commands."""


class ConsoleCommunity:
    def __init__(self, hearth: Hearth, clock: FakeClock, out: TextIO) -> None:
        self.hearth = hearth
        self.clock = clock
        self.out = out
        self.speaker: str | None = None
        self.location: str | None = MAIN_CHANNEL
        self.admins: set[str] = set()
        self.pending: dict[str, tuple[Reply, tuple[Choice, ...]]] = {}

    # -- the Outbox port -------------------------------------------------------------------

    async def deliver(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            self._show(reply)

    # -- input ------------------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        where = self.location or "private"
        return f"{self.speaker or '?'}@{where}> "

    async def line(self, raw: str) -> bool:
        """Handle one input line; False when the console should stop."""
        text = raw.strip()
        if not text or text == "#" or text.startswith("# "):  # blank, or a comment in a script
            return True
        if text.startswith(":"):
            return await self._control(text[1:])
        if self.speaker is None:
            self._note("Choose who is speaking first, for example ':as ana' (':help' for more).")
            return True
        origin = self._origin(self.speaker, self.location)
        event: Event
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            event = CommandInvoked(origin, name.lower(), rest)
        else:
            event = MessagePosted(origin, text)
        await self.deliver(await self.hearth.handle(event))
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
            self._note(HELP)
        elif verb in ("as", "join", "admin") and len(args) == 1 and _NAME.match(args[0]):
            await self._person(verb, args[0])
        elif verb == "in" and len(args) == 1:
            place = args[0].lower()
            if place == "private":
                self.location = None
            elif re.match(r"^#[\w-]{1,32}$", place):
                self.location = place
            else:
                self._note("Say ':in #channel' or ':in private'.")
        elif verb == "press" and len(args) == 1 and args[0].isdigit():
            await self._press(int(args[0]))
        elif verb == "advance" and len(args) == 1:
            try:
                delta = parse_duration(args[0])
            except ValueError:
                self._note("Say how far, for example ':advance 45m', '2h', '3d' or '1w'.")
                return True
            await advance(self.hearth, self.clock, delta)
            self._note(f"(time is now {self.clock.now():%a %Y-%m-%d %H:%M} UTC)")
        elif verb == "time":
            self._note(f"(time is {self.clock.now():%a %Y-%m-%d %H:%M} UTC)")
        else:
            self._note(f"I don't understand ':{text}'. Try ':help'.")
        return True

    async def _person(self, verb: str, name: str) -> None:
        if verb == "admin":
            self.admins.add(name.lower())
            self._note(f"({name} is now an administrator of this console community)")
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
        if self.speaker is None or self.speaker.lower() not in self.pending:
            self._note("There is nothing to press for you right now.")
            return
        reply, choices = self.pending[self.speaker.lower()]
        if not 1 <= number <= len(choices):
            self._note(f"Choose an option from 1 to {len(choices)}.")
            return
        where = reply.target.channel_ref if reply.visibility is not Visibility.PRIVATE else None
        origin = self._origin(self.speaker, where)
        event = ChoicePressed(origin, choices[number - 1].key)
        await self.deliver(await self.hearth.handle(event))

    def _origin(self, name: str, channel: str | None) -> Origin:
        person = Person(
            user_ref=name.lower(), display_name=name, is_platform_admin=name.lower() in self.admins
        )
        return Origin(PLATFORM, COMMUNITY_REF, person, channel, community_name="console")

    # -- output -----------------------------------------------------------------------------

    def _show(self, reply: Reply) -> None:
        target = reply.target
        if reply.visibility is Visibility.PRIVATE:
            heading = f"[private → {target.user_ref}]"
        elif reply.visibility is Visibility.EPHEMERAL:
            heading = f"[{target.channel_ref} → {target.user_ref}, only you]"
        else:
            heading = f"[{target.channel_ref or MAIN_CHANNEL}]"
        lines = [heading, plain(reply.text)]
        lines.extend(f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, 1))
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        if reply.choices:
            for user in self._addressees(reply):
                self.pending[user] = (reply, reply.choices)

    def _addressees(self, reply: Reply) -> list[str]:
        if reply.target.user_ref:
            return [reply.target.user_ref]
        return []

    def _note(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()

"""One `hearth run` serving a Telegram group and a Discord server at once: the real
python-telegram-bot against tests/telegram_fake.py and the real discord.py against
tests/fake_discord.py, in one process (tests/two_places_run.py) on one SQLite file.

The stories are told with `TwoPlaces`' helpers, each waiting for what a person would see (no
fixed sleeps); time passes by restarting the process with its clock shifted. The second story
is issue 18 end to end: the two places linked into one community, one person's two accounts
linked, then a proposal, a check-in round and /forgetme across both.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage.sqlite import SqliteStore
from tests import fake_discord, telegram_fake
from tests.fake_discord import FakeDiscord, InteractionRecord
from tests.hearth_process import HearthProcess
from tests.peek import contents
from tests.telegram_fake import FakeBotApi
from tests.two_places_run import CLOCK_SHIFT, DISCORD_ADDRESS

GROUP_ID = -1001000000018
DAY = 24 * 3600.0  # seconds
BOUND = 15.0  # seconds: a safety bound on every wait, never reached when things work


@dataclass(frozen=True)
class Account:
    """Someone's account on one platform: the fake's user object and which fake it lives in."""

    platform: str  # "telegram" | "discord"
    user: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.user.get("first_name") or self.user.get("global_name"))


def _plain(text: str) -> str:
    """Discord's markdown taken off, so a sentence reads the same on both platforms."""
    return re.sub(r"\*\*|__|\\", "", text)


class TwoPlaces:
    """The Telegram group "Kitchen" and the Discord server "Hearth Test", one `hearth run`
    serving both. Telegram: Tess (the group's creator, a moderator there), Tom and Tia, all of
    whom started the bot. Discord: Dana (a manager, a moderator there), Dan and Dot."""

    def __init__(self, folder: Path) -> None:
        self.telegram = FakeBotApi()
        self.group = self.telegram.group(GROUP_ID, "Kitchen")
        self.discord = FakeDiscord()
        self.tess = self._telegram_member(1801, "Tess", "creator")
        self.tom = self._telegram_member(1802, "Tom", "member")
        self.tia = self._telegram_member(1803, "Tia", "member")
        self.dana = Account("discord", self.discord.add_member("Dana", manager=True))
        self.dan = Account("discord", self.discord.add_member("Dan"))
        self.dot = Account("discord", self.discord.add_member("Dot"))
        self.folder = folder
        self.process: HearthProcess | None = None

    def _telegram_member(self, user_id: int, name: str, status: str) -> Account:
        user = self.telegram.user(user_id, name)
        self.telegram.set_status(self.group, user, status)
        self.telegram.started.add(user_id)  # each can be written to privately
        return Account("telegram", user)

    @property
    def telegram_members(self) -> tuple[Account, ...]:
        return (self.tess, self.tom, self.tia)

    @property
    def discord_members(self) -> tuple[Account, ...]:
        return (self.dana, self.dan, self.dot)

    # -- the process ----------------------------------------------------------------------------

    async def start(self, *, clock_shift: float = 0.0) -> None:
        """`hearth run` (again, on the same database) with both tokens set; returns once both
        platforms are served: Telegram polled, Discord connected with its commands synced.
        `clock_shift` seconds move the core's clock (say, past a link code's 15 minutes)."""
        settings = {
            "HEARTH_DISCORD_TOKEN": fake_discord.TOKEN,
            DISCORD_ADDRESS: f"http://127.0.0.1:{self.discord.port}",
            "HEARTH_WEB_ADDRESS": "off",  # no port taken that the story does not use
        }
        if clock_shift:
            settings[CLOCK_SHIFT] = str(clock_shift)
        if self.process is None:
            self.process = HearthProcess(
                self.telegram, self.folder, settings=settings, module="tests.two_places_run"
            )
        self.process.settings = settings
        polls = self._long_polls()
        before = {id(session) for session in self.discord.sessions}
        await self.process.start()
        await self.telegram.wait_for(lambda: self._long_polls() > polls, BOUND)
        await self.discord.wait_for(  # a new connection, ready, and the commands synced
            lambda: (
                self.discord.commands
                and any(s.ready and id(s) not in before for s in self.discord.sessions)
            )
        )

    def _long_polls(self) -> int:
        return sum(m == "getUpdates" and bool(p.get("timeout")) for m, p in self.telegram.calls)

    async def stop(self) -> None:
        """SIGINT, as an operator would; the process must end cleanly."""
        assert self.process is not None
        code = await self.process.stop()
        assert code == 0, self.process.logs()

    def logs(self) -> str:
        return self.process.logs() if self.process is not None and self.process.runs else ""

    # -- what people do -------------------------------------------------------------------------

    async def send_telegram(self, account: Account, text: str, *, private: bool = False) -> int:
        """`account` writes `text` in the group (or to the bot privately); returns a mark to
        wait for what Hearth sends after it."""
        mark = len(self.telegram.sent)
        where = {} if private else {"chat": self.group}
        await self.telegram.say(account.user, text, **where)
        return mark

    async def send_discord(
        self, account: Account, command: str, *, private: bool = False, **options: Any
    ) -> InteractionRecord:
        """`account` uses a slash command in #general (or in their DM with the bot), its
        options by name as synced (`title_and_details=...`)."""
        channel = self._dm_channel(account) if private else None
        return await self.discord.slash(account.user, command, channel, **options)

    async def write_discord_privately(self, account: Account, text: str) -> None:
        """`account` types `text` in their DM with the bot (an answer a flow waits for)."""
        await self.discord.dm_from(account.user, text)

    def _dm_channel(self, account: Account) -> int:
        return self.discord._dm_channel_for(int(account.user["id"]))

    # -- what Hearth sent -----------------------------------------------------------------------

    async def wait_for_telegram_message(
        self, chat_id: int, contains: str, *, after: int = 0
    ) -> telegram_fake.Sent:
        """The first message Hearth sent to that chat since `after` (a mark) holding `contains`."""

        def found() -> telegram_fake.Sent | None:
            return next(
                (
                    s
                    for s in self.telegram.sent[after:]
                    if s.chat_id == chat_id and contains in s.text
                ),
                None,
            )

        try:
            await self.telegram.wait_for(lambda: found() is not None, BOUND)
        except TimeoutError:
            raise AssertionError(self._missing("Telegram", contains)) from None
        message = found()
        assert message is not None
        return message

    async def wait_for_discord_answer(
        self, record: InteractionRecord, contains: str
    ) -> fake_discord.Sent:
        """Hearth's answer to that use of a command, holding `contains` (markdown aside)."""
        return await self._discord_message(
            lambda s: s.interaction_id == record.id and contains in _plain(s.content), contains
        )

    async def wait_for_discord_message(
        self, channel_id: int, contains: str, *, public: bool = True
    ) -> fake_discord.Sent:
        """A message of Hearth's own (not an answer) in that channel, holding `contains`."""
        return await self._discord_message(
            lambda s: (
                s.channel_id == channel_id
                and (s.interaction_id is None or not public)
                and not s.ephemeral
                and contains in _plain(s.content)
            ),
            contains,
        )

    async def _discord_message(
        self, wanted: Callable[[fake_discord.Sent], bool], contains: str
    ) -> fake_discord.Sent:
        try:
            found: fake_discord.Sent = await self.discord.wait_for(
                lambda: next((s for s in self.discord.sent if wanted(s)), None)
            )
        except AssertionError:
            raise AssertionError(self._missing("Discord", contains)) from None
        return found

    def private_messages_of(self, account: Account) -> list[str]:
        """Everything Hearth wrote to `account` privately, in order (Discord's markdown aside)."""
        if account.platform == "telegram":
            return [s.text for s in self.telegram.sent if s.chat_id == account.user["id"]]
        return [_plain(s.content) for s in self.discord.dms(account.user)]

    async def wait_for_private_message(
        self, account: Account, contains: str, *, after: int = 0
    ) -> str:
        """The first private message to `account` holding `contains` (of those from the
        `after`th on: `len(private_messages_of(account))` taken before is a mark)."""

        def found() -> str | None:
            return next(
                (t for t in self.private_messages_of(account)[after:] if contains in t), None
            )

        try:
            if account.platform == "telegram":
                await self.telegram.wait_for(lambda: found() is not None, BOUND)
            else:
                await self.discord.wait_for(found)
        except (TimeoutError, AssertionError):
            raise AssertionError(
                self._missing(f"{account.name}'s private chat", contains)
            ) from None
        text = found()
        assert text is not None
        return text

    async def answer_checkin(self, account: Account, asked: str) -> None:
        """`account` answers each need of the check-in `asked` (its first question) "Okay" by
        typing its number in their private chat, as the question invites."""
        total = int(re.findall(r"\(1 of (\d+)\)", asked)[0])
        for number in range(1, total + 1):
            mark = len(self.private_messages_of(account))
            if account.platform == "telegram":
                await self.send_telegram(account, "1", private=True)
            else:
                await self.write_discord_privately(account, "1")
            following = f"({number + 1} of {total})" if number < total else "Would you like a hand"
            await self.wait_for_private_message(account, following, after=mark)

    async def database(self) -> dict[str, list[dict[str, Any]]]:
        """Every row the stopped process left in its SQLite file, by table."""
        assert self.process is not None
        store = await SqliteStore.open(self.process.database)
        try:
            return await contents(store)
        finally:
            await store.close()

    def _missing(self, where: str, contains: str) -> str:
        telegram = [(s.chat_id, s.text[:60]) for s in self.telegram.sent]
        discord = [(s.via, s.channel_id, s.content[:60]) for s in self.discord.sent]
        return (
            f"{where} never got {contains!r}\ntelegram={telegram}\ndiscord={discord}\n"
            f"logs:\n{self.logs()[-3000:]}"
        )


@pytest.fixture
async def places(tmp_path: Path) -> AsyncIterator[TwoPlaces]:
    two = TwoPlaces(tmp_path)
    await two.telegram.start()
    await two.discord.start()
    try:
        await two.start()
        yield two
    finally:
        if two.process is not None:
            await two.process.ensure_gone()
        await two.discord.close()
        await two.telegram.close()


async def test_one_hearth_run_serves_a_telegram_group_and_a_discord_server(
    places: TwoPlaces,
) -> None:
    # Members of each place ask for help where they are; each place answers its own.
    for account in places.telegram_members:  # answered privately: each started the bot
        await places.send_telegram(account, "/help")
        await places.wait_for_private_message(account, "Here is what you can use")
    for account in places.discord_members:
        asked = await places.send_discord(account, "help")
        await places.wait_for_discord_answer(asked, "Here is what you can use")

    # A proposal opened in each place appears in that place's proposals channel, and only there.
    mark = await places.send_telegram(places.tom, "/propose Soup night | Fridays, big pot")
    posted = await places.wait_for_telegram_message(GROUP_ID, "New proposal #1", after=mark)
    assert "Soup night by Tom" in posted.text
    opened = await places.send_discord(
        places.dan, "propose", title_and_details="Tool library | Drills and ladders"
    )
    await places.wait_for_discord_answer(opened, "Your proposal is open as #1")
    shown = await places.wait_for_discord_message(places.discord.general, "New proposal #1")
    assert "Tool library by Dan" in _plain(shown.content)
    assert not any("Tool library" in s.text for s in places.telegram.sent)
    assert not any("Soup night" in s.content for s in places.discord.sent)

    # A moderator's /checkin now in each place asks that place's members privately.
    mark = await places.send_telegram(places.tess, "/checkin now")
    await places.wait_for_telegram_message(GROUP_ID, "Check-in time", after=mark)
    for account in places.telegram_members:
        await places.wait_for_private_message(account, "Time for a check-in.")
    started = await places.send_discord(places.dana, "checkin", now="now")
    await places.wait_for_discord_answer(started, "The check-in round is open until")
    for account in places.discord_members:
        await places.wait_for_private_message(account, "Time for a check-in.")
    for account in (*places.telegram_members, *places.discord_members):
        questions = [t for t in places.private_messages_of(account) if "Time for a check-in." in t]
        assert len(questions) == 1, (account.name, questions)  # each asked once, in their own place

    await places.stop()
    for platform in ("telegram", "discord"):  # one process served both
        assert f"adapter started platform={platform}" in places.logs()
    assert "Telegram adapter polling as @hearth_test_bot" in places.logs()
    assert telegram_fake.TOKEN.split(":")[1] not in places.logs()
    assert fake_discord.TOKEN not in places.logs()


async def test_two_places_become_one_community_and_two_accounts_one_person(
    places: TwoPlaces,
) -> None:
    tom, dan = places.tom, places.dan  # one human, an account on each platform
    for account in places.telegram_members:  # Hearth knows everyone in both places
        await places.send_telegram(account, "/help")
        await places.wait_for_private_message(account, "Here is what you can use")
    for account in places.discord_members:
        asked = await places.send_discord(account, "help")
        await places.wait_for_discord_answer(asked, "Here is what you can use")

    # 1. Tess gets a place code privately; Dana sends it on Discord: one community, and
    # both places are told so.
    mark = await places.send_telegram(places.tess, "/link")
    given = await places.wait_for_telegram_message(
        places.tess.user["id"], "Here is a code to link another place to Kitchen", after=mark
    )
    assert not [s for s in places.telegram.sent if s.chat_id == GROUP_ID]  # nothing public
    joined = await places.send_discord(places.dana, "link", code=given.styled("code")[0])
    await places.wait_for_discord_answer(joined, "Done: this place is part of Kitchen now")
    told = "Discord: Hearth Test has joined Kitchen: one community now"
    await places.wait_for_telegram_message(GROUP_ID, told, after=mark)
    await places.wait_for_discord_message(places.discord.general, told)

    # 2. Tom asks for a person code on Telegram, Dan sends it from his Discord DM, and only
    # Tom's "Yes, that's me" on Telegram links them; both accounts are told.
    mark = await places.send_telegram(tom, "/link me", private=True)
    mine = await places.wait_for_telegram_message(tom.user["id"], "Here is your code", after=mark)
    sent = await places.send_discord(dan, "link", private=True, code=f"me {mine.styled('code')[0]}")
    await places.wait_for_discord_answer(sent, "I've asked the account that gave you the code")
    question = await places.wait_for_telegram_message(
        tom.user["id"], "The Discord account Dan sent me the code", after=mark
    )
    await places.telegram.press(tom.user, question, "Yes, that's me")
    await places.wait_for_private_message(tom, "Done: the Discord account is you too now.")
    await places.wait_for_private_message(dan, "Done: your Telegram account said yes")

    # 3. Tia's proposal is posted in both places, each in its own markup.
    mark = await places.send_telegram(places.tia, "/propose Bike repair day | Saturdays, tools")
    posted = await places.wait_for_telegram_message(GROUP_ID, "New proposal #1", after=mark)
    assert "New proposal #1: Bike repair day" in posted.styled("bold")
    shown = await places.wait_for_discord_message(places.discord.general, "New proposal #1")
    assert "**New proposal #1: Bike repair day** by Tia" in shown.content
    built = await places.send_discord(places.dot, "build", number=1, text="I'll bring a stand")
    await places.wait_for_discord_answer(built, "Your build is added to #1")
    await places.send_telegram(places.tess, "/concern 1 What if it rains?")  # answered privately
    await places.wait_for_private_message(places.tess, "Your concern is added to #1")

    # Its three days pass: the consent round opens in both places.
    await places.stop()
    mark = len(places.telegram.sent)
    await places.start(clock_shift=3 * DAY + 3600)
    opened = "The consent round on #1 Bike repair day is open"
    await places.wait_for_telegram_message(GROUP_ID, opened, after=mark)
    await places.wait_for_discord_message(places.discord.general, opened)

    # Tom consents on Telegram, Dan (the same person) and Dana on Discord: two voices.
    await places.send_telegram(tom, "/consent 1")
    await places.wait_for_private_message(tom, "Your consent to #1 is recorded")
    for account in (dan, places.dana):
        consented = await places.send_discord(account, "consent", number=1)
        await places.wait_for_discord_answer(consented, "Your consent to #1 is recorded")
    listed = await places.send_discord(places.dot, "proposals")
    await places.wait_for_discord_answer(listed, "consents 2 · objections 0")
    looked = await places.send_discord(places.dot, "proposal", number=1)
    view = _plain((await places.wait_for_discord_answer(looked, "Consent round 1")).content)
    assert re.findall(r"• (\w+) consents", view) == ["Dan", "Dana"], view  # his latest word

    # The round's three days pass: adopted, and both places are told.
    await places.stop()
    mark = len(places.telegram.sent)
    await places.start(clock_shift=6 * DAY + 2 * 3600)
    adopted = "#1 Bike repair day is adopted, with 2 consents and no standing objection"
    await places.wait_for_telegram_message(GROUP_ID, adopted, after=mark)
    await places.wait_for_discord_message(places.discord.general, adopted)

    # 4. Tom/Dan last wrote privately on Discord; a check-in asks everyone once, him there.
    asked = await places.send_discord(dan, "help", private=True)
    await places.wait_for_discord_answer(asked, "Here is what you can use")
    told_tom = len(places.private_messages_of(tom))
    mark = await places.send_telegram(places.tess, "/checkin now")
    await places.wait_for_telegram_message(GROUP_ID, "Check-in time", after=mark)
    await places.wait_for_discord_message(places.discord.general, "Check-in time")
    everyone = (places.tess, places.tia, places.dana, dan, places.dot)
    questions = {
        a.name: await places.wait_for_private_message(a, "Time for a check-in.") for a in everyone
    }
    for account in (*places.telegram_members, *places.discord_members):
        got = [t for t in places.private_messages_of(account) if "Time for a check-in." in t]
        assert len(got) == (0 if account is tom else 1), (account.name, got)
    answering = (places.tess, places.tia, dan, places.dot)  # four people, from both sides
    for account in answering:
        await places.answer_checkin(account, questions[account.name])
    assert len(places.private_messages_of(tom)) == told_tom  # nothing went to Tom
    # He answers again from Telegram: his new answers replace those he gave as Dan.
    await places.send_telegram(tom, "/checkin", private=True)
    again = await places.wait_for_private_message(tom, "Here's the check-in again")
    await places.answer_checkin(tom, again)

    # The window passes: four checked in, said in both places.
    await places.stop()
    mark = len(places.telegram.sent)
    await places.start(clock_shift=9 * DAY + 3 * 3600)
    summary = await places.wait_for_telegram_message(
        GROUP_ID, "The check-in has closed", after=mark
    )
    assert f"\n{len(answering)} checked in" in summary.text  # Tom/Dan once
    posted_too = await places.wait_for_discord_message(
        places.discord.general, "The check-in has closed"
    )
    assert f"\n{len(answering)} checked in" in _plain(posted_too.content)

    # 5. Dan's /forgetme on Discord erases the person: both accounts, their one member.
    forget = await places.send_discord(dan, "forgetme")
    confirm = await places.wait_for_discord_answer(forget, "This erases everything")
    pressed = await places.discord.press(dan.user, confirm, confirm.custom_ids()[0])
    await places.wait_for_discord_answer(pressed, "Here is what I erased")
    await places.stop()
    stored = await places.database()
    his = {str(tom.user["id"]), str(dan.user["id"])}
    assert not [a for a in stored["accounts"] if a["user_ref"] in his]
    assert not [m for m in stored["members"] if m["user_ref"] in his]
    people = {p["id"] for p in stored["people"]}
    assert people == {a["person_id"] for a in stored["accounts"]}  # none left without one
    assert len(people) == 4  # Tess, Tia, Dana and Dot

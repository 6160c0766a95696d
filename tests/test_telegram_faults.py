"""Telegram pushing back, through the real PTB against the fake Bot API: 403, 429, 5xx and
timeouts. What is safe to send again is sent again with backoff; what is not is kept in the
outbox for later; nothing is lost without a trace, and nothing crashes."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.request import RequestData

from adapters.telegram.transport import ServerError, Transport, may_send_again
from tests.telegram_fake import Sent
from tests.telegram_faults import FaultyBotApi, Params
from tests.telegram_support import GROUP_ID, TelegramWorld

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
OPENING = "Time for a check-in."


@pytest.fixture
async def tg() -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld(fake=FaultyBotApi())
    world.request_timeout = 0.3  # a stalled answer times out quickly
    await world.start()
    yield world
    await world.close()


def faulty(tg: TelegramWorld) -> FaultyBotApi:
    assert isinstance(tg.fake, FaultyBotApi)
    return tg.fake


def to(person: dict[str, object]) -> object:
    """Matches sends to this person's private chat."""
    return lambda params: params.get("chat_id") == person["id"]


def openings(sent: list[Sent], person: dict[str, object]) -> int:
    return sum(1 for s in sent if s.chat_id == person["id"] and OPENING in s.text)


async def members_with_a_weekly_round(tg: TelegramWorld) -> None:
    """Ana, Bob and Carla in the group, all reachable privately, and a round on Mondays 10:00."""
    for person in (tg.ana, tg.bob, tg.carla):
        tg.fake.started.add(person["id"])
        await tg.say(person, "hello")
    await tg.say(tg.ana, "/schedule checkin mon 10:00")


async def the_round_opens(tg: TelegramWorld) -> list[Sent]:
    return await tg.advance(timedelta(hours=1, minutes=1))


def sends_to(tg: TelegramWorld, person: dict[str, object]) -> list[Params]:
    return [p for m, p in tg.fake.calls if m == "sendMessage" and p.get("chat_id") == person["id"]]


# -- safe to send again: sent again at once, with backoff ---------------------------------------


async def test_a_server_error_is_sent_again_with_backoff_and_arrives_once(
    tg: TelegramWorld,
) -> None:
    tg.fake.started.add(tg.carla["id"])
    faulty(tg).fail("error", status=500, times=2, match=to(tg.carla))
    sent = await tg.say(tg.carla, "/privacy")
    assert [s.chat_id for s in sent] == [tg.carla["id"]]
    assert len(sends_to(tg, tg.carla)) == 3
    assert tg.sleeps == [0.5, 1.0]  # exponential backoff on the pacer's (instant) sleep


async def test_a_429_in_the_middle_of_a_round_is_waited_out_and_loses_nothing(
    tg: TelegramWorld,
) -> None:
    await members_with_a_weekly_round(tg)
    tg.fake.flood("sendMessage", retry_after=3, times=2)
    sent = await the_round_opens(tg)
    assert [openings(sent, p) for p in (tg.ana, tg.bob, tg.carla)] == [1, 1, 1]
    assert tg.sleeps == [3.0, 3.0]


async def test_a_failing_read_is_asked_again_and_never_stops_a_command(
    tg: TelegramWorld,
) -> None:
    tg.fake.started.add(tg.bob["id"])
    faulty(tg).fail("stall", method="getChatAdministrators", seconds=1.0)
    faulty(tg).fail("error", method="getChatAdministrators", status=503, times=3)
    sent = await tg.say(tg.bob, "/help")  # who runs the group stays unknown: Bob is a member
    assert [s.chat_id for s in sent] == [tg.bob["id"]]
    assert "Here is what you can use" in sent[0].text
    assert tg.sleeps == [0.5, 1.0, 2.0]  # a timed-out read is safe to ask again; then gave up


# -- not safe to send again: kept for later, never lost ----------------------------------------


async def test_a_server_error_that_lasts_leaves_the_check_in_in_the_outbox_until_it_arrives(
    tg: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await members_with_a_weekly_round(tg)
    faulty(tg).fail("error", status=502, times=4, match=to(tg.bob))  # every quick retry
    with caplog.at_level(logging.WARNING):
        sent = await the_round_opens(tg)  # the outbox tries again 30 s later
    assert [openings(sent, p) for p in (tg.ana, tg.bob, tg.carla)] == [1, 1, 1]
    assert len(sends_to(tg, tg.bob)) == 5
    assert "delivery failed outbox_id=" in caplog.text
    assert OPENING not in caplog.text  # ids in the logs, never what was said


async def test_a_timeout_on_an_answer_is_not_resent_at_once_but_kept_and_delivered_later(
    tg: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    tg.fake.started.add(tg.bob["id"])
    faulty(tg).fail("stall", seconds=1.0, match=to(tg.bob))  # Telegram never took it
    with caplog.at_level(logging.WARNING):
        assert await tg.say(tg.bob, "/privacy") == []
    assert tg.sleeps == []  # a send that may have gone through is not repeated blindly
    assert "kept an undelivered reply outbox_id=" in caplog.text
    later = await tg.advance(timedelta(minutes=1))
    assert [s.chat_id for s in later] == [tg.bob["id"]]
    assert "privacy" in later[0].text.lower()


async def test_a_timeout_after_telegram_took_the_message_errs_on_delivering_it_twice(
    tg: TelegramWorld,
) -> None:
    """The bot cannot tell "lost on the way" from "shown, answer lost": it keeps the message,
    so a member may see a check-in twice but never misses one."""
    await members_with_a_weekly_round(tg)
    faulty(tg).fail("stall", seconds=1.0, taken=True, match=to(tg.bob))
    sent = await the_round_opens(tg)
    assert [openings(sent, p) for p in (tg.ana, tg.bob, tg.carla)] == [1, 2, 1]


# -- refused: reported, not repeated ----------------------------------------------------------


async def test_a_member_who_blocked_the_bot_is_reported_to_the_core_and_the_round_goes_on(
    tg: TelegramWorld,
) -> None:
    await members_with_a_weekly_round(tg)
    faulty(tg).blocked.add(tg.bob["id"])
    sent = await the_round_opens(tg)
    assert [openings(sent, p) for p in (tg.ana, tg.bob, tg.carla)] == [1, 0, 1]
    links = [s for s in sent if s.chat_id == GROUP_ID and s.keyboard]
    assert links and "Bob" not in links[0].text  # the group may open the chat, nobody named
    async with tg.store.unit_of_work() as uow:
        link = await uow.communities.find_link("telegram", str(GROUP_ID))
        assert link is not None
        bob = await uow.members.find(link.community_id, "telegram", str(tg.bob["id"]))
        assert bob is not None and bob.unreachable_since is not None
        assert await uow.outbox.earliest() is None  # nothing left to retry: it was refused
    assert tg.sleeps == []


async def test_a_refusal_no_retry_can_change_is_logged_with_an_id_and_not_repeated(
    tg: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    faulty(tg).fail("error", status=400, match=lambda p: p.get("chat_id") == GROUP_ID)
    with caplog.at_level(logging.ERROR):
        assert await tg.say(tg.bob, "/help") == []  # Bob never started the bot: in the group
    assert "Telegram refused a reply id=" in caplog.text
    assert tg.sleeps == []
    async with tg.store.unit_of_work() as uow:
        assert await uow.outbox.earliest() is None


# -- which failures are safe to repeat ---------------------------------------------------------


def _caused(error: NetworkError, cause: Exception) -> NetworkError:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "endpoint", "again"),
    [
        (ServerError(500, "Internal Server Error"), "sendMessage", True),
        (_caused(TimedOut(), aiohttp.ConnectionTimeoutError()), "sendMessage", True),
        (_caused(TimedOut(), aiohttp.SocketTimeoutError()), "sendMessage", False),
        (_caused(NetworkError("gone"), aiohttp.ServerDisconnectedError()), "sendMessage", False),
        (_caused(TimedOut(), aiohttp.SocketTimeoutError()), "getChatAdministrators", True),
        (_caused(TimedOut(), aiohttp.SocketTimeoutError()), "editMessageText", True),
        (BadRequest("chat not found"), "sendMessage", False),
        (Forbidden("blocked"), "getChatMember", False),
    ],
)
def test_only_failures_that_cannot_duplicate_a_message_are_sent_again_at_once(
    error: NetworkError, endpoint: str, again: bool
) -> None:
    assert may_send_again(error, endpoint) is again


async def test_a_connection_that_cannot_be_made_sent_nothing_and_may_be_repeated() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    transport = Transport(timeout=2)
    await transport.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await transport.post(f"http://127.0.0.1:{port}/bot1:x/sendMessage", RequestData())
    finally:
        await transport.shutdown()
    assert may_send_again(failed.value, "sendMessage")

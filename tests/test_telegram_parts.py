"""Deep-link payloads, forum topic names, the administrators cache and the Bot API URL setting."""

from __future__ import annotations

import asyncio

from adapters.telegram import deeplink
from adapters.telegram.adapter import api_base_url
from adapters.telegram.chats import AdminCache, Topics


def test_a_payload_carries_the_group_and_the_flow() -> None:
    payload = deeplink.encode("-1001234567890", "checkin")
    assert payload == "m1001234567890-checkin"
    assert deeplink.decode(payload) == deeplink.StartPayload("-1001234567890", "checkin")
    assert deeplink.decode(deeplink.encode("-42", None) or "") == deeplink.StartPayload("-42")
    assert deeplink.link("hearth_bot", "m42") == "https://t.me/hearth_bot?start=m42"


def test_a_flow_that_does_not_fit_is_left_out_and_strangers_payloads_are_ignored() -> None:
    assert deeplink.encode("-42", "flow:with:colons") == "m42"
    assert deeplink.encode("-42", "x" * 80) == "m42"
    assert deeplink.encode("not-a-chat", "checkin") is None
    for payload in ("", "checkin", "m42-bad:flow", "x42-checkin", "m-checkin", "m42-" + "a" * 70):
        assert deeplink.decode(payload) is None


def test_topics_by_id_link_or_learned_name() -> None:
    topics = Topics()
    topics.learn(-100, "Ideas & Plans", 5)
    assert topics.resolve(-100, "ideas & plans") == 5
    assert topics.resolve(-100, "#Ideas & Plans") == 5
    assert topics.resolve(-100, "7") == 7
    assert topics.resolve(-100, "#7") == 7
    assert topics.resolve(-100, "https://t.me/c/100/9") == 9
    assert topics.resolve(-100, "-100") is None  # the group itself: General
    assert topics.resolve(-100, None) is None
    assert topics.resolve(-100, "Unknown") is None
    assert topics.resolve(-200, "Ideas & Plans") is None  # names belong to their group


async def test_messages_missing_the_administrators_at_once_share_one_fetch() -> None:
    asked: list[int] = []
    answer = asyncio.Event()

    async def fetch(chat_id: int) -> dict[int, str] | None:
        asked.append(chat_id)
        await answer.wait()
        return {7: "creator"}

    admins = AdminCache(fetch, clock=lambda: 0.0)
    waiting = [asyncio.create_task(admins.statuses(-100)) for _ in range(5)]
    await asyncio.sleep(0)
    answer.set()
    assert await asyncio.gather(*waiting) == [{7: "creator"}] * 5
    assert await admins.statuses(-100) == {7: "creator"}  # kept
    assert asked == [-100]


async def test_a_list_fetched_before_a_promotion_is_not_kept() -> None:
    lists = [{7: "creator"}, {7: "creator", 8: "administrator"}]
    answer = asyncio.Event()

    async def fetch(chat_id: int) -> dict[int, str] | None:
        found = lists.pop(0)
        await answer.wait()
        return found

    admins = AdminCache(fetch, clock=lambda: 0.0)
    before = asyncio.create_task(admins.statuses(-100))
    await asyncio.sleep(0)
    admins.forget(-100)  # a chat_member update: someone was promoted
    after = asyncio.create_task(admins.statuses(-100))
    await asyncio.sleep(0)
    answer.set()
    assert await before == {7: "creator"}
    assert await after == {7: "creator", 8: "administrator"}
    assert await admins.statuses(-100) == {7: "creator", 8: "administrator"}
    assert not lists  # the newer list is the one kept: no third fetch


def test_the_base_url_gets_its_bot_suffix() -> None:
    assert api_base_url(None) is None
    assert api_base_url("http://localhost:8081") == "http://localhost:8081/bot"
    assert api_base_url("http://localhost:8081/bot/") == "http://localhost:8081/bot"
    assert api_base_url("http://x/custom/{token}") == "http://x/custom/{token}"

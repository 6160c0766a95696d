"""The community follows its Telegram group: upgraded to a supergroup, removed, added again.

The real PTB Application against the fake Bot API, on SQLite, where the move must carry the
community's history, members and waiting messages to the group's new id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.sqlite import SqliteStore
from tests.telegram_fake import Chat, Sent
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts

OLD_ID = -4001  # a basic group
NEW_ID = -1009000000001  # the supergroup Telegram makes of it


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[TelegramWorld]:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    world = TelegramWorld(store=store)
    await world.start()
    yield world
    await world.close()
    await store.close()


async def said(tg: TelegramWorld, user: dict[str, Any], text: str, chat: Chat) -> list[Sent]:
    return await tg.handle(tg.fake.say(user, text, chat=chat))


def basic_group(tg: TelegramWorld) -> Chat:
    old = tg.fake.group(OLD_ID, "Allotment", kind="group")
    tg.fake.set_status(old, tg.ana, "creator")
    tg.fake.set_status(old, tg.bob, "member")
    return old


async def test_a_group_upgraded_to_a_supergroup_keeps_its_community(tg: TelegramWorld) -> None:
    old = basic_group(tg)
    await said(tg, tg.ana, "/schedule reflection fri 17:30", old)
    await said(tg, tg.bob, "/propose Tool library | Lend each other tools", old)
    new = tg.fake.upgrade(old, NEW_ID)
    to_notice, from_notice = tg.fake.migration_notices(old, new, tg.ana)

    # The new chat speaks first: a command there makes a fresh, empty community for a moment.
    await said(tg, tg.bob, "/proposals", new)
    await tg.handle(tg.fake.push("message", from_notice))
    await tg.handle(tg.fake.push("message", to_notice))  # the second notice changes nothing

    listed = await said(tg, tg.bob, "/proposals", new)
    assert "Tool library" in texts(listed)
    scheduled = await said(tg, tg.ana, "/schedule", new)
    assert "reflection: every" in texts(scheduled)
    audit = await said(tg, tg.ana, "/audit", new)
    assert texts(audit).count("followed the group to its new address") == 1


async def test_a_message_for_the_old_chat_reaches_the_new_one(tg: TelegramWorld) -> None:
    old = basic_group(tg)
    await said(tg, tg.ana, "/schedule reflection fri 17:30", old)
    tg.fake.upgrade(old, NEW_ID)  # neither notice has arrived yet

    posted = await tg.advance(timedelta(days=5))
    assert in_chat(posted, OLD_ID) == []
    assert "Reflection round #1" in texts(in_chat(posted, NEW_ID))
    listed = await said(tg, tg.ana, "/schedule", tg.fake.chats[NEW_ID])
    assert "reflection: every" in texts(listed)  # the same community, now at the new id


async def removed_during_a_round(tg: TelegramWorld) -> None:
    """Bob has started the bot; a round opens, then Hearth is removed from the group."""
    await tg.dm(tg.bob, "/start")
    await tg.say(tg.ana, "/schedule checkin mon 18:00")
    opened = await tg.say(tg.ana, "/checkin now")
    assert "Check-in time" in texts(opened)
    await tg.handle(tg.fake.bot_membership(tg.group, "kicked", by=tg.ana))


async def test_a_removed_hearth_sends_nothing_on_the_groups_behalf(tg: TelegramWorld) -> None:
    await removed_during_a_round(tg)
    # A week and a half: the reminder, the round's close and next Monday's round all fall due.
    assert await tg.advance(timedelta(days=10)) == []
    async with tg.store.unit_of_work() as uow:
        link = await uow.communities.find_link("telegram", str(GROUP_ID))
        assert link is not None
        latest = await uow.audit.latest(link.community_id, 1)
        assert await uow.jobs.pending(link.community_id)  # held, not lost
    assert latest[0].key == "audit_hearth_removed"


async def test_an_added_again_hearth_resumes_and_says_so(tg: TelegramWorld) -> None:
    await removed_during_a_round(tg)
    assert await tg.advance(timedelta(days=10)) == []

    back = await tg.handle(tg.fake.bot_membership(tg.group, "member", by=tg.ana))
    assert "I'm back" in texts(in_chat(back, GROUP_ID))
    back += await tg.advance(timedelta(seconds=1))  # the timer wakes for what was held
    group = texts(in_chat(back, GROUP_ID))
    assert "The check-in has closed" in group  # the round's close was held, not lost
    assert "Check-in time" not in group  # the missed Monday runs do not fire at once
    again = await tg.handle(tg.fake.bot_membership(tg.group, "administrator", by=tg.ana))
    assert "I'm back" not in texts(again)  # said once

    monday = await tg.advance(timedelta(days=6))  # from Thu 12 Mar to the next Monday 18:00
    assert "Check-in time" in texts(in_chat(monday, GROUP_ID))

"""Updates from different people are handled side by side, one person's in order: Telegram
being slow to take one person's answer holds up nobody else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.telegram_faults import FaultyBotApi
from tests.telegram_support import GROUP_ID, TelegramWorld

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
HELP = "Here is what you can use"
PRIVACY = "Your privacy with Hearth"


@pytest.fixture
async def tg() -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld(fake=FaultyBotApi())
    await world.start()
    yield world
    await world.close()


async def test_a_slow_answer_to_one_person_holds_up_nobody_else_and_theirs_stay_in_order(
    tg: TelegramWorld,
) -> None:
    fake = tg.fake
    assert isinstance(fake, FaultyBotApi)
    bob, carla = tg.bob["id"], tg.carla["id"]
    fake.started.update({bob, carla})
    group = fake.chats[GROUP_ID]
    slow = fake.fail("hold", match=lambda p: p.get("chat_id") == bob)

    await fake.say(tg.bob, "/privacy", chat=group)
    await fake.wait_for(slow.held.is_set)  # Telegram has not taken Bob's answer yet
    await fake.say(tg.bob, "/help", chat=group)

    answered = await tg.say(tg.carla, "/help")  # Carla does not wait for Bob
    assert [s.chat_id for s in answered] == [carla]
    assert not any(s.chat_id == bob for s in fake.sent)

    fake.release()  # Telegram fails that request; it is sent again and taken
    await fake.wait_for(lambda: sum(s.chat_id == bob for s in fake.sent) == 2)
    to_bob = [s.text for s in fake.sent if s.chat_id == bob]
    assert PRIVACY in to_bob[0] and HELP in to_bob[1]  # Bob's answers in the order he asked

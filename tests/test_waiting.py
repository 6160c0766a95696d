"""The core tells adapters on the reply when a flow waits for the asker's typed answer, so no
adapter reads the store to guess it (Discord offers its answer button exactly then)."""

from __future__ import annotations

from bot.ports import Store
from bot.replies import Reply
from tests.discord_features import Observed, notes
from tests.support import World


def awaits(replies: list[Reply]) -> bool:
    return any(r.awaits_answer for r in replies)


async def test_a_flow_that_now_waits_for_a_typed_answer_is_told_on_the_reply(store: Store) -> None:
    world = World(store=store)
    world.hearth.install(notes(Observed()))
    assert awaits(await world.say("Ana", "/test_note"))  # started it
    assert not awaits(await world.say("Ana", "/help"))  # another command meanwhile
    assert awaits(await world.say("Ana", "/test_note"))  # asked again: told again
    assert not awaits(await world.say("Ana", "soup on friday"))  # answered: nothing waits
    assert not awaits(await world.privately("Ana", "/test_note"))  # a private chat needs no way in

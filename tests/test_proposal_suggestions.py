"""Proposal numbers offered while typing: open ones for acting on, every visible one for
looking one up, never a hidden one's title."""

from __future__ import annotations

from bot.commands import Suggestion
from tests.support import World


async def test_proposal_numbers_are_suggested_by_number_or_title(world: World) -> None:
    world.make_admin("mia")
    for n in range(1, 12):
        await world.say("ana", f"/propose Idea {n} | Details of idea {n}")
    await world.say("ana", "/withdraw 10")
    await world.say("mia", "/hide 2 Spam")
    origin = world.origin("bea")

    typed_one = await world.hearth.suggest(origin, "support", "number", "1")
    assert [s.value for s in typed_one] == ["1", "11"]  # the exact number first; #10 is decided
    assert await world.hearth.suggest(origin, "build", "number", "idea 1") == [
        Suggestion("#11 Idea 11", "11"),
        Suggestion("#1 Idea 1", "1"),
    ]
    everything = await world.hearth.suggest(origin, "proposal", "number", "")
    assert [s.value for s in everything] == [str(n) for n in (11, 9, 8, 7, 6, 5, 4, 3, 1, 10)]
    assert "2" not in [s.value for s in everything]  # hidden: not even its number with a title
    assert await world.hearth.suggest(origin, "concern", "number", "nothing like it") == []

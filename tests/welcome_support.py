"""Helpers for the welcome and buddy stories: find a button, walk a newcomer through."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.replies import Reply
from tests.support import World


def button(replies: Sequence[Reply], label: str) -> str:
    """The key of the latest button whose label contains `label`."""
    for reply in reversed(replies):
        for choice in reply.choices:
            if label.lower() in choice.label.lower():
                return choice.key
    raise AssertionError(f"no button {label!r} in {[c.label for r in replies for c in r.choices]}")


async def onboard(
    world: World,
    who: str,
    *,
    brings: str = "Meeting neighbours",
    could_bring: str = "I can bake bread",
    buddy: bool = True,
) -> list[Reply]:
    """`who` joins and answers all three questions privately; returns every reply on the way."""
    seen = await world.join(who)
    seen += await world.privately(who, brings)
    seen += await world.privately(who, could_bring)
    seen += await world.press(who, button(seen, "Yes, please" if buddy else "No, thanks"))
    return seen


async def settle(world: World) -> list[Reply]:
    """Let the public welcome of recent joins go out."""
    return await world.advance(timedelta(minutes=1))

"""Helpers for check-in and mutual-aid tests: a community of members, answering a check-in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from bot.replies import Reply
from tests.support import World

ANSWER_NUMBER = {"o": "1", "s": "2", "u": "3", "k": "4"}  # okay, strained, unmet, skip


async def community(world: World, *names: str, admin: str = "ana") -> None:
    """`admin` (a platform admin) and the others say hello, so Hearth knows them."""
    world.make_admin(admin)
    for name in (admin, *names):
        await world.say(name, "hello")


def latest_choices(replies: Sequence[Reply], who: str) -> Reply:
    for reply in reversed(replies):
        if reply.target.user_ref == who.lower() and reply.choices:
            return reply
    raise AssertionError(f"no question with buttons for {who}")


async def choose(world: World, who: str, replies: Sequence[Reply], label: str) -> list[Reply]:
    """Press the button called `label` on the latest question `who` was sent."""
    question = latest_choices(replies, who)
    for choice in question.choices:
        if choice.label == label:
            return await world.press(who, choice.key)
    shown = [c.label for c in question.choices]
    raise AssertionError(f"{who} has no button {label!r}; buttons: {shown}")


async def answer(
    world: World,
    who: str,
    letters: str,
    *,
    hands: Sequence[str] = (),
    offer: tuple[str, str] | None = None,
    note: str | None = None,
) -> list[Reply]:
    """Answer the open check-in by typing numbers privately: one letter per need (o/s/u/k),
    then ask a hand with the needs named in `hands`, offer (button label, text), and a note.
    A hard check-in is not asked for an offer, so then there is no offer step to skip."""
    replies: list[Reply] = []
    for letter in letters:
        replies += await world.privately(who, ANSWER_NUMBER[letter])
    for need in hands:
        replies += await choose(world, who, replies, need)
    replies += await choose(world, who, replies, "That's all" if hands else "No, thanks")
    if offer is None:
        if "Not right now" in {c.label for c in latest_choices(replies, who).choices}:
            replies += await choose(world, who, replies, "Not right now")  # not after a hard one
    else:
        replies += await choose(world, who, replies, offer[0])
        replies += await world.privately(who, offer[1])
    if note is None:
        replies += await choose(world, who, replies, "Skip")
    else:
        replies += await world.privately(who, note)
    return replies


async def after_the_daily_count(world: World) -> list[Reply]:
    """Time passes to just after the next daily count of open requests (midnight, UTC here)."""
    now = world.clock.now()
    next_day = datetime.combine(now.date() + timedelta(days=1), time(0, 1), tzinfo=now.tzinfo)
    return await world.advance(next_day - now)

"""Every declared command, fed arbitrary arguments: never an unhandled error, and a refused
command changes nothing. Generated from the declarations, so new commands are covered."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.roles import Role
from tests.peek import contents
from tests.support import World, text, to

NASTY = [
    "",
    " " * 3000,
    "x" * 5000,
    "\x00\x07\x1b[31mred\x1b[0m\r\n",
    "مرحبا بالعالم — שלום",
    "👩‍👩‍👧‍👦 family\u200d\u200b",
    "<b>bold</b> &amp; <script>alert(1)</script>",
    "**bold** _it_ `code` \\ [link](http://127.0.0.1)",
    "@everyone @here <@&123> <@456> <#789>",
    "'; DROP TABLE members; --",
    "1 | 2 | 3",
    "-1",
    "99999999999999999999999",
    "add @ana",
    "mon 25:99",
]

arguments = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))

WORLD = World()
WORLD.make_admin("mod")
COMMANDS = [c.name for c in WORLD.hearth.registry.all()]


async def _snapshot(world: World) -> object:
    return await contents(world.store)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=st.sampled_from(COMMANDS), args=arguments, who=st.sampled_from(["bob", "mod"]))
def test_any_arguments_to_any_command_are_handled_kindly(command: str, args: str, who: str) -> None:
    async def run() -> None:
        await WORLD.say(who, "hello")  # the speaker exists, so a refusal must change nothing
        before = await _snapshot(WORLD)
        outcomes = WORLD.hearth.outcomes.copy()
        replies = await WORLD.say(who, f"/{command} {args}")
        delta = WORLD.hearth.outcomes - outcomes
        assert delta["error"] == 0, text(replies)
        if delta["refused"]:
            assert await _snapshot(WORLD) == before
            assert len(replies) == 1 and text(to(replies, who)).strip()

    asyncio.run(run())


async def test_every_moderator_command_is_refused_for_a_member(world: World) -> None:
    await world.say("bob", "hello")
    moderator_only = [c for c in world.hearth.registry.all() if c.role > Role.MEMBER]
    assert moderator_only
    for command in moderator_only:
        before = await _snapshot(world)
        replies = await world.say("bob", f"/{command.name}")
        assert f"/{command.name} is for {command.role.label}s" in text(to(replies, "bob"))
        assert await _snapshot(world) == before

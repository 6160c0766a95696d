"""Bad input gets a clear message and changes nothing; surprises are logged with an id."""

from __future__ import annotations

import logging

import pytest

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.feature import Feature
from bot.replies import Visibility
from tests.support import World, text, to


async def test_unknown_command_points_to_help(world: World) -> None:
    assert "Send /help" in text(await world.say("bob", "/dance"))


async def test_too_many_arguments_show_the_usage(world: World) -> None:
    assert "Usage: /mydata" in text(await world.say("bob", "/mydata please now"))


async def test_wrong_choice_lists_the_options(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("ana", "/mods promote bob"))
    assert "Try one of: list, add, remove" in refused


async def test_replies_in_a_channel_are_only_for_the_asker(world: World) -> None:
    replies = await world.say("bob", "/help")
    assert [r.visibility for r in replies] == [Visibility.EPHEMERAL]
    private = await world.privately("bob", "/help")
    assert [r.visibility for r in private] == [Visibility.PRIVATE]


async def test_an_unexpected_error_is_logged_with_an_id_and_nothing_is_kept(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Feature("broken")

    @broken.command("explode", about="Write something, then fail.")
    async def explode(ctx: CommandContext, args: Args) -> None:
        await ctx.audit_action("audit_welcome_changed")
        raise RuntimeError("boom")

    world.hearth.install(broken)
    with caplog.at_level(logging.ERROR):
        replies = await world.say("bob", "/explode")

    said = text(to(replies, "bob"))
    assert "Nothing you sent was lost" in said
    error_id = said.split("id: ")[1].strip().rstrip(".")
    assert f"id={error_id}" in caplog.text
    assert "audit log is empty" in text(await world.say("bob", "/audit"))


async def test_a_refusal_rolls_back_earlier_writes_of_the_same_command(world: World) -> None:
    strict = Feature("strict")

    strict.texts["command_halfway_n"] = "n"

    @strict.command("halfway", Param("n", ParamType.INTEGER), about="Write, then refuse.")
    async def halfway(ctx: CommandContext, args: Args) -> None:
        await ctx.audit_action("audit_welcome_changed")
        from bot.errors import Refusal

        raise Refusal("audit_bad_count", limit=3)

    world.hearth.install(strict)
    assert "between 1 and 3" in text(await world.say("bob", "/halfway 2"))
    assert "audit log is empty" in text(await world.say("bob", "/audit"))


async def test_a_redelivered_event_changes_and_sends_nothing(world: World) -> None:
    world.make_admin("ana")
    first = await world.say("ana", "/schedule reflection fri 17:30", event_ref="update-7")
    again = await world.say("ana", "/schedule reflection fri 17:30", event_ref="update-7")
    assert first and again == []
    audit = text(await world.say("ana", "/audit"))
    assert audit.count("set schedule") == 1


async def test_a_plain_private_message_with_no_open_question_gets_a_gentle_hint(
    world: World,
) -> None:
    assert "haven't taken this message as an answer" in text(await world.privately("bob", "hello?"))
    assert await world.say("bob", "hello everyone") == []


async def test_a_conversation_routes_the_next_message_to_its_flow(world: World) -> None:
    from bot.domain import Conversation

    echo = Feature("echo")

    @echo.command("ask", about="Ask a question and wait for the answer.")
    async def ask(ctx: CommandContext, args: Args) -> None:
        await ctx.uow.conversations.put(Conversation(ctx.member.id, "echo", {"asked": True}))
        ctx.answer("What is your favourite soup?")

    @echo.flow("echo")
    async def answered(ctx: CommandContext, message: str) -> None:
        await ctx.uow.conversations.clear(ctx.member.id)
        ctx.answer(f"Noted: {message}")

    world.hearth.install(echo)
    await world.privately("bob", "/ask")
    assert "Noted: lentil" in text(await world.privately("bob", "lentil"))
    assert "haven't taken this message as an answer" in text(
        await world.privately("bob", "and bread")
    )

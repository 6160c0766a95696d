"""Small features for the Discord stories, standing in for features built elsewhere (check-ins)
and for shapes no feature has yet: they use the same Feature hooks as real ones.
Their sentences are test fixtures, so they are written here rather than in the catalog."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.commands import Args, Param, ParamType, Suggestion
from bot.context import CommandContext, CommunityContext
from bot.domain import Conversation, Job, Member
from bot.feature import Feature
from bot.markup import escape
from bot.replies import Choice, Reply, Target, Visibility
from bot.roles import Role

HOW_ARE_YOU = "How are you today?"
CHOICES = (Choice("Fine", "test:fine"), Choice("Not great", "test:bad"))


def _public(ctx: CommunityContext, channel_role: str, text: str) -> None:
    for link in ctx.links:
        target = Target(link.platform, link.community_ref, link.channel_for(channel_role))
        ctx.replies.append(Reply(text, target, Visibility.PUBLIC))


def _private(
    ctx: CommunityContext, member: Member, text: str, choices: tuple[Choice, ...] = ()
) -> None:
    ref = next(link.community_ref for link in ctx.links if link.platform == member.platform)
    target = Target(member.platform, ref, user_ref=member.user_ref)
    ctx.replies.append(Reply(text, target, Visibility.PRIVATE, choices, resume="test"))


@dataclass
class Observed:
    """What the test features saw, for assertions about the core side."""

    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)


def observer(seen: Observed) -> Feature:
    """Notes joins and leaves as the core sees them (the welcome feature does the welcoming)."""
    feature = Feature("test_observer")

    async def joined(ctx: CommunityContext, member: Member) -> None:
        seen.joined.append(member.display_name)

    async def left(ctx: CommunityContext, member: Member) -> None:
        seen.left.append(member.user_ref)

    feature.on_join.append(joined)
    feature.on_leave.append(left)
    return feature


def check_in(seen: Observed) -> Feature:
    """A private question with buttons, sent by a job (resume="test"), like a check-in round."""
    feature = Feature("test_checkin")

    @feature.command("test_round", about="Send everyone the test question.", role=Role.MODERATOR)
    async def start_round(ctx: CommandContext, args: Args) -> None:
        await ctx.uow.jobs.add(community_id=ctx.community.id, kind="test_ask", due_at=ctx.now)
        ctx.answer("Round queued.")

    @feature.job("test_ask")
    async def ask(ctx: CommunityContext, job: Job) -> None:
        for member in await ctx.uow.members.active(ctx.community.id):
            _private(ctx, member, HOW_ARE_YOU, CHOICES)

    @feature.command("test", about="Answer the test question here.")
    async def ask_here(ctx: CommandContext, args: Args) -> None:
        ctx.answer(HOW_ARE_YOU, choices=CHOICES)

    @feature.command("test_many", about="Choose among many.")
    async def many(ctx: CommandContext, args: Args) -> None:
        options = tuple(Choice(f"Option {n}", f"test:option{n}") for n in range(1, 8))
        ctx.answer("Which one?", choices=options)

    @feature.choice("test")
    async def answered(ctx: CommandContext, parts: list[str]) -> None:
        seen.answers.append((ctx.member.display_name, parts[0]))
        ctx.answer(f"Thanks, noted: {parts[0]}.")

    async def unreachable(ctx: CommunityContext, member: Member) -> None:
        seen.unreachable.append(member.user_ref)

    feature.on_unreachable["test"] = unreachable
    return feature


def notes(seen: Observed) -> Feature:
    """A flow waiting for a free-text answer, a channel announcement, a slow command and
    suggestions while typing."""
    feature = Feature("test_notes")

    @feature.command("test_note", about="Start a note.")
    async def start_note(ctx: CommandContext, args: Args) -> None:
        await ctx.uow.conversations.put(Conversation(ctx.member.id, "test_note", {}))
        ctx.answer("What would you like to note?")

    @feature.flow("test_note")
    async def note(ctx: CommandContext, text: str) -> None:
        await ctx.uow.conversations.clear(ctx.member.id)
        seen.notes.append(text)
        ctx.answer(f"Noted: {escape(text)}")

    @feature.command("test_announce", about="Announce something in the proposals channel.")
    async def announce(ctx: CommandContext, args: Args) -> None:
        _public(ctx, "proposals", "A new proposal is incubating.")
        ctx.answer("Announced.")

    @feature.command("test_shout", about="Say something to the whole channel.")
    async def shout(ctx: CommandContext, args: Args) -> None:
        _public(ctx, "announcements", "Soup is ready!")

    @feature.command("test_slow", about="Take a while to answer.")
    async def slow(ctx: CommandContext, args: Args) -> None:
        await seen.gate.wait()
        ctx.answer("Finally done.")

    async def proposals(ctx: CommandContext, typed: str) -> Sequence[Suggestion]:
        titles = {1: "Community garden", 2: "Tool library", 12: "Garden shed"}
        return [
            Suggestion(f"#{n} {title}", str(n))
            for n, title in titles.items()
            if typed.lower() in title.lower() or typed.lstrip("#") in str(n)
        ]

    feature.texts["command_test_show_number"] = "Which proposal"

    @feature.command(
        "test_show",
        Param("number", ParamType.INTEGER, required=True, suggest=proposals),
        about="Show a proposal.",
    )
    async def show(ctx: CommandContext, args: Args) -> None:
        ctx.answer(f"Proposal {args.integer('number')}.")

    return feature

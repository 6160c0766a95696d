"""Reflection rounds (their prompts) and the answers people chose to share, as the digest and
/reflection round N show them; a private answer is never read, let alone written."""

from __future__ import annotations

from bot.context import CommunityContext
from bot.services.export.table import Table, stamp
from bot.services.reflections.rounds import theme_label


async def reflection_tables(ctx: CommunityContext, language: str) -> list[Table]:
    rounds = Table.named("reflection_rounds", "round posted_at closed_at theme prompt")
    answers = Table.named("reflection_answers", "round answer author text")
    numbers: dict[int, int] = {}
    for found in await ctx.uow.reflections.rounds(ctx.community.id):
        numbers[found.id] = found.number
        rounds.add(
            round=found.number,
            posted_at=stamp(ctx, found.posted_at),
            closed_at=stamp(ctx, found.closed_at),
            theme=theme_label(ctx, found.theme, language),
            prompt=found.prompt_text,
        )
    names: dict[int, str] = {}
    for shared in await ctx.uow.reflections.shared_in(ctx.community.id):
        if shared.member_id not in names:
            names[shared.member_id] = (await ctx.uow.members.get(shared.member_id)).display_name
        answers.add(
            round=numbers.get(shared.round_id),
            answer=shared.id,
            author=names[shared.member_id],
            text=shared.text,
        )
    return [rounds, answers]

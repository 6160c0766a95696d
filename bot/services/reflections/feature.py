"""The reflection feature as one bundle: rounds on a schedule or on a moderator's word, answers,
community prompts, the digest job and the `/setup reflection` key."""

from __future__ import annotations

from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Job
from bot.feature import Feature
from bot.roles import Role
from bot.services.reflections.answers import install_answers
from bot.services.reflections.community_prompts import install_community_prompts
from bot.services.reflections.deck import Deck
from bot.services.reflections.rounds import DIGEST_JOB, close_round, post_next_round, theme_label
from bot.services.reflections.settings import reflection_setup


def reflections_feature(deck: Deck) -> Feature:
    feature = Feature("reflections")
    feature.setup_keys.append(reflection_setup)
    install_answers(feature)
    install_community_prompts(feature, deck)

    @feature.schedule("reflection")
    async def scheduled(ctx: CommunityContext) -> None:
        await post_next_round(ctx, deck)

    @feature.job(DIGEST_JOB)
    async def digest_due(ctx: CommunityContext, job: Job) -> None:
        found = await ctx.uow.reflections.get_round(int(job.payload.get("round_id", 0)))
        if found is not None and found.is_open:
            await close_round(ctx, found)

    @feature.command("reflect_now", "Post the next reflection prompt now.", role=Role.MODERATOR)
    async def reflect_now(ctx: CommandContext, args: Args) -> None:
        posted = await post_next_round(ctx, deck)
        await ctx.audit_action("started a reflection round", f"#{posted.round.number}")
        ctx.say(
            "reflection_posted" if posted.closed is None else "reflection_posted_after_digest",
            number=posted.round.number,
            theme=theme_label(ctx, posted.round.theme, ctx.language),
            closed=posted.closed.number if posted.closed else "",
        )

    return feature

"""The reflection feature as one bundle: rounds on a schedule or on a moderator's word, answers,
community prompts, the digest job and the `/setup reflection` key.

`/reflect_now` closes the open round before it posts the next prompt. When nobody has answered
that round yet (a second /reflect_now a minute after the first is exactly that), closing it would
throw its prompt away unheard, so the moderator is asked first; a round with answers has been
heard and closes with its digest straight away.
"""

from __future__ import annotations

from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Job
from bot.errors import Refusal
from bot.feature import Feature
from bot.replies import Choice
from bot.roles import Role
from bot.services.reflections.answers import install_answers
from bot.services.reflections.community_prompts import install_community_prompts
from bot.services.reflections.deck import Deck
from bot.services.reflections.rounds import DIGEST_JOB, close_round, post_next_round, theme_label
from bot.services.reflections.settings import reflection_setup

CONFIRM = "reflectnow"  # the buttons that confirm closing a round nobody has answered yet


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

    async def post_now(ctx: CommandContext) -> None:
        posted = await post_next_round(ctx, deck)
        await ctx.audit_action("audit_reflection_round_started", number=posted.round.number)
        ctx.say(
            "reflection_posted" if posted.closed is None else "reflection_posted_after_digest",
            number=posted.round.number,
            theme=theme_label(ctx, posted.round.theme, ctx.language),
            closed=posted.closed.number if posted.closed else "",
        )

    @feature.command("reflect_now", role=Role.MODERATOR)
    async def reflect_now(ctx: CommandContext, args: Args) -> None:
        current = await ctx.uow.reflections.latest_round(ctx.community.id)
        if current is None or not current.is_open or await ctx.uow.reflections.answers(current.id):
            await post_now(ctx)
            return
        key = f"{CONFIRM}:{{}}:{current.id}:{ctx.member.id}"
        ctx.say(
            "reflect_now_confirm",
            number=current.number,
            choices=(
                Choice(ctx.text("reflect_now_yes", ctx.language), key.format("yes")),
                Choice(ctx.text("reflect_now_no", ctx.language), key.format("no")),
            ),
        )

    @feature.choice(CONFIRM)
    async def confirmed(ctx: CommandContext, parts: list[str]) -> None:
        if len(parts) != 3 or parts[0] not in ("yes", "no"):
            raise Refusal("choice_stale")
        if parts[2] != str(ctx.member.id) or ctx.role < Role.MODERATOR:
            raise Refusal("choice_not_yours")
        current = await ctx.uow.reflections.latest_round(ctx.community.id)
        if current is None or str(current.id) != parts[1] or not current.is_open:
            raise Refusal("choice_stale")  # that round closed meanwhile: nothing to confirm
        if parts[0] == "no":
            ctx.say("reflect_now_kept", number=current.number)
            return
        await post_now(ctx)

    return feature

"""Reflection rounds: post the next prompt, and close the previous round with its digest.

A round closes when the next prompt is posted, or earlier when the community has set a digest
window (`/setup reflection digest 2d`): a job queued with the round closes it then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.catalog import Markup
from bot.context import CommunityContext
from bot.domain import Community
from bot.domain_reflections import ReflectionRound
from bot.services.reflections.deck import Deck
from bot.services.reflections.digest import announce_digest
from bot.services.reflections.rotation import Candidate, choose_next

DIGEST_JOB = "reflection_digest"
THEMES_SETTING = "reflection_themes"
WINDOW_SETTING = "reflection_digest_minutes"


def emphasis(community: Community) -> list[str]:
    return [str(theme) for theme in community.settings.get(THEMES_SETTING, [])]


def digest_window(community: Community) -> timedelta | None:
    minutes = community.settings.get(WINDOW_SETTING)
    return timedelta(minutes=int(minutes)) if minutes else None


def theme_label(ctx: CommunityContext, theme: str | None, language: str | None = None) -> str:
    """A theme's name for people; a prompt without a known theme is the community's own."""
    key = f"reflection_theme_{theme}"
    return ctx.text(key if theme and ctx.catalog.has(key) else "reflection_theme_own", language)


async def community_deck(ctx: CommunityContext, deck: Deck) -> list[Candidate]:
    """The built-in prompts in the community's language, then the community's own."""
    language = ctx.community.language
    built_in = [Candidate(p.id, p.theme, p.text(language)) for p in deck]
    own = await ctx.uow.reflection_prompts.for_community(ctx.community.id)
    return built_in + [Candidate(p.key, p.theme, p.text, p.author_id) for p in own]


@dataclass(frozen=True)
class Posted:
    round: ReflectionRound
    closed: ReflectionRound | None  # the round whose digest went out just before, if any


async def post_next_round(ctx: CommunityContext, deck: Deck) -> Posted:
    """Close the open round (its digest first), then post the next prompt of the rotation."""
    repo = ctx.uow.reflections
    community_id = ctx.community.id
    previous = await repo.latest_round(community_id)
    closed = previous if previous is not None and previous.is_open else None
    if closed is not None:
        await close_round(ctx, closed)
    cycle = previous.cycle if previous is not None else 1
    chosen, cycle = choose_next(
        await community_deck(ctx, deck),
        used=await repo.keys_in_cycle(community_id, cycle),
        cycle=cycle,
        last_key=previous.prompt_key if previous is not None else None,
        emphasis=emphasis(ctx.community),
        seed=str(community_id),
    )
    posted = await repo.add_round(
        community_id=community_id,
        prompt_key=chosen.key,
        prompt_text=chosen.text,
        theme=chosen.theme,
        cycle=cycle,
        now=ctx.now,
    )
    window = digest_window(ctx.community)
    if window is not None:
        await ctx.uow.jobs.add(
            community_id=community_id,
            kind=DIGEST_JOB,
            due_at=ctx.now + window,
            payload={"round_id": posted.id},
        )
    ctx.announce(
        "reflections",
        "reflection_prompt",
        number=posted.number,
        theme=theme_label(ctx, posted.theme),
        prompt=posted.prompt_text,
        credit=Markup(await _credit(ctx, chosen)),
    )
    return Posted(posted, closed)


async def _credit(ctx: CommunityContext, chosen: Candidate) -> str:
    """Name the member who suggested a prompt: suggesting one is a public, generous act."""
    if chosen.author_id is None:
        return ""
    author = await ctx.uow.members.get(chosen.author_id)
    return ctx.text("reflection_prompt_credit", name=author.display_name)


async def close_round(ctx: CommunityContext, round_: ReflectionRound) -> None:
    """Close a round once and post its digest; a second close (job after next prompt) is a no-op."""
    if not await ctx.uow.reflections.close_round(round_.id, ctx.now):
        return
    for job in await ctx.uow.jobs.pending(ctx.community.id, DIGEST_JOB):
        if job.payload.get("round_id") == round_.id:
            await ctx.uow.jobs.remove(job.id)
    answers = await ctx.uow.reflections.answers(round_.id)
    names = {a.member_id: (await ctx.uow.members.get(a.member_id)).display_name for a in answers}
    announce_digest(ctx, round_, answers, names)

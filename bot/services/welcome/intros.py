"""/intro: a member's self-introduction, posted in the welcome channel once they confirm."""

from __future__ import annotations

from bot.commands import Args
from bot.context import CommandContext
from bot.errors import Refusal
from bot.replies import Choice
from bot.services.welcome.records import Intro

MAX_INTRO = 1000


async def intro(ctx: CommandContext, args: Args) -> None:
    text = (args.text("text") or "").strip()
    if len(text) > MAX_INTRO:
        raise Refusal("intro_too_long", limit=MAX_INTRO)
    draft = Intro(ctx.member.id, ctx.community.id, text, ctx.now)
    await ctx.uow.welcome.save_intro(draft)
    stamp = int(draft.created_at.timestamp())
    ctx.say(
        "intro_preview",
        name=ctx.member.display_name,
        text=text,
        choices=(
            Choice(
                ctx.text("intro_button_post", ctx.language), f"intro:post:{ctx.member.id}:{stamp}"
            ),
            Choice(
                ctx.text("intro_button_keep", ctx.language), f"intro:drop:{ctx.member.id}:{stamp}"
            ),
        ),
    )


async def intro_pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 3 or parts[0] not in ("post", "drop"):
        raise Refusal("choice_stale")
    action, owner, stamp = parts
    if owner != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    draft = await ctx.uow.welcome.get_intro(ctx.member.id)
    if (
        draft is None
        or draft.posted_at is not None
        or str(int(draft.created_at.timestamp())) != stamp
    ):
        raise Refusal("choice_stale")
    if action == "drop":
        await ctx.uow.welcome.remove_intro(ctx.member.id)
        ctx.say("intro_dropped")
        return
    draft.posted_at = ctx.now
    await ctx.uow.welcome.save_intro(draft)
    ctx.announce("welcome", "intro_post", name=ctx.member.display_name, text=draft.text)
    ctx.say("intro_posted")

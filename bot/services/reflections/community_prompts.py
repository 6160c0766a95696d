"""A community's own prompts: moderators add and remove them, any member suggests them.

A suggestion joins the deck at once: nothing is held back for approval, in keeping with "no
premature no". Moderators may take a prompt out again (with a reason the author is told), and
every change is in the audit log.
"""

from __future__ import annotations

import re

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.domain_reflections import CommunityPrompt
from bot.errors import Refusal
from bot.feature import Feature
from bot.roles import Role
from bot.services.reflections.deck import MAX_PROMPT_CHARS, THEMES, Deck
from bot.services.reflections.rounds import community_deck, theme_label

MIN_PROMPT_CHARS = 10
MAX_WAITING_SUGGESTIONS = 5  # per member, not yet posted in the current cycle
_COMMUNITY_KEY = re.compile(r"^c?(\d+)$", re.IGNORECASE)
_DECK_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def split_theme(raw: str) -> tuple[str, str | None]:
    """'Who helped you? gratitude' -> ('Who helped you?', 'gratitude').

    A last word naming a theme is the theme when it is marked ('[gratitude]', '#gratitude') or
    follows the end of a sentence, so "What are your needs" keeps its last word. The reply
    shows the prompt and its theme back, so any misreading is seen at once.
    """
    text = " ".join(raw.split())
    head, _, last = text.rpartition(" ")
    bare = last.strip("[]()#")
    marked = bare != last or head.endswith(("?", ".", "!", ":", "…"))
    if head and bare.lower() in THEMES and marked:
        return head.rstrip(" :"), bare.lower()
    return text, None


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.! ")


async def _checked_text(ctx: CommandContext, deck: Deck, raw: str) -> tuple[str, str | None]:
    text, theme = split_theme(raw)
    if len(text) < MIN_PROMPT_CHARS or len(text) > MAX_PROMPT_CHARS:
        raise Refusal("prompt_bad_length", low=MIN_PROMPT_CHARS, high=MAX_PROMPT_CHARS)
    wanted = _normalised(text)
    for candidate in await community_deck(ctx, deck):
        if _normalised(candidate.text) == wanted:
            raise Refusal("prompt_duplicate", key=candidate.key)
    return text, theme


def _describe(ctx: CommandContext, prompt: CommunityPrompt, author: str | None) -> str:
    how = "prompt_list_suggested_by" if prompt.suggested else "prompt_list_added_by"
    return ctx.text(
        "prompt_list_line",
        ctx.language,
        key=prompt.key,
        text=prompt.text,
        theme=theme_label(ctx, prompt.theme, ctx.language),
        who=ctx.text(how, ctx.language, name=author) if author else "",
    )


def install_community_prompts(feature: Feature, deck: Deck) -> None:
    @feature.command(
        "prompt_add",
        Param("text", ParamType.TEXT),
        role=Role.MODERATOR,
    )
    async def prompt_add(ctx: CommandContext, args: Args) -> None:
        raw = (args.text("text") or "").strip()
        if raw.lower() in ("", "list"):
            await _list(ctx, deck)
            return
        word, _, rest = raw.partition(" ")
        target, _, reason = rest.strip().partition(" ")
        if word.lower() == "remove" and (
            _COMMUNITY_KEY.match(target) or _DECK_ID.match(target.lower())
        ):
            await _remove(ctx, deck, target, reason.strip())
            return
        text, theme = await _checked_text(ctx, deck, raw)
        added = await ctx.uow.reflection_prompts.add(
            community_id=ctx.community.id,
            text=text,
            theme=theme,
            author_id=ctx.member.id,
            suggested=False,
            now=ctx.now,
        )
        await ctx.audit_action("audit_reflection_prompt_added", key=added.key, reason=text)
        ctx.say(
            "prompt_added",
            key=added.key,
            text=text,
            theme=theme_label(ctx, theme, ctx.language),
        )

    @feature.command(
        "suggest_prompt",
        Param("text", ParamType.TEXT, required=True),
    )
    async def suggest_prompt(ctx: CommandContext, args: Args) -> None:
        text, theme = await _checked_text(ctx, deck, args.text("text") or "")
        await _check_waiting(ctx)
        added = await ctx.uow.reflection_prompts.add(
            community_id=ctx.community.id,
            text=text,
            theme=theme,
            author_id=ctx.member.id,
            suggested=True,
            now=ctx.now,
        )
        await ctx.audit_action("audit_reflection_prompt_suggested", key=added.key, reason=text)
        ctx.say(
            "prompt_suggested",
            key=added.key,
            text=text,
            theme=theme_label(ctx, theme, ctx.language),
        )


async def _check_waiting(ctx: CommandContext) -> None:
    """Keep one person from flooding the deck: a few suggestions may wait for their turn."""
    latest = await ctx.uow.reflections.latest_round(ctx.community.id)
    posted = (
        await ctx.uow.reflections.keys_in_cycle(ctx.community.id, latest.cycle) if latest else set()
    )
    waiting = [
        p
        for p in await ctx.uow.reflection_prompts.for_community(ctx.community.id)
        if p.suggested and p.author_id == ctx.member.id and p.key not in posted
    ]
    if len(waiting) >= MAX_WAITING_SUGGESTIONS:
        raise Refusal("prompt_suggest_limit", count=len(waiting))


async def _list(ctx: CommandContext, deck: Deck) -> None:
    own = await ctx.uow.reflection_prompts.for_community(ctx.community.id)
    if not own:
        ctx.say("prompt_list_none", built_in=len(deck))
        return
    lines = []
    for prompt in own:
        author = (
            (await ctx.uow.members.get(prompt.author_id)).display_name
            if prompt.author_id is not None
            else None
        )
        lines.append(_describe(ctx, prompt, author))
    ctx.say("prompt_list", count=len(own), built_in=len(deck), prompts=Markup("\n".join(lines)))


async def _remove(ctx: CommandContext, deck: Deck, target: str, reason: str) -> None:
    match = _COMMUNITY_KEY.match(target)
    if match is None:
        if deck.get(target.lower()) is not None:
            raise Refusal("prompt_built_in_stays", key=target.lower(), themes=", ".join(THEMES))
        raise Refusal("prompt_not_found", key=target)
    prompt = await ctx.uow.reflection_prompts.get(ctx.community.id, int(match.group(1)))
    if prompt is None:
        raise Refusal("prompt_not_found", key=target)
    await ctx.uow.reflection_prompts.remove(ctx.community.id, prompt.id)
    await ctx.audit_action("audit_reflection_prompt_removed", key=prompt.key, reason=reason)
    ctx.say("prompt_removed", key=prompt.key, text=prompt.text)
    author_id = prompt.author_id
    if prompt.suggested and author_id is not None and author_id != ctx.member.id:
        author = await ctx.uow.members.get(author_id)
        if author.active:
            ctx.tell(
                author,
                "prompt_removed_note",
                key=prompt.key,
                text=prompt.text,
                reason=Markup(
                    ctx.text("prompt_removed_reason", author.speaks, reason=reason)
                    if reason
                    else ""
                ),
            )

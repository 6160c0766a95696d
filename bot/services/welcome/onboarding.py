"""The private onboarding: what brings you here, what could you bring, would you like a buddy,
answered at the newcomer's own pace, privately or (when that is refused) in the channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.catalog import Markup
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Conversation, Member
from bot.errors import Refusal
from bot.replies import Choice, Reply, Target, Visibility
from bot.services import care
from bot.services.welcome.pairing import request_buddy
from bot.services.welcome.records import Onboarding, Step

FLOW = "onboarding"  # the conversation flow, and what an undeliverable question reports back
MAX_ANSWER = 1000


def _button(ctx: CommunityContext, member: Member, step: str, answer: str, label: str) -> Choice:
    return Choice(ctx.text(label, member.speaks), f"onb:{step}:{answer}:{member.id}")


def _question(ctx: CommunityContext, member: Member, step: Step) -> tuple[str, tuple[Choice, ...]]:
    language = member.speaks
    if step is Step.BRINGS:
        return ctx.text("onboarding_ask_brings", language), (
            _button(ctx, member, step.value, "skip", "onboarding_button_skip"),
        )
    if step is Step.CONTRIBUTES:
        return ctx.text("onboarding_ask_contributes", language), (
            _button(ctx, member, step.value, "unsure", "onboarding_button_unsure"),
            _button(ctx, member, step.value, "skip", "onboarding_button_skip"),
        )
    return ctx.text("onboarding_ask_buddy", language), (
        _button(ctx, member, step.value, "yes", "onboarding_button_buddy_yes"),
        _button(ctx, member, step.value, "no", "onboarding_button_buddy_no"),
    )


def _send(
    ctx: CommunityContext,
    member: Member,
    onboarding: Onboarding,
    parts: Sequence[str],
    choices: tuple[Choice, ...] = (),
) -> None:
    """Privately, or only to them in the channel when they could not be reached privately."""
    body = "\n\n".join(part for part in parts if part)
    ref = next((k.community_ref for k in ctx.links if k.platform == member.platform), "")
    if onboarding.channel is None:
        target = Target(member.platform, ref, user_ref=member.user_ref)
        ctx.replies.append(Reply(body, target, Visibility.PRIVATE, choices, resume=FLOW))
    else:
        target = Target(member.platform, ref, onboarding.channel, member.user_ref)
        ctx.replies.append(Reply(body, target, Visibility.EPHEMERAL, choices))


async def begin(
    ctx: CommunityContext, member: Member, onboarding: Onboarding | None, channel: str | None
) -> None:
    """Start the onboarding, or pick it up at the question they had reached."""
    if onboarding is None:
        onboarding = Onboarding(member.id, ctx.community.id, ctx.now)
    onboarding.channel = channel
    await ctx.uow.welcome.save_onboarding(onboarding)
    await ctx.uow.conversations.put(Conversation(member.id, FLOW, {}))
    about = ctx.community.settings.get("about")
    intro = ctx.text(
        "onboarding_intro" if onboarding.step is Step.BRINGS else "onboarding_resume",
        member.speaks,
        community=ctx.community.name,
        about=Markup(
            ctx.text("onboarding_about", member.speaks, about=str(about)) if about else ""
        ),
    )
    question, choices = _question(ctx, member, onboarding.step)
    _send(ctx, member, onboarding, [intro, question], choices)


async def _advance(
    ctx: CommandContext, onboarding: Onboarding, answer: str, text: str | None = None
) -> None:
    """Take one answer ('text', 'skip', 'unsure', 'yes' or 'no') and ask what comes next."""
    member, language = ctx.member, ctx.member.speaks
    step = onboarding.step
    if step is Step.BRINGS:
        onboarding.brings = text
        ack = "onboarding_thanks_brings" if text else "onboarding_thanks_skip"
        onboarding.step = Step.CONTRIBUTES
    elif step is Step.CONTRIBUTES:
        if text:
            await ctx.uow.welcome.add_contribution(
                community_id=ctx.community.id,
                member_id=member.id,
                text=text,
                source=FLOW,
                at=ctx.now,
            )
            ack = "onboarding_thanks_contributes"
        elif answer == "unsure":
            onboarding.unsure = True
            ack = "onboarding_thanks_unsure"
        else:
            ack = "onboarding_thanks_skip"
        onboarding.step = Step.BUDDY
    else:
        await _finish(ctx, onboarding, wants_buddy=answer == "yes")
        return
    await ctx.uow.welcome.save_onboarding(onboarding)
    question, choices = _question(ctx, member, onboarding.step)
    _send(ctx, member, onboarding, [ctx.text(ack, language), question], choices)


async def _finish(ctx: CommandContext, onboarding: Onboarding, *, wants_buddy: bool) -> None:
    member, language = ctx.member, ctx.member.speaks
    onboarding.wants_buddy = wants_buddy
    onboarding.step = Step.DONE
    onboarding.completed_at = ctx.now
    await ctx.uow.welcome.save_onboarding(onboarding)
    conversation = await ctx.uow.conversations.get(member.id)
    if conversation is not None and conversation.flow == FLOW:
        await ctx.uow.conversations.clear(member.id)
    if not wants_buddy:
        buddy_part = ctx.text("onboarding_no_buddy", language)
    else:
        buddy = await request_buddy(ctx, member)
        buddy_part = (
            ctx.text("onboarding_buddy_found", language, buddy=buddy.display_name)
            if buddy
            else ctx.text("onboarding_buddy_waiting", language)
        )
    done = ctx.text("onboarding_done", language, community=ctx.community.name)
    _send(ctx, member, onboarding, [buddy_part, done])


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text).lower().split())


def _means(ctx: CommandContext, text: str, key: str) -> bool:
    """Whether a typed answer is one of the catalog's words for a button (e.g. "not sure")."""
    return _normal(text) in {_normal(w) for w in ctx.text(key, ctx.member.speaks).split(",")}


async def answered(ctx: CommandContext, message: str) -> None:
    onboarding = await ctx.uow.welcome.get_onboarding(ctx.member.id)
    if onboarding is None or onboarding.step is Step.DONE:
        await ctx.uow.conversations.clear(ctx.member.id)
        if ctx.origin.is_private:
            await care.answer_unexpected(ctx)
        return
    here = ctx.origin.channel_ref
    if here is not None and here != onboarding.channel:
        return  # chatting in a channel is not an answer to a private question
    onboarding.channel = here
    text = message.strip()
    if len(text) > MAX_ANSWER:
        raise Refusal("onboarding_too_long", limit=MAX_ANSWER)
    if onboarding.step is Step.BUDDY:
        if _means(ctx, text, "onboarding_yes_words"):
            await _advance(ctx, onboarding, "yes")
        elif _means(ctx, text, "onboarding_no_words"):
            await _advance(ctx, onboarding, "no")
        else:
            question, choices = _question(ctx, ctx.member, Step.BUDDY)
            hint = ctx.text("onboarding_buddy_yes_or_no", ctx.member.speaks)
            _send(ctx, ctx.member, onboarding, [hint, question], choices)
    elif onboarding.step is Step.CONTRIBUTES and _means(ctx, text, "onboarding_unsure_words"):
        await _advance(ctx, onboarding, "unsure")
    elif _means(ctx, text, "onboarding_skip_words"):
        await _advance(ctx, onboarding, "skip")
    else:
        await _advance(ctx, onboarding, "text", text)


async def onboarding_pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 3:
        raise Refusal("choice_stale")
    step, answer, owner = parts
    if owner != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    onboarding = await ctx.uow.welcome.get_onboarding(ctx.member.id)
    if onboarding is None or onboarding.step is Step.DONE:
        raise Refusal("choice_stale")
    if step == "here":
        await begin(ctx, ctx.member, onboarding, channel=ctx.origin.channel_ref)
        return
    if step != onboarding.step.value:
        raise Refusal("choice_stale")
    onboarding.channel = ctx.origin.channel_ref
    await _advance(ctx, onboarding, answer)


async def welcome(ctx: CommandContext, args: Args) -> None:
    onboarding = await ctx.uow.welcome.get_onboarding(ctx.member.id)
    if onboarding is not None and onboarding.step is Step.DONE:
        ctx.say("onboarding_already_done")
        return
    if onboarding is not None:
        onboarding.fallback_offered = False  # asked again: offer the channel again if need be
    await begin(ctx, ctx.member, onboarding, channel=None)
    if not ctx.origin.is_private:
        ctx.confirm_private("onboarding_sent_privately")


async def onboarding_unreachable(ctx: CommunityContext, member: Member) -> None:
    """The platform refused a private question: offer the onboarding in the channel, once."""
    onboarding = await ctx.uow.welcome.get_onboarding(member.id)
    if onboarding is None or onboarding.step is Step.DONE:
        return
    if onboarding.channel is not None or onboarding.fallback_offered:
        return
    onboarding.fallback_offered = True
    await ctx.uow.welcome.save_onboarding(onboarding)
    for link in ctx.links:
        if link.platform != member.platform:
            continue
        ctx.replies.append(
            Reply(
                ctx.text("onboarding_unreachable", member.speaks, name=member.display_name),
                Target(
                    link.platform,
                    link.community_ref,
                    link.channel_for("welcome"),
                    member.user_ref,
                ),
                Visibility.EPHEMERAL,
                (_button(ctx, member, "here", "go", "onboarding_button_here"),),
            )
        )

"""Follow-ups: 'how is it going?' a few days and a couple of weeks in, a hand or a buddy for
whoever could use one, and a gentle second invitation to say what they could bring.
"""

from __future__ import annotations

import re

from bot.catalog import Markup
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, Conversation, Job
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.replies import Choice
from bot.services import care
from bot.services.welcome.contributions import contributions
from bot.services.welcome.onboarding import MAX_ANSWER
from bot.services.welcome.pairing import member_or_none, open_pairing_of, request_buddy

BRING_FLOW = "welcome_bring"  # a contribution offered later, from a follow-up
FOLLOWUP = "welcome_followup"
DEFAULT_FOLLOWUPS = (3, 14)
MAX_FOLLOWUPS = 3
MAX_FOLLOWUP_DAYS = 90
FOLLOWUPS_SETTING = "welcome_followups"


def followup_days(community: Community) -> tuple[int, ...]:
    days = community.settings.get(FOLLOWUPS_SETTING)
    return tuple(int(d) for d in days) if days else DEFAULT_FOLLOWUPS


async def follow_up(ctx: CommunityContext, job: Job) -> None:
    """'How is it going?' a few days and a couple of weeks in; nobody who has left is asked."""
    member = await member_or_none(ctx.uow, job.member_id)
    if member is None or not member.active:
        return
    first = job.payload.get("index", 0) == 0
    choices = [
        Choice(ctx.text("followup_button_good", member.speaks), f"fup:good:{member.id}"),
        Choice(ctx.text("followup_button_hand", member.speaks), f"fup:hand:{member.id}"),
    ]
    # Whoever has not named anything they could bring yet is invited again, gently.
    invite = not await contributions(ctx.uow, ctx.community.id, member.id) and not (
        await ctx.uow.offers.of_member(member.id)
    )
    if invite:
        choices.append(
            Choice(ctx.text("followup_button_bring", member.speaks), f"fup:bring:{member.id}")
        )
    ctx.tell(
        member,
        "followup_first" if first else "followup_again",
        community=ctx.community.name,
        bring=Markup(ctx.text("followup_bring_invite", member.speaks) if invite else ""),
        choices=tuple(choices),
    )


async def followup_pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 2 or parts[0] not in ("good", "hand", "buddy", "bring"):
        raise Refusal("choice_stale")
    if parts[1] != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    # Only that they answered, never what: the welcome funnel counts it (welcome/funnel.py).
    await ctx.uow.welcome.mark_followup_answered(ctx.member.id, ctx.now)
    if parts[0] == "good":
        ctx.say("followup_glad")
        return
    if parts[0] == "bring":
        await ctx.uow.conversations.put(Conversation(ctx.member.id, BRING_FLOW, {}))
        ctx.say("followup_bring_ask")
        return
    current = await open_pairing_of(ctx.uow, ctx.member.id)
    if parts[0] == "hand":
        # Whatever else fits, a newcomer who could use a hand hears about /need and support.
        support = care.support_part(ctx, ctx.language)
        if current is not None:
            buddy = await member_or_none(ctx.uow, current.buddy_id)
            name = buddy.display_name if buddy else ctx.text("former_member", ctx.language)
            ctx.say("followup_hand_with_buddy", buddy=name, support=support)
        elif await ctx.uow.buddies.get_request(ctx.member.id) is not None:
            ctx.say("followup_hand_waiting", support=support)
        else:
            ctx.say(
                "followup_hand",
                support=support,
                choices=(
                    Choice(
                        ctx.text("followup_button_buddy", ctx.language),
                        f"fup:buddy:{ctx.member.id}",
                    ),
                ),
            )
        return
    if current is not None:
        raise Refusal("choice_stale")
    buddy = await request_buddy(ctx, ctx.member)
    if buddy is not None:
        ctx.say("onboarding_buddy_found", buddy=buddy.display_name)
    else:
        ctx.say("onboarding_buddy_waiting")


async def bring_answered(ctx: CommandContext, message: str) -> None:
    if not ctx.in_confidence:
        return  # chatting in a channel is not the private answer we wait for
    text = message.strip()
    if len(text) > MAX_ANSWER:
        raise Refusal("onboarding_too_long", limit=MAX_ANSWER)
    await ctx.uow.conversations.clear(ctx.member.id)
    await ctx.uow.welcome.add_contribution(
        community_id=ctx.community.id,
        member_id=ctx.member.id,
        text=text,
        source="followup",
        at=ctx.now,
    )
    ctx.say("onboarding_thanks_contributes")


async def show_followups(ctx: CommunityContext) -> str:
    days = ", ".join(str(d) for d in followup_days(ctx.community))
    return ctx.text("welcome_followups_show", days=days)


async def change_followups(ctx: CommandContext, value: str) -> None:
    parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    valid = (
        1 <= len(parts) <= MAX_FOLLOWUPS
        and all(1 <= (whole_number(p) or 0) <= MAX_FOLLOWUP_DAYS for p in parts)
        and [int(p) for p in parts] == sorted({int(p) for p in parts})
    )
    if not valid:
        raise Refusal("welcome_followups_bad", most=MAX_FOLLOWUPS, limit=MAX_FOLLOWUP_DAYS)
    ctx.community.settings[FOLLOWUPS_SETTING] = [int(p) for p in parts]

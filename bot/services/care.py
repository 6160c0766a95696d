"""Care for the person who is struggling: the community's own support text, and a kind answer to
a private message Hearth was not waiting for.

Moderators write the support text (`/setup support …`: who to contact, local crisis lines);
Hearth shows it wherever someone may be having a hard time: after a hard check-in, in answer to an
unexpected private message, when a newcomer says they could use a hand, and in `/help`. What a
person wrote in an unexpected message is neither stored nor logged: only that it came.
"""

from __future__ import annotations

from bot.catalog import Markup
from bot.context import CommandContext, CommunityContext
from bot.domain import Community
from bot.errors import Refusal
from bot.feature import UNEXPECTED_FLOW, Feature, SetupKey

feature = Feature("care")
SETTING = "support"
MAX_SUPPORT = 800
CLEAR = "clear"


def support_text(community: Community) -> str | None:
    """The moderators' support text, or None when they have not set one."""
    found = community.settings.get(SETTING)
    return str(found) if found else None


def support_part(ctx: CommunityContext, language: str | None = None) -> Markup:
    """The support text as a paragraph to append to a message; empty when there is none."""
    found = support_text(ctx.community)
    if found is None:
        return Markup("")
    return Markup(
        "\n\n" + ctx.text("support_text", language, community=ctx.community.name, text=found)
    )


async def _show(ctx: CommunityContext) -> str:
    return support_text(ctx.community) or ctx.text("setup_unset")


async def _change(ctx: CommandContext, value: str) -> None:
    text = value.strip()
    if text.lower() == CLEAR:
        ctx.community.settings.pop(SETTING, None)
        return
    if not text or len(text) > MAX_SUPPORT:
        raise Refusal("setup_bad_support", limit=MAX_SUPPORT)
    ctx.community.settings[SETTING] = text


feature.setup_keys.append(SetupKey(SETTING, _show, _change))


async def answer_unexpected(ctx: CommandContext, preface: str = "") -> None:
    """A kind answer that names the ways to get a hand, never a brush-off.

    The message may be someone reaching out ("my landlord is threatening eviction"), so the
    answer says where help is: /need, the moderators, and the support text of this community and
    of any other community the person belongs to on this platform (a private chat is routed to
    one of them, which may not be the one they have in mind).
    """
    language = ctx.language
    elsewhere: list[str] = []
    for member in await ctx.uow.members.memberships(ctx.origin.platform, ctx.member.user_ref):
        if member.community_id == ctx.community.id:
            continue
        other = await ctx.uow.communities.get(member.community_id)
        found = support_text(other)
        if found is not None:
            elsewhere.append(
                "\n\n" + ctx.text("support_text", language, community=other.name, text=found)
            )
    ctx.say(
        "private_message_unexpected",
        preface=Markup(preface + "\n\n" if preface else ""),
        community=ctx.community.name,
        support=Markup(support_part(ctx, language) + "".join(elsewhere)),
    )


@feature.flow(UNEXPECTED_FLOW)
async def unexpected(ctx: CommandContext, message: str) -> None:
    """A private message no conversation waits for; its words are not kept."""
    await answer_unexpected(ctx)

"""The public welcome: joins close together share one greeting, in the moderators' words
(`/welcome_set`); a join also starts the follow-ups and the onboarding.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import timedelta

from bot.catalog import Markup
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.errors import Refusal
from bot.markup import escape
from bot.services.welcome.followups import FOLLOWUP, followup_days
from bot.services.welcome.onboarding import FLOW, begin
from bot.services.welcome.pairing import member_or_none
from bot.services.welcome.records import Step

POST = "welcome_post"
BATCH_WINDOW = timedelta(minutes=1)  # joins this close together share one public welcome
PLACEHOLDERS = ("name", "community")
MAX_TEMPLATE = 1000
TEMPLATE_SETTING = "welcome_template"


def _template(ctx: CommunityContext) -> str:
    custom = ctx.community.settings.get(TEMPLATE_SETTING)
    return (
        str(custom) if custom else ctx.catalog.template("welcome_default", ctx.community.language)
    )


def check_template(text: str) -> None:
    """Refuse a template with unbalanced braces or any placeholder but the known ones."""
    valid = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        raise Refusal("welcome_set_bad_braces", valid=valid) from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            shown = "{" + name + suffix + "}"
            raise Refusal("welcome_set_unknown_placeholder", placeholder=shown, valid=valid)


def _render(ctx: CommunityContext, template: str, names: Sequence[str]) -> Markup:
    """Moderators' templates may use the markup; the names and community are escaped."""
    escaped = [escape(name) for name in names]
    if len(escaped) > 1:
        joined = ctx.text("welcome_names_separator").join(escaped[:-1])
        together = joined + ctx.text("welcome_names_and") + escaped[-1]
    else:
        together = escaped[0] if escaped else ""
    return Markup(template.format(name=together, community=escape(ctx.community.name)))


async def post_welcome(ctx: CommunityContext, job: Job) -> None:
    """One welcome naming everyone who joined in the last window and is still here."""
    pending = await ctx.uow.welcome.unwelcomed(ctx.community.id)
    names = []
    for member_id in pending:
        member = await member_or_none(ctx.uow, member_id)
        if member is not None and member.active:
            names.append(member.display_name)
    await ctx.uow.welcome.mark_welcomed(ctx.community.id, pending, ctx.now)
    if names:
        ctx.announce("welcome", "welcome_post", message=_render(ctx, _template(ctx), names))


async def joined(ctx: CommunityContext, member: Member) -> None:
    uow = ctx.uow
    await uow.welcome.add_join(community_id=ctx.community.id, member_id=member.id, at=ctx.now)
    if not await uow.jobs.pending(ctx.community.id, POST):
        await uow.jobs.add(community_id=ctx.community.id, kind=POST, due_at=ctx.now + BATCH_WINDOW)
    await _drop_followups(ctx, member)
    for index, days in enumerate(followup_days(ctx.community)):
        await uow.jobs.add(
            community_id=ctx.community.id,
            kind=FOLLOWUP,
            due_at=ctx.now + timedelta(days=days),
            payload={"index": index},
            member_id=member.id,
        )
    onboarding = await uow.welcome.get_onboarding(member.id)
    if onboarding is None or onboarding.step is not Step.DONE:
        await begin(ctx, member, onboarding, channel=None)


async def left(ctx: CommunityContext, member: Member) -> None:
    await _drop_followups(ctx, member)
    conversation = await ctx.uow.conversations.get(member.id)
    if conversation is not None and conversation.flow == FLOW:
        await ctx.uow.conversations.clear(member.id)


async def _drop_followups(ctx: CommunityContext, member: Member) -> None:
    for job in await ctx.uow.jobs.pending(ctx.community.id, FOLLOWUP):
        if job.member_id == member.id:
            await ctx.uow.jobs.remove(job.id)


async def welcome_set(ctx: CommandContext, args: Args) -> None:
    text = args.text("text")
    example = [ctx.text("welcome_example_name", ctx.language)]
    if text is None:
        custom = TEMPLATE_SETTING in ctx.community.settings
        ctx.say(
            "welcome_set_current" if custom else "welcome_set_current_default",
            template=_template(ctx),
            preview=_render(ctx, _template(ctx), example),
        )
        return
    if text.lower() == "reset":
        if ctx.community.settings.pop(TEMPLATE_SETTING, None) is None:
            raise Refusal("welcome_set_already_default")
        await ctx.uow.communities.save(ctx.community)
        await ctx.audit_action("audit_welcome_reset")
        ctx.say("welcome_set_reset", preview=_render(ctx, _template(ctx), example))
        return
    if len(text) > MAX_TEMPLATE:
        raise Refusal("welcome_set_too_long", limit=MAX_TEMPLATE)
    check_template(text)
    ctx.community.settings[TEMPLATE_SETTING] = text
    await ctx.uow.communities.save(ctx.community)
    await ctx.audit_action("audit_welcome_changed")
    ctx.say("welcome_set_done", preview=_render(ctx, text, example))

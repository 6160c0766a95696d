"""The welcome: a public greeting for newcomers (several joins close together share one), a
private onboarding they answer at their own pace, /intro, follow-ups and the welcome report.

What newcomers say they could bring is kept as contributions; `contributions()` is the seam
the offers feature reads them through.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import timedelta

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, Conversation, Job, Member
from bot.errors import Refusal
from bot.feature import Feature, SetupKey
from bot.markup import escape
from bot.numbers import whole_number
from bot.ports import UnitOfWork
from bot.replies import Choice, Reply, Target, Visibility
from bot.roles import Role
from bot.services import buddies, care
from bot.services.reports import report_period
from bot.welcome_records import Contribution, Intro, Onboarding, PairingStatus, Step
from bot.wording import moment

feature = Feature("welcome")
FLOW = "onboarding"  # the conversation flow, and what an undeliverable question reports back
BRING_FLOW = "welcome_bring"  # a contribution offered later, from a follow-up
POST = "welcome_post"
FOLLOWUP = "welcome_followup"
BATCH_WINDOW = timedelta(minutes=1)  # joins this close together share one public welcome
DEFAULT_FOLLOWUPS = (3, 14)
MAX_FOLLOWUPS = 3
MAX_FOLLOWUP_DAYS = 90
PLACEHOLDERS = ("name", "community")
MAX_TEMPLATE = 1000
MAX_ANSWER = 1000
MAX_INTRO = 1000
TEMPLATE_SETTING = "welcome_template"
FOLLOWUPS_SETTING = "welcome_followups"


async def contributions(
    uow: UnitOfWork, community_id: int, member_id: int | None = None
) -> list[Contribution]:
    """What members said they could bring, oldest first: the offers feature builds on these."""
    return await uow.welcome.contributions(community_id, member_id)


async def became_offer(uow: UnitOfWork, contribution: Contribution) -> None:
    """Its author made a contribution an offer (with a kind of help): the offer carries it
    from now on, so it is not listed twice."""
    await uow.welcome.remove_contribution(contribution.id)


# -- the public welcome -----------------------------------------------------------------------


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


@feature.job(POST)
async def post_welcome(ctx: CommunityContext, job: Job) -> None:
    """One welcome naming everyone who joined in the last window and is still here."""
    pending = await ctx.uow.welcome.unwelcomed(ctx.community.id)
    names = []
    for member_id in pending:
        member = await buddies.member_or_none(ctx.uow, member_id)
        if member is not None and member.active:
            names.append(member.display_name)
    await ctx.uow.welcome.mark_welcomed(ctx.community.id, pending, ctx.now)
    if names:
        ctx.announce("welcome", "welcome_post", message=_render(ctx, _template(ctx), names))


async def _joined(ctx: CommunityContext, member: Member) -> None:
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
        await _begin(ctx, member, onboarding, channel=None)


async def _left(ctx: CommunityContext, member: Member) -> None:
    await _drop_followups(ctx, member)
    conversation = await ctx.uow.conversations.get(member.id)
    if conversation is not None and conversation.flow == FLOW:
        await ctx.uow.conversations.clear(member.id)


async def _drop_followups(ctx: CommunityContext, member: Member) -> None:
    for job in await ctx.uow.jobs.pending(ctx.community.id, FOLLOWUP):
        if job.member_id == member.id:
            await ctx.uow.jobs.remove(job.id)


feature.on_join.append(_joined)
feature.on_leave.append(_left)


@feature.command(
    "welcome_set",
    "Show, change or reset the public welcome for newcomers.",
    Param("text", ParamType.TEXT, "The new welcome using {name} and {community}, or 'reset'"),
    role=Role.MODERATOR,
)
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


# -- the onboarding conversation --------------------------------------------------------------


def _button(ctx: CommunityContext, member: Member, step: str, answer: str, label: str) -> Choice:
    return Choice(ctx.text(label, member.language), f"onb:{step}:{answer}:{member.id}")


def _question(ctx: CommunityContext, member: Member, step: Step) -> tuple[str, tuple[Choice, ...]]:
    language = member.language
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


async def _begin(
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
        member.language,
        community=ctx.community.name,
        about=Markup(
            ctx.text("onboarding_about", member.language, about=str(about)) if about else ""
        ),
    )
    question, choices = _question(ctx, member, onboarding.step)
    _send(ctx, member, onboarding, [intro, question], choices)


async def _advance(
    ctx: CommandContext, onboarding: Onboarding, answer: str, text: str | None = None
) -> None:
    """Take one answer ('text', 'skip', 'unsure', 'yes' or 'no') and ask what comes next."""
    member, language = ctx.member, ctx.member.language
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
    member, language = ctx.member, ctx.member.language
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
        buddy = await buddies.request_buddy(ctx, member)
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
    return _normal(text) in {_normal(w) for w in ctx.text(key, ctx.member.language).split(",")}


@feature.flow(FLOW)
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
            hint = ctx.text("onboarding_buddy_yes_or_no", ctx.member.language)
            _send(ctx, ctx.member, onboarding, [hint, question], choices)
    elif onboarding.step is Step.CONTRIBUTES and _means(ctx, text, "onboarding_unsure_words"):
        await _advance(ctx, onboarding, "unsure")
    elif _means(ctx, text, "onboarding_skip_words"):
        await _advance(ctx, onboarding, "skip")
    else:
        await _advance(ctx, onboarding, "text", text)


@feature.choice("onb")
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
        await _begin(ctx, ctx.member, onboarding, channel=ctx.origin.channel_ref)
        return
    if step != onboarding.step.value:
        raise Refusal("choice_stale")
    onboarding.channel = ctx.origin.channel_ref
    await _advance(ctx, onboarding, answer)


@feature.command("welcome", "Go through the welcome questions, or pick up where you left off.")
async def welcome(ctx: CommandContext, args: Args) -> None:
    onboarding = await ctx.uow.welcome.get_onboarding(ctx.member.id)
    if onboarding is not None and onboarding.step is Step.DONE:
        ctx.say("onboarding_already_done")
        return
    if onboarding is not None:
        onboarding.fallback_offered = False  # asked again: offer the channel again if need be
    await _begin(ctx, ctx.member, onboarding, channel=None)
    if not ctx.origin.is_private:
        ctx.confirm_private("onboarding_sent_privately")


async def _unreachable(ctx: CommunityContext, member: Member) -> None:
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
                ctx.text("onboarding_unreachable", member.language, name=member.display_name),
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


feature.on_unreachable[FLOW] = _unreachable
feature.resumes[FLOW] = "welcome"  # a deep link's `/start onboarding` picks it up again


# -- /intro -----------------------------------------------------------------------------------


@feature.command(
    "intro",
    "Introduce yourself; it is posted in the welcome channel once you confirm.",
    Param("text", ParamType.TEXT, "A few words about you", required=True),
)
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


@feature.choice("intro")
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


# -- follow-ups -------------------------------------------------------------------------------


def followup_days(community: Community) -> tuple[int, ...]:
    days = community.settings.get(FOLLOWUPS_SETTING)
    return tuple(int(d) for d in days) if days else DEFAULT_FOLLOWUPS


@feature.job(FOLLOWUP)
async def follow_up(ctx: CommunityContext, job: Job) -> None:
    """'How is it going?' a few days and a couple of weeks in; nobody who has left is asked."""
    member = await buddies.member_or_none(ctx.uow, job.member_id)
    if member is None or not member.active:
        return
    first = job.payload.get("index", 0) == 0
    choices = [
        Choice(ctx.text("followup_button_good", member.language), f"fup:good:{member.id}"),
        Choice(ctx.text("followup_button_hand", member.language), f"fup:hand:{member.id}"),
    ]
    # Whoever has not named anything they could bring yet is invited again, gently.
    invite = not await contributions(ctx.uow, ctx.community.id, member.id) and not (
        await ctx.uow.offers.of_member(member.id)
    )
    if invite:
        choices.append(
            Choice(ctx.text("followup_button_bring", member.language), f"fup:bring:{member.id}")
        )
    ctx.tell(
        member,
        "followup_first" if first else "followup_again",
        community=ctx.community.name,
        bring=Markup(ctx.text("followup_bring_invite", member.language) if invite else ""),
        choices=tuple(choices),
    )


@feature.choice("fup")
async def followup_pressed(ctx: CommandContext, parts: list[str]) -> None:
    if len(parts) != 2 or parts[0] not in ("good", "hand", "buddy", "bring"):
        raise Refusal("choice_stale")
    if parts[1] != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    if parts[0] == "good":
        ctx.say("followup_glad")
        return
    if parts[0] == "bring":
        await ctx.uow.conversations.put(Conversation(ctx.member.id, BRING_FLOW, {}))
        ctx.say("followup_bring_ask")
        return
    current = await buddies.open_pairing_of(ctx.uow, ctx.member.id)
    if parts[0] == "hand":
        # Whatever else fits, a newcomer who could use a hand hears about /need and support.
        support = care.support_part(ctx, ctx.language)
        if current is not None:
            buddy = await buddies.member_or_none(ctx.uow, current.buddy_id)
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
    buddy = await buddies.request_buddy(ctx, ctx.member)
    if buddy is not None:
        ctx.say("onboarding_buddy_found", buddy=buddy.display_name)
    else:
        ctx.say("onboarding_buddy_waiting")


@feature.flow(BRING_FLOW)
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


async def _show_followups(ctx: CommunityContext) -> str:
    days = ", ".join(str(d) for d in followup_days(ctx.community))
    return ctx.text("welcome_followups_show", days=days)


async def _change_followups(ctx: CommandContext, value: str) -> None:
    parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    valid = (
        1 <= len(parts) <= MAX_FOLLOWUPS
        and all(1 <= (whole_number(p) or 0) <= MAX_FOLLOWUP_DAYS for p in parts)
        and [int(p) for p in parts] == sorted({int(p) for p in parts})
    )
    if not valid:
        raise Refusal("welcome_followups_bad", most=MAX_FOLLOWUPS, limit=MAX_FOLLOWUP_DAYS)
    ctx.community.settings[FOLLOWUPS_SETTING] = [int(p) for p in parts]


feature.setup_keys.append(SetupKey("followups", _show_followups, _change_followups))


# -- the moderators' report -------------------------------------------------------------------


@feature.report("welcome")
async def welcome_report(ctx: CommandContext, period: str | None) -> None:
    since = ctx.now - report_period(period)
    uow, community_id = ctx.uow, ctx.community.id
    pairings = await uow.buddies.pairings_since(community_id, since)
    volunteers = await uow.buddies.volunteers(community_id)
    ctx.say(
        "welcome_report",
        since=moment(ctx, since, ctx.language),
        joins=await uow.welcome.count_joins(community_id, since),
        completed=await uow.welcome.count_completed(community_id, since),
        pairings=len(pairings),
        passed=sum(1 for p in pairings if p.status is PairingStatus.PASSED),
        waiting=len(await uow.buddies.waiting(community_id)),
        volunteers=len(volunteers),
        paused=sum(1 for v in volunteers if v.paused(ctx.now)),
    )

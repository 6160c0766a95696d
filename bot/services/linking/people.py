"""Two accounts, one person: `/link me` in one account's private chat gives a code, the other
account sends it in its own private chat, and only the first account's "Yes" links them.
The question goes to the account that gave the code, whose private chat only its owner
reads, so nobody can link someone else's account to their own."""

from __future__ import annotations

from datetime import datetime

from bot.context import CommandContext
from bot.errors import Refusal
from bot.replies import Choice, Reply, Target, Visibility
from bot.services.linking import codes
from bot.services.linking.places import platform_name
from bot.services.linking.records import Account, CodeKind, LinkCode

CHOICE = "lme"


def account_of(ctx: CommandContext) -> Account:
    origin = ctx.origin
    return Account(origin.platform, origin.person.user_ref, origin.community_ref)


def same(a: Account, b: Account) -> bool:
    return (a.platform, a.user_ref) == (b.platform, b.user_ref)


async def person_of(ctx: CommandContext, account: Account) -> int | None:
    found = await ctx.uow.people.account(account.platform, account.user_ref)
    return found.person_id if found is not None else None


async def give_code(ctx: CommandContext) -> str:
    """A person code for this account, to send from the person's other account."""
    me = account_of(ctx)
    code = LinkCode(
        kind=CodeKind.PERSON,
        community_id=ctx.community.id,
        member_id=ctx.member.id,
        issuer=me,
        created_at=ctx.now,
        person_id=await person_of(ctx, me),
    )
    return await codes.issue(ctx.uow, code)


async def ask_issuer(ctx: CommandContext, typed: str) -> None:
    """The other account sent the code: ask the account that gave it whether to link."""
    me = account_of(ctx)
    code = await codes.valid(ctx.uow, typed, CodeKind.PERSON, ctx.now)
    if same(code.issuer, me):
        raise Refusal("link_me_same_account")
    mine = await person_of(ctx, me)
    if mine is not None and mine == await person_of(ctx, code.issuer):
        raise Refusal("link_me_already_one")
    await codes.spend(ctx.uow, typed, ctx.now, by=me)
    language = await _language_of(ctx, code)
    who = ctx.text(
        "link_me_account",
        language,
        platform=platform_name(ctx.catalog, me.platform, language),
        name=ctx.origin.person.display_name or me.user_ref,
    )
    tail = f"{code.member_id}:{me.platform}:{me.user_ref}"
    _private(
        ctx,
        code.issuer,
        ctx.text("link_me_question", language, account=who, minutes=codes.minutes_valid()),
        choices=(
            Choice(ctx.text("link_me_yes", language), f"{CHOICE}:yes:{tail}"),
            Choice(ctx.text("link_me_no", language), f"{CHOICE}:no:{tail}"),
        ),
    )
    ctx.say("link_me_asked")


async def answered(ctx: CommandContext, parts: list[str]) -> None:
    """The issuer pressed Yes or No (only their own press counts)."""
    if len(parts) < 4 or parts[0] not in ("yes", "no") or parts[1] != str(ctx.member.id):
        raise Refusal("choice_not_yours")
    me = account_of(ctx)
    asking = Account(parts[2], ":".join(parts[3:]), "")
    found = await ctx.uow.link_codes.awaiting(me, asking)
    if found is None:
        raise Refusal("link_me_nothing_waiting")
    digest, code = found
    redeemer = code.redeemer
    if redeemer is None or not same(code.issuer, me):
        raise Refusal("link_me_nothing_waiting")
    if not await ctx.uow.link_codes.answer(digest, ctx.now):
        raise Refusal("link_me_nothing_waiting")
    if parts[0] == "no":
        ctx.say("link_me_declined_you")
        _private(ctx, redeemer, ctx.text("link_me_declined", await _language_at(ctx, redeemer)))
        return
    if _too_late(code, ctx.now):
        raise Refusal("link_me_too_late", minutes=codes.minutes_valid())
    keep, drop = await person_of(ctx, me), await person_of(ctx, redeemer)
    if keep is None or drop is None:
        raise Refusal("link_me_nothing_waiting")
    if keep == drop:
        raise Refusal("link_me_already_one")
    await ctx.uow.people.merge(keep, drop)
    platform = platform_name(ctx.catalog, redeemer.platform, ctx.language)
    ctx.say("link_me_done_issuer", platform=platform)
    language = await _language_at(ctx, redeemer)
    there = platform_name(ctx.catalog, me.platform, language)
    _private(ctx, redeemer, ctx.text("link_me_done", language, platform=there))


async def reach_here(ctx: CommandContext) -> None:
    """`/link me here`: private messages come to this account, wherever they answer later."""
    me = account_of(ctx)
    await ctx.uow.members.reach_through(ctx.member, me.platform, me.user_ref, chosen=True)
    ctx.member.platform, ctx.member.user_ref, ctx.member.reach_chosen = (
        me.platform,
        me.user_ref,
        True,
    )
    ctx.say("link_me_here_done", platform=platform_name(ctx.catalog, me.platform, ctx.language))


def _too_late(code: LinkCode, now: datetime) -> bool:
    """The question is answered within as long as the code was good for."""
    return code.used_at is None or now - code.used_at > codes.CODE_VALID


def _private(
    ctx: CommandContext, account: Account, body: str, *, choices: tuple[Choice, ...] = ()
) -> None:
    """A private message to an account that need not be a member here (the person's other
    account), addressed through the place its own private chat belongs to."""
    ctx.replies.append(
        Reply(
            body,
            Target(account.platform, account.place_ref, user_ref=account.user_ref),
            Visibility.PRIVATE,
            choices,
        )
    )


async def _language_of(ctx: CommandContext, code: LinkCode) -> str:
    try:
        issuer = await ctx.uow.members.get(code.member_id)
    except LookupError:
        return ctx.community.language
    return issuer.speaks or (await ctx.uow.communities.get(issuer.community_id)).language


async def _language_at(ctx: CommandContext, account: Account) -> str:
    """The language of whoever reads that account's private chat."""
    link = await ctx.uow.communities.find_link(account.platform, account.place_ref)
    if link is None:
        return ctx.language
    member = await ctx.uow.members.find(link.community_id, account.platform, account.user_ref)
    if member is not None and member.speaks:
        return member.speaks
    return (await ctx.uow.communities.get(link.community_id)).language

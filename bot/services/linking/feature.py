"""/link in chat: `/link` lists the community's places (and gives a moderator a place code),
`/link <code>` joins this place to the community that gave it, `/link me [code|here]` links
a person's accounts or picks the one Hearth reaches them through; `/unlink` splits this place
off again."""

from __future__ import annotations

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.roles import Role
from bot.services.linking import people, places, unlinking
from bot.services.linking.codes import minutes_valid

feature = Feature("linking")


@feature.command("link", Param("code", ParamType.TEXT))
async def link(ctx: CommandContext, args: Args) -> None:
    words = (args.text("code") or "").split()
    if words and words[0].lower() == "me":
        await _link_me(ctx, words[1:])
    elif words:
        await _join(ctx, " ".join(words))
    else:
        await _show(ctx)


async def _show(ctx: CommandContext) -> None:
    shown = Markup("\n".join(f"• {escape(p)}" for p in places.places_of(ctx, ctx.language)))
    ctx.say("link_places", places=shown)
    if ctx.role < Role.MODERATOR:
        return
    code = await places.give_code(ctx)
    ctx.tell(
        ctx.member,
        "link_code_place",
        code=code,
        community=ctx.community.name,
        minutes=minutes_valid(),
    )
    if not ctx.origin.is_private:
        ctx.confirm_private("link_code_sent")


async def _join(ctx: CommandContext, typed: str) -> None:
    linked = await places.join(ctx, typed)
    home = linked.home
    actor = await ctx.uow.members.find(
        home.community.id, ctx.origin.platform, ctx.origin.person.user_ref
    )
    await home.audit("audit_places_linked", actor=actor, place=linked.here, reason=linked.kept)
    home.announce(
        "announcements",
        "link_done",
        place=linked.here,
        community=home.community.name,
        places=", ".join(places.places_of(home)),
    )
    if linked.issuer is not None:
        home.tell(linked.issuer, "link_done_issuer", place=linked.here, kept=linked.kept)
    ctx.say("link_done_you", community=home.community.name, kept=linked.kept)


async def _link_me(ctx: CommandContext, words: list[str]) -> None:
    if not ctx.origin.is_private:
        raise Refusal("link_me_private")
    if not words:
        code = await people.give_code(ctx)
        ctx.say("link_me_code", code=code, minutes=minutes_valid())
    elif len(words) == 1 and words[0].lower() == "here":
        await people.reach_here(ctx)
    else:
        await people.ask_issuer(ctx, " ".join(words))


@feature.command("unlink", role=Role.MODERATOR)
async def unlink(ctx: CommandContext, args: Args) -> None:
    split = await unlinking.unlink(ctx)
    left, stayed = split.left, split.stayed
    actor = await ctx.uow.members.find(
        left.community.id, ctx.origin.platform, ctx.origin.person.user_ref
    )
    await left.audit("audit_places_unlinked", actor=actor, place=split.place)
    await stayed.audit("audit_places_unlinked", actor=ctx.member, place=split.place)
    stayed.announce(
        "announcements",
        "unlink_done_stayed",
        place=split.place,
        community=stayed.community.name,
        places=", ".join(places.places_of(stayed)),
    )
    left.announce(
        "announcements",
        "unlink_done_left",
        community=left.community.name,
        earlier=stayed.community.name,
    )


@feature.choice(people.CHOICE)
async def answered(ctx: CommandContext, parts: list[str]) -> None:
    await people.answered(ctx, parts)

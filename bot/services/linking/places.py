"""Two places, one community: a moderator of one place gives a code, a moderator of the other
sends it there, and the place that gave it is home. Every check comes before any change, and
a refusal rolls the whole unit back, so a refused link changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog, Phrase
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, CommunityLink, Member, Renumbered
from bot.errors import Refusal
from bot.ports import UnitOfWork
from bot.roles import Role
from bot.scheduling import WEEKDAYS
from bot.services.linking import codes
from bot.services.linking.records import Account, CodeKind, LinkCode
from bot.services.proposals.records import Action, Event
from bot.services.reflections.rounds import close_round

# The name each place had before it joined a community (its own community's name then), so
# "Telegram: Garden group" stays recognisable after the merge keeps home's name alone.
PLACE_NAMES = "place_names"


def platform_name(catalog: Catalog, platform: str, language: str | None) -> str:
    key = "link_platform_" + platform.replace("-", "_")
    return catalog.text(key, language) if catalog.has(key) else platform.capitalize()


def place_key(link: CommunityLink) -> str:
    return f"{link.platform}:{link.community_ref}"


def place_name(ctx: CommunityContext, link: CommunityLink, language: str | None = None) -> str:
    """A place as people know it: its platform and its name ("Telegram: Garden group")."""
    names = ctx.community.settings.get(PLACE_NAMES) or {}
    return ctx.text(
        "link_place",
        language,
        platform=platform_name(ctx.catalog, link.platform, language),
        name=names.get(place_key(link), ctx.community.name),
    )


def places_of(ctx: CommunityContext, language: str | None = None) -> list[str]:
    return [place_name(ctx, link, language) for link in ctx.links]


async def give_code(ctx: CommandContext) -> str:
    """A new place code for a moderator, for the other place to join this community."""
    origin = ctx.origin
    code = LinkCode(
        kind=CodeKind.PLACE,
        community_id=ctx.community.id,
        member_id=ctx.member.id,
        issuer=Account(origin.platform, origin.person.user_ref, origin.community_ref),
        created_at=ctx.now,
    )
    return await codes.issue(ctx.uow, code)


@dataclass(frozen=True)
class Linked:
    """What a link did, for the people on both sides."""

    home: CommunityContext
    here: str  # the joining place, by name
    renumbered: list[Renumbered]
    issuer: Member | None
    kept: Phrase  # the joining side's own settings, which home's replace


async def join(ctx: CommandContext, typed: str) -> Linked:
    """This place joins the community whose moderator gave the code."""
    if ctx.role < Role.MODERATOR:
        raise Refusal("link_moderators_only")
    uow = ctx.uow
    code = await codes.valid(uow, typed, CodeKind.PLACE, ctx.now)
    joining = ctx.community
    if code.community_id == joining.id:
        raise Refusal("link_same_community")
    home = await ctx.beside(code.community_id)
    here = place_name(ctx, own_link(ctx), ctx.language)
    if len(ctx.links) > 1:
        raise Refusal("link_already_linked", places=", ".join(places_of(ctx, ctx.language)))
    taken = {link.platform for link in home.links} & {link.platform for link in ctx.links}
    if taken:
        platform = platform_name(ctx.catalog, sorted(taken)[0], ctx.language)
        raise Refusal("link_platform_taken", platform=platform, home=home.community.name)
    for side in (home, ctx):
        if await round_open(uow, side.community.id):
            raise Refusal("link_round_open", place=", ".join(places_of(side, ctx.language)))
    await codes.spend(uow, typed, ctx.now)
    await _one_open_reflection_round(home, ctx)
    kept = await _own_settings(ctx)
    names = {**(home.community.settings.get(PLACE_NAMES) or {})}
    for link in home.links:
        names.setdefault(place_key(link), home.community.name)
    for link in ctx.links:
        names[place_key(link)] = (joining.settings.get(PLACE_NAMES) or {}).get(
            place_key(link), joining.name
        )
    renumbered = await uow.communities.merge(home.community.id, joining.id)
    home = await ctx.beside(code.community_id)
    home.community.settings[PLACE_NAMES] = names
    await uow.communities.save(home.community)
    await _note_renumbering(home, renumbered, here)
    issuer = await _member(uow, code.member_id)
    return Linked(home, here, renumbered, issuer, kept)


def own_link(ctx: CommandContext) -> CommunityLink:
    origin = ctx.origin
    for link in ctx.links:
        if (link.platform, link.community_ref) == (origin.platform, origin.community_ref):
            return link
    return ctx.links[0]


async def round_open(uow: UnitOfWork, community_id: int) -> bool:
    """Whether a check-in round is open: its questions and totals belong to one community.
    (A reflection round stays open until the next by default, so it cannot hold a link.)"""
    return bool(await uow.checkins.open_rounds(community_id))


async def _one_open_reflection_round(home: CommunityContext, joining: CommandContext) -> None:
    """When both sides have a reflection round open, the joining side's closes now, with its
    digest in its own place, and home's carries on for everyone: one current round."""
    ours = await joining.uow.reflections.latest_round(home.community.id)
    theirs = await joining.uow.reflections.latest_round(joining.community.id)
    if ours is not None and ours.is_open and theirs is not None and theirs.is_open:
        await close_round(joining, theirs)


async def _own_settings(ctx: CommandContext) -> Phrase:
    """The joining side's settings in a line, so moderators can set again what they want."""
    joining: Community = ctx.community
    schedules = await ctx.uow.schedules.for_community(joining.id)
    shown = [
        f"{s.kind} {WEEKDAYS[s.weekday]} {s.hour:02d}:{s.minute:02d}"
        for s in sorted(schedules, key=lambda s: s.kind)
    ]
    settings = [
        f"{key} = {value}" for key, value in sorted(joining.settings.items()) if key != PLACE_NAMES
    ]
    none = Phrase("link_kept_none")
    return Phrase(
        "link_kept",
        timezone=joining.timezone,
        language=joining.language,
        schedules=", ".join(shown) or none,
        settings="; ".join(settings) or none,
    )


async def _note_renumbering(
    home: CommunityContext, renumbered: list[Renumbered], was_in: str
) -> None:
    """Each proposal that came over says in its history which number it had before."""
    for change in renumbered:
        if change.kind != "proposal":
            continue
        proposal = await home.uow.proposals.get(home.community.id, change.now)
        if proposal is None:
            continue
        proposal.events.append(
            Event(
                at=home.now,
                action=Action.RENUMBERED,
                actor_id=None,
                actor_name="",
                automatic=True,
                detail=f"{change.was} {was_in}",
            )
        )
        await home.uow.proposals.save(proposal)


async def _member(uow: UnitOfWork, member_id: int) -> Member | None:
    try:
        return await uow.members.get(member_id)
    except LookupError:
        return None

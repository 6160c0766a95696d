"""The community and the member an origin speaks for, found or created in the caller's unit of
work: whoever writes to Hearth from a place it has not seen before brings both into being."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.channels import ChannelDirectory
from bot.clock import Clock
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, CommunityLink, Member
from bot.events import Origin
from bot.ports import UnitOfWork
from bot.replies import Target
from bot.roles import decide_role


@dataclass(frozen=True)
class Defaults:
    timezone: str = "UTC"
    language: str = "en"


@dataclass(frozen=True)
class Membership:
    """A community a person belongs to, as its platform presence (for private chats)."""

    community_ref: str
    community_name: str


async def community_context(
    uow: UnitOfWork, community_id: int, clock: Clock, catalog: Catalog
) -> CommunityContext:
    """A known community's context, for work that no one member asked for."""
    return CommunityContext(
        uow=uow,
        clock=clock,
        catalog=catalog,
        community=await uow.communities.get(community_id),
        links=await uow.communities.links(community_id),
    )


async def reader_language(uow: UnitOfWork, target: Target, default: str) -> str:
    """The language of whoever reads a reply there: the member's own, else their community's,
    else `default` (a place Hearth does not know)."""
    link = await uow.communities.find_link(target.platform, target.community_ref)
    if link is None:
        return default
    if target.user_ref is not None:
        member = await uow.members.find(link.community_id, target.platform, target.user_ref)
        if member is not None and member.speaks:
            return member.speaks
    community = await uow.communities.get(link.community_id)
    return community.language


async def _community(
    uow: UnitOfWork, origin: Origin, clock: Clock, defaults: Defaults
) -> tuple[Community, list[CommunityLink]]:
    link = await uow.communities.find_link(
        origin.platform, origin.community_ref, with_member=origin.person.user_ref
    )
    if link is None:
        community = await uow.communities.add(
            name=origin.community_name or origin.community_ref,
            timezone=defaults.timezone,
            language=defaults.language,
            now=clock.now(),
        )
        link = CommunityLink(
            community.id, origin.platform, origin.community_ref, origin.channel_ref, {}
        )
        await uow.communities.add_link(link)
    else:
        community = await uow.communities.get(link.community_id)
        if link.main_channel is None and origin.channel_ref is not None:
            link.main_channel = origin.channel_ref
            await uow.communities.save_link(link)
    return community, await uow.communities.links(community.id)


async def command_context(
    uow: UnitOfWork,
    origin: Origin,
    *,
    clock: Clock,
    catalog: Catalog,
    defaults: Defaults,
    channels: ChannelDirectory | None,
) -> CommandContext:
    """The asker's context: their community and member (made when new), and their role."""
    community, links = await _community(uow, origin, clock, defaults)
    person = origin.person
    member = await uow.members.find(community.id, origin.platform, person.user_ref)
    is_new = member is None
    reported = person.language if person.language in catalog.languages else None
    if member is None:
        member = await uow.members.add(
            community_id=community.id,
            platform=origin.platform,
            user_ref=person.user_ref,
            display_name=person.display_name or catalog.text("nameless_member", community.language),
            reported_language=reported,
            now=clock.now(),
        )
    else:
        renamed = bool(person.display_name) and member.display_name != person.display_name
        # A platform that says nothing (a Discord message, the console) changes nothing; one
        # that reports a language the catalog lacks leaves the community's default to speak.
        relearned = person.language is not None and member.reported_language != reported
        if renamed or relearned:
            member.display_name = person.display_name or member.display_name
            if person.language is not None:
                member.reported_language = reported
            await uow.members.save(member)
        await _reach_where_they_answer(uow, origin, member)
    role = decide_role(
        is_platform_owner=person.is_platform_owner,
        is_platform_admin=person.is_platform_admin,
        granted=member.granted_role,
    )
    return CommandContext(
        uow=uow,
        clock=clock,
        catalog=catalog,
        community=community,
        links=links,
        member=member,
        role=role,
        origin=origin,
        member_is_new=is_new,
        channels=channels,
    )


async def _reach_where_they_answer(uow: UnitOfWork, origin: Origin, member: Member) -> None:
    """A person with several accounts is reached privately where they wrote privately last,
    unless they chose where (/link me here)."""
    account = (origin.platform, origin.person.user_ref)
    if (
        not origin.is_private
        or member.reach_chosen
        or account == (member.platform, member.user_ref)
    ):
        return
    await uow.members.reach_through(member, *account, chosen=False)
    member.platform, member.user_ref = account


async def memberships(uow: UnitOfWork, platform: str, user_ref: str) -> list[Membership]:
    """Where this person is an active member on a platform: a private chat belongs to one."""
    found: list[Membership] = []
    for member in await uow.members.memberships(platform, user_ref):
        community = await uow.communities.get(member.community_id)
        for link in await uow.communities.links(member.community_id):
            if link.platform == platform:
                found.append(Membership(link.community_ref, community.name))
    return found

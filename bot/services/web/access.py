"""Who may see what on the web: a page re-checks, on every request, that its visitor is a
moderator of that community now, from Hearth's grants and the platform's word today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain import Community, CommunityLink, Member
from bot.events import Person
from bot.ports import UnitOfWork
from bot.roles import Role, decide_role
from bot.services.web.port import Standing

PUBLIC_SETTING = "web_public"


@dataclass(frozen=True)
class Visitor:
    """A signed-in moderator as this request sees them."""

    community: Community
    links: list[CommunityLink]
    member: Member
    role: Role
    person: Person  # as the platform describes them now, for commands run from a page
    community_ref: str  # their place on their platform


class _Gone(Exception):
    """The platform says the member is not in the place any more."""


async def _facts(standing: Standing | None, community_ref: str, member: Member) -> Person | None:
    """The platform's word on the member now; None when it cannot tell."""
    if standing is None:
        return None
    try:
        found = await standing.standing(community_ref, member.user_ref)
    except LookupError:
        return None
    if found is None:
        raise _Gone
    return found


def is_public(community: Community) -> bool:
    """Whether moderators opened the community's page to everyone (off until they do)."""
    return bool(community.settings.get(PUBLIC_SETTING, False))


@dataclass(frozen=True)
class Claim:
    """Who a link or session says the visitor is, as the database has them now; the platform
    is asked after the unit of work, so no database turn waits on the network."""

    community: Community
    links: list[CommunityLink]
    member: Member
    community_ref: str


async def claim_of(uow: UnitOfWork, community_id: int, member_id: int) -> Claim | None:
    """The member and their place, while they are still an active member there."""
    try:
        member = await uow.members.get(member_id)
        community = await uow.communities.get(community_id)
    except LookupError:
        return None
    if member.community_id != community_id or not member.active:
        return None
    links = await uow.communities.links(community_id)
    place = next((link for link in links if link.platform == member.platform), None)
    if place is None:
        return None
    return Claim(community, links, member, place.community_ref)


async def moderator_now(claim: Claim, platforms: Mapping[str, Standing]) -> Visitor | None:
    """The visitor when they are a moderator there now; None when demoted on the platform or
    in Hearth, or gone from the place."""
    member = claim.member
    try:
        facts = await _facts(platforms.get(member.platform), claim.community_ref, member)
    except _Gone:
        return None  # the platform says they are no longer there
    person = facts or Person(member.user_ref, member.display_name)
    role = decide_role(
        is_platform_owner=person.is_platform_owner,
        is_platform_admin=person.is_platform_admin,
        granted=member.granted_role,
    )
    if role < Role.MODERATOR:
        return None
    return Visitor(claim.community, claim.links, member, role, person, claim.community_ref)

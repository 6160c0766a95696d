"""What newcomers said they could bring: the seam the offers feature reads them through."""

from __future__ import annotations

from bot.ports import UnitOfWork
from bot.services.welcome.records import Contribution


async def contributions(
    uow: UnitOfWork, community_id: int, member_id: int | None = None
) -> list[Contribution]:
    """What members said they could bring, oldest first: the offers feature builds on these."""
    return await uow.welcome.contributions(community_id, member_id)


async def became_offer(uow: UnitOfWork, contribution: Contribution) -> None:
    """Its author made a contribution an offer (with a kind of help): the offer carries it
    from now on, so it is not listed twice."""
    await uow.welcome.remove_contribution(contribution.id)

"""Offers of mutual aid their members made public, as `/offers <kind>` lists them: who offers
what, in which kind of help. Private offers and every request for a hand stay out."""

from __future__ import annotations

from bot.context import CommunityContext
from bot.services.export.table import Table
from bot.services.needs import config


async def offer_table(ctx: CommunityContext, language: str) -> Table:
    table = Table.named("offers", "category category_label offered_by what")
    for offer in await ctx.uow.offers.public_in(ctx.community.id):
        member = await ctx.uow.members.get(offer.member_id)
        if not member.active:  # /offers lists only members who are still here
            continue
        table.add(
            category=offer.category,
            category_label=config.category_label(ctx, offer.category, language),
            offered_by=member.display_name,
            what=offer.what,
        )
    return table

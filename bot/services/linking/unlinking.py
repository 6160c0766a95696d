"""A place leaves the community it was linked into (/unlink): it is a community of its own
again, under its own name, with the community's settings and schedules as they were. Nothing
made together is copied or lost: the old community keeps it, and the new one reads it (see
bot/services/linking/history.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import CommandContext, CommunityContext
from bot.domain import Schedule
from bot.errors import Refusal
from bot.scheduling import next_weekly
from bot.services.linking.places import (
    PLACE_NAMES,
    own_link,
    place_key,
    place_name,
    places_of,
    round_open,
)


@dataclass(frozen=True)
class Unlinked:
    """Both sides after the split, and the leaving place by the name people knew it by."""

    left: CommunityContext  # the leaving place's new community
    stayed: CommunityContext  # the community it left, in its remaining places
    place: str


async def unlink(ctx: CommandContext) -> Unlinked:
    """The place this command came from leaves its community."""
    uow = ctx.uow
    if len(ctx.links) < 2:
        raise Refusal("unlink_alone")
    if await round_open(uow, ctx.community.id):
        raise Refusal("unlink_round_open", place=", ".join(places_of(ctx, ctx.language)))
    # The place on this platform (a community has one per platform), so /unlink sent in a
    # private chat on it means that place too.
    here = next((link for link in ctx.links if link.platform == ctx.origin.platform), None)
    here = here or own_link(ctx)
    place = place_name(ctx, here)
    names = dict(ctx.community.settings.get(PLACE_NAMES) or {})
    own_name = names.pop(place_key(here), ctx.community.name)
    old_id = ctx.community.id
    new = await uow.communities.split(
        old_id, here.platform, here.community_ref, name=own_name, now=ctx.now
    )
    for schedule in await uow.schedules.for_community(old_id):
        when = (schedule.weekday, schedule.hour, schedule.minute)
        await uow.schedules.put(
            Schedule(new.id, schedule.kind, *when, next_weekly(*when, new.timezone, ctx.now))
        )
    await _rename_what_stays(ctx, old_id, names)
    return Unlinked(await ctx.beside(new.id), await ctx.beside(old_id), place)


async def _rename_what_stays(ctx: CommandContext, old_id: int, names: dict[str, str]) -> None:
    """The community that stays no longer names the leaving place; left in one place, it is
    known by that place's own name again (as the leaving place is by its own)."""
    uow = ctx.uow
    old = await uow.communities.get(old_id)
    remaining = await uow.communities.links(old_id)
    if len(remaining) == 1:
        old.name = names.get(place_key(remaining[0]), old.name)
        old.settings.pop(PLACE_NAMES, None)
    else:
        old.settings[PLACE_NAMES] = names
    await uow.communities.save(old)

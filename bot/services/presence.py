"""Where Hearth is: a place that got a new id, and being removed from a place or added again.

A community follows its place: a Telegram group upgraded to a supergroup keeps its community,
members, channel settings, jobs and waiting messages. Removed from a place, Hearth is away from
it: nothing waiting for that place is sent, yet all of it is kept. Away from every place of a
community, the community is paused: no schedule or job runs either. Added again, it resumes,
its schedules carry on from their next time (missed runs do not all fire at once), and it says
so. A community linked across places carries on in the places Hearth is still in.
"""

from __future__ import annotations

from bot.catalog import Phrase
from bot.context import CommunityContext
from bot.domain import CommunityLink
from bot.events import HearthAdded, HearthRemoved, PlaceMoved, Presence
from bot.scheduling import next_weekly


def place_ref(event: Presence) -> str:
    """The place the event is about, as the community's link knows it now."""
    return event.old_ref if isinstance(event, PlaceMoved) else event.community_ref


async def follow(ctx: CommunityContext, event: Presence) -> bool:
    """Apply what the platform said about Hearth's place; False when nothing changed (a
    repeated or late notice), so every notice may arrive twice, in any order."""
    match event:
        case PlaceMoved():
            return await _move(ctx, event)
        case HearthRemoved():
            return await _leave(ctx, event.platform, event.community_ref)
        case HearthAdded():
            return await _return(ctx, event.platform, event.community_ref)


async def _move(ctx: CommunityContext, event: PlaceMoved) -> bool:
    uow = ctx.uow
    arrived = await uow.communities.find_link(event.platform, event.new_ref)
    if arrived is not None:
        if arrived.community_id == ctx.community.id:
            return False
        # The new place spoke first (a command there made a fresh, empty community): the
        # community with the history is kept, and whoever appeared meanwhile joins it.
        await uow.communities.absorb(ctx.community.id, arrived.community_id)
    await uow.communities.move_link(event.platform, event.old_ref, event.new_ref)
    await uow.outbox.move_place(event.platform, event.old_ref, event.new_ref)
    await ctx.audit("audit_place_moved", place=_place(event.platform))
    # Only a Hearth that is in the new place hears of the move: a pause the old place
    # caused (it may report Hearth gone as it closes) ends here.
    await _return(ctx, event.platform, event.new_ref, say_so=False)
    return True


async def _leave(ctx: CommunityContext, platform: str, place: str) -> bool:
    link = await ctx.uow.communities.find_link(platform, place)
    if link is None or link.away_since is not None:
        return False
    link.away_since = ctx.now
    await ctx.uow.communities.save_link(link)
    if all(other.away_since is not None or _same(other, link) for other in ctx.links):
        ctx.community.paused_since = ctx.now
        await ctx.uow.communities.save(ctx.community)
    await ctx.audit("audit_hearth_removed", place=_place(platform))
    return True


async def _return(ctx: CommunityContext, platform: str, place: str, *, say_so: bool = True) -> bool:
    link = await ctx.uow.communities.find_link(platform, place)
    if link is None or (link.away_since is None and ctx.community.paused_since is None):
        return False
    if link.away_since is not None:
        link.away_since = None
        await ctx.uow.communities.save_link(link)
    if ctx.community.paused_since is not None:
        await _resume(ctx)
    await ctx.audit("audit_hearth_added", place=_place(platform))
    if say_so:
        ctx.announce("announcements", "hearth_resumed", place=_place(platform))
    return True


async def _resume(ctx: CommunityContext) -> None:
    ctx.community.paused_since = None
    await ctx.uow.communities.save(ctx.community)
    for schedule in await ctx.uow.schedules.for_community(ctx.community.id):
        if schedule.next_run <= ctx.now:  # runs missed while paused are skipped, not fired
            schedule.next_run = next_weekly(
                schedule.weekday, schedule.hour, schedule.minute, ctx.community.timezone, ctx.now
            )
            await ctx.uow.schedules.put(schedule)


def _same(one: CommunityLink, other: CommunityLink) -> bool:
    return (one.platform, one.community_ref) == (other.platform, other.community_ref)


def _place(platform: str) -> Phrase:
    return Phrase(f"place_{platform}" if platform == "discord" else "place_group")

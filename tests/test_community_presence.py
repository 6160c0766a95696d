"""The community follows its places, on every SQL engine: a move takes everything along, a
removal from a place holds what waits for it (never dropped), a removal from every place pauses
the community, and an addition resumes it."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import CommunityLink
from bot.events import HearthAdded, HearthRemoved, Origin, PlaceMoved
from bot.ports import Store
from bot.replies import Reply, Target, Visibility
from tests.support import COMMUNITY, PLATFORM, World, public, text

NEW = "new-place"


async def community_id(world: World, ref: str = COMMUNITY) -> int:
    async with world.store.unit_of_work() as uow:
        link = await uow.communities.find_link(PLATFORM, ref)
    assert link is not None
    return link.community_id


async def waiting(world: World, body: str, user_ref: str | None = None) -> None:
    """A message the community's scheduled work left in the outbox."""
    channel = None if user_ref else COMMUNITY
    visibility = Visibility.PRIVATE if user_ref else Visibility.PUBLIC
    async with world.store.unit_of_work() as uow:
        await uow.outbox.add(
            Reply(body, Target(PLATFORM, COMMUNITY, channel, user_ref), visibility),
            world.clock.now(),
        )
        await uow.commit()


async def test_what_waits_for_a_removed_hearth_is_held_then_sent_when_it_is_back(
    store: Store,
) -> None:
    world = World(store=store)
    await world.say("Ana", "hello")
    assert await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))
    await waiting(world, "A private follow-up for Ana", user_ref="ana")

    assert await world.hearth.flush_outbox() == 0
    assert await world.hearth.next_due() is None  # nothing to wake for while paused
    assert not await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))  # said twice

    before = len(world.outbox.sent)
    assert await world.hearth.follow(HearthAdded(PLATFORM, COMMUNITY))
    sent = world.outbox.sent[before:]
    assert "A private follow-up for Ana" in text(sent)
    assert "I'm back" in text(public(sent))
    kept = await community_id(world)
    async with world.store.unit_of_work() as uow:
        entries = await uow.audit.latest(kept, 2)
    assert [e.key for e in entries] == ["audit_hearth_added", "audit_hearth_removed"]
    audit = text(await world.say("ana", "/audit"))
    assert "Hearth was added to the group again; resumed" in audit
    assert "Hearth was removed from the group; paused" in audit


async def test_a_paused_community_runs_no_schedule_and_skips_the_missed_runs(
    store: Store,
) -> None:
    world = World(store=store)
    world.make_admin("Ana")
    await world.say("Ana", "/schedule reflection mon 18:00")
    await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))
    assert await world.advance(timedelta(weeks=3)) == []

    await world.hearth.follow(HearthAdded(PLATFORM, COMMUNITY))
    assert "Reflection round" not in text(await world.advance(timedelta(hours=1)))
    assert "Reflection round #1" in text(await world.advance(timedelta(days=7)))


async def test_a_moved_place_takes_its_community_members_settings_and_messages_along(
    store: Store,
) -> None:
    world = World(store=store)
    await world.say("Ana", "hello")
    kept = await community_id(world)
    async with world.store.unit_of_work() as uow:
        link = await uow.communities.find_link(PLATFORM, COMMUNITY)
        assert link is not None
        link.channels["proposals"] = COMMUNITY  # a setting naming the place itself
        await uow.communities.save_link(link)
        await uow.commit()
    await waiting(world, "The round's summary")
    # The new place spoke first, making a fresh community with a newcomer in it.
    dan = world.origin("Dan").person
    await world.hearth.register(Origin(PLATFORM, NEW, dan, "#general"))

    assert await world.hearth.follow(PlaceMoved(PLATFORM, COMMUNITY, NEW))
    assert not await world.hearth.follow(PlaceMoved(PLATFORM, COMMUNITY, NEW))  # the other notice

    assert await community_id(world, NEW) == kept
    async with world.store.unit_of_work() as uow:
        assert await uow.communities.find_link(PLATFORM, COMMUNITY) is None
        (link,) = await uow.communities.links(kept)
        names = sorted(m.display_name for m in await uow.members.active(kept))
    assert link.channels["proposals"] == NEW
    assert names == ["Ana", "Dan"]
    (summary,) = [r for r in world.outbox.sent if r.text == "The round's summary"]
    assert (summary.target.community_ref, summary.target.channel_ref) == (NEW, NEW)


async def test_a_notice_about_a_place_hearth_never_knew_changes_nothing(store: Store) -> None:
    world = World(store=store)
    assert not await world.hearth.follow(HearthAdded(PLATFORM, "elsewhere"))
    assert not await world.hearth.follow(HearthRemoved(PLATFORM, "elsewhere"))
    assert not await world.hearth.follow(PlaceMoved(PLATFORM, "elsewhere", NEW))
    async with world.store.unit_of_work() as uow:
        assert await uow.communities.find_link(PLATFORM, NEW) is None


async def add_second_place(world: World, platform: str = "other", ref: str = "server") -> None:
    """The community spans a second place (as /link makes it)."""
    kept = await community_id(world)
    async with world.store.unit_of_work() as uow:
        await uow.communities.add_link(CommunityLink(kept, platform, ref, "#lobby"))
        await uow.commit()


async def test_removed_from_one_of_two_places_the_community_carries_on_in_the_other(
    store: Store,
) -> None:
    world = World(store=store)
    world.make_admin("Ana")
    await world.say("Ana", "/schedule reflection mon 18:00")
    await add_second_place(world)
    assert await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))
    assert not await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))  # said twice

    posted = await world.advance(timedelta(days=7))
    assert {r.target.platform for r in posted if "Reflection round #1" in r.text} == {"other"}

    before = len(world.outbox.sent)
    assert await world.hearth.follow(HearthAdded(PLATFORM, COMMUNITY))
    held = [r for r in world.outbox.sent[before:] if "Reflection round #1" in r.text]
    assert [r.target.platform for r in held] == [PLATFORM]  # kept for the group, sent now


async def test_removed_from_every_place_the_community_pauses(store: Store) -> None:
    world = World(store=store)
    world.make_admin("Ana")
    await world.say("Ana", "/schedule reflection mon 18:00")
    await add_second_place(world)
    await world.hearth.follow(HearthRemoved(PLATFORM, COMMUNITY))
    await world.hearth.follow(HearthRemoved("other", "server"))
    assert await world.advance(timedelta(weeks=3)) == []

    await world.hearth.follow(HearthAdded("other", "server"))
    resumed = await world.advance(timedelta(days=7))
    assert {r.target.platform for r in resumed if "Reflection round" in r.text} == {"other"}

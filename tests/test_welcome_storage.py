"""The welcome and buddy repositories keep their contract on every SQL engine."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import Store
from bot.services.welcome.records import (
    BuddyRequest,
    Intro,
    Onboarding,
    PairingStatus,
    Step,
    Volunteer,
)
from tests.support import START


async def _people(store: Store, *names: str) -> tuple[int, list[int]]:
    """A community with these members; returns its id and theirs."""
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name="c", timezone="UTC", language="en", now=START)
        ids = []
        for name in names:
            member = await uow.members.add(
                community_id=community.id,
                platform="test",
                user_ref=name,
                display_name=name,
                language=None,
                now=START,
            )
            ids.append(member.id)
        await uow.commit()
    return community.id, ids


async def test_joins_are_welcomed_once_in_join_order(store: Store) -> None:
    community, (ana, ben) = await _people(store, "ana", "ben")
    async with store.unit_of_work() as uow:
        await uow.welcome.add_join(community_id=community, member_id=ben, at=START)
        await uow.welcome.add_join(community_id=community, member_id=ana, at=START)
        await uow.welcome.add_join(community_id=community, member_id=ben, at=START)
        assert await uow.welcome.unwelcomed(community) == [ben, ana]
        await uow.welcome.mark_welcomed(community, [ben], START)
        assert await uow.welcome.unwelcomed(community) == [ana]
        later = START + timedelta(days=2)
        await uow.welcome.add_join(community_id=community, member_id=ana, at=later)
        assert await uow.welcome.count_joins(community, START) == 4
        assert await uow.welcome.count_joins(community, START + timedelta(days=1)) == 1
        await uow.commit()


async def test_an_onboarding_round_trips_every_field(store: Store) -> None:
    community, (ana, ben) = await _people(store, "ana", "ben")
    done = Onboarding(
        ana,
        community,
        START,
        Step.DONE,
        brings="Soup ✨",
        unsure=True,
        wants_buddy=False,
        channel="#general",
        fallback_offered=True,
        completed_at=START + timedelta(hours=2),
    )
    async with store.unit_of_work() as uow:
        assert await uow.welcome.get_onboarding(ana) is None
        await uow.welcome.save_onboarding(Onboarding(ana, community, START))
        await uow.welcome.save_onboarding(done)
        await uow.welcome.save_onboarding(Onboarding(ben, community, START, Step.BUDDY))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.welcome.get_onboarding(ana) == done
        ben_onboarding = await uow.welcome.get_onboarding(ben)
        assert ben_onboarding is not None and ben_onboarding.wants_buddy is None
        assert await uow.welcome.count_completed(community, START) == 1
        assert await uow.welcome.count_completed(community, START + timedelta(hours=3)) == 0


async def test_contributions_are_listed_per_community_and_member(store: Store) -> None:
    community, (ana, ben) = await _people(store, "ana", "ben")
    other, (cy,) = await _people(store, "cy")
    async with store.unit_of_work() as uow:
        first = await uow.welcome.add_contribution(
            community_id=community, member_id=ana, text="bread", source="onboarding", at=START
        )
        await uow.welcome.add_contribution(
            community_id=community, member_id=ben, text="bikes", source="followup", at=START
        )
        await uow.welcome.add_contribution(
            community_id=other, member_id=cy, text="maps", source="onboarding", at=START
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [c.text for c in await uow.welcome.contributions(community)] == ["bread", "bikes"]
        assert await uow.welcome.contributions(community, ana) == [first]


async def test_an_intro_is_kept_replaced_and_removed(store: Store) -> None:
    community, (ana,) = await _people(store, "ana")
    async with store.unit_of_work() as uow:
        await uow.welcome.save_intro(Intro(ana, community, "first", START))
        posted = Intro(ana, community, "second", START, posted_at=START)
        await uow.welcome.save_intro(posted)
        assert await uow.welcome.get_intro(ana) == posted
        assert await uow.welcome.remove_intro(ana)
        assert not await uow.welcome.remove_intro(ana)
        assert await uow.welcome.get_intro(ana) is None


async def test_volunteers_are_listed_active_and_longest_standing_first(store: Store) -> None:
    community, (ana, ben, cy) = await _people(store, "ana", "ben", "cy")
    async with store.unit_of_work() as uow:
        await uow.buddies.save_volunteer(Volunteer(ben, community, START, open_limit=3))
        await uow.buddies.save_volunteer(Volunteer(ana, community, START + timedelta(hours=1)))
        await uow.buddies.save_volunteer(Volunteer(cy, community, START, active=False))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [v.member_id for v in await uow.buddies.volunteers(community)] == [ben, ana]
        assert await uow.buddies.get_volunteer(ben) == Volunteer(ben, community, START, True, 3)
        inactive = await uow.buddies.get_volunteer(cy)
        assert inactive is not None and not inactive.active


async def test_pairings_and_who_is_waiting(store: Store) -> None:
    community, (ana, ben, cy, dee) = await _people(store, "ana", "ben", "cy", "dee")
    async with store.unit_of_work() as uow:
        for member, hours in ((cy, 0), (dee, 1)):
            when = START + timedelta(hours=hours)
            await uow.buddies.add_request(BuddyRequest(member, community, when))
        assert [r.member_id for r in await uow.buddies.waiting(community)] == [cy, dee]
        pairing = await uow.buddies.add_pairing(
            community_id=community, newcomer_id=cy, buddy_id=ana, at=START
        )
        assert [r.member_id for r in await uow.buddies.waiting(community)] == [dee]
        pairing.status = PairingStatus.PASSED
        pairing.greeted_at = START
        pairing.ended_at = START + timedelta(hours=1)
        await uow.buddies.save_pairing(pairing)
        assert [r.member_id for r in await uow.buddies.waiting(community)] == [cy, dee]
        later = await uow.buddies.add_pairing(
            community_id=community, newcomer_id=cy, buddy_id=ben, at=START + timedelta(days=1)
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.buddies.get_pairing(pairing.id) == pairing
        assert await uow.buddies.get_pairing(999) is None
        assert await uow.buddies.pairings_of(cy) == [pairing, later]
        assert await uow.buddies.pairings_of(ana) == [pairing]
        assert await uow.buddies.open_pairings(community) == [later]
        assert await uow.buddies.pairings_since(community, START + timedelta(hours=2)) == [later]
        assert await uow.buddies.get_request(cy) == BuddyRequest(cy, community, START)
        assert await uow.buddies.remove_request(cy)
        assert not await uow.buddies.remove_request(cy)


async def test_export_and_erase_cover_every_welcome_record(store: Store) -> None:
    community, (ana, ben) = await _people(store, "ana", "ben")
    async with store.unit_of_work() as uow:
        await uow.welcome.add_join(community_id=community, member_id=ana, at=START)
        await uow.welcome.save_onboarding(Onboarding(ana, community, START, brings="tea"))
        await uow.welcome.add_contribution(
            community_id=community, member_id=ana, text="bread", source="onboarding", at=START
        )
        await uow.welcome.save_intro(Intro(ana, community, "hello", START))
        await uow.buddies.save_volunteer(Volunteer(ana, community, START))
        await uow.buddies.add_request(BuddyRequest(ben, community, START))
        await uow.buddies.add_pairing(
            community_id=community, newcomer_id=ben, buddy_id=ana, at=START
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        exported = await uow.welcome.export_member(ana)
        shown = " ".join(str(v) for row in exported for v in row.values())
        assert "tea" in shown and "bread" in shown and "hello" in shown
        assert len(await uow.buddies.export_member(ana)) == 2  # volunteering and the pairing
        assert len(await uow.buddies.export_member(ben)) == 2  # the request and the pairing
        assert await uow.welcome.erase_member(ana) == 4
        assert await uow.buddies.erase_member(ana) == 2
        assert await uow.welcome.export_member(ana) == []
        assert await uow.buddies.export_member(ana) == []
        assert await uow.buddies.pairings_of(ben) == []
        assert await uow.buddies.export_member(ben) == [{"asked_for_a_buddy": START}]
        await uow.commit()


async def test_an_uncommitted_unit_of_work_leaves_nothing(store: Store) -> None:
    community, (ana,) = await _people(store, "ana")
    async with store.unit_of_work() as uow:
        await uow.welcome.add_join(community_id=community, member_id=ana, at=START)
        await uow.buddies.save_volunteer(Volunteer(ana, community, START))
    async with store.unit_of_work() as uow:
        assert await uow.welcome.unwelcomed(community) == []
        assert await uow.buddies.get_volunteer(ana) is None


async def test_a_contribution_that_became_an_offer_is_removed_alone(store: Store) -> None:
    community, (ana,) = await _people(store, "ana")
    async with store.unit_of_work() as uow:
        first = await uow.welcome.add_contribution(
            community_id=community, member_id=ana, text="bread", source="onboarding", at=START
        )
        await uow.welcome.add_contribution(
            community_id=community, member_id=ana, text="bikes", source="followup", at=START
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.welcome.remove_contribution(first.id)
        assert not await uow.welcome.remove_contribution(first.id)
        await uow.commit()
    async with store.unit_of_work() as uow:
        left = await uow.welcome.contributions(community, ana)
        assert [c.text for c in left] == ["bikes"]


async def test_a_volunteers_pause_is_kept_and_lifted(store: Store) -> None:
    community, (ana,) = await _people(store, "ana")
    until = START + timedelta(days=7)
    paused = Volunteer(ana, community, START, paused_at=START, paused_until=until)
    async with store.unit_of_work() as uow:
        await uow.buddies.save_volunteer(paused)
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.buddies.get_volunteer(ana)
        assert found == paused and found.paused(START) and not found.paused(until)
        found.paused_at = found.paused_until = None
        await uow.buddies.save_volunteer(found)
        await uow.commit()
    async with store.unit_of_work() as uow:
        lifted = await uow.buddies.get_volunteer(ana)
        assert lifted == Volunteer(ana, community, START) and not lifted.paused(START)
        assert [v.member_id for v in await uow.buddies.volunteers(community)] == [ana]

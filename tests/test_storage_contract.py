"""One contract for every SQL engine the `store` fixture names (SQLite today)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.catalog import Phrase
from bot.domain import CommunityLink, Conversation, Schedule
from bot.ports import Store
from bot.replies import Reply, Target, Visibility
from bot.roles import Role

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


async def _community(store: Store) -> int:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name="Garden", timezone="UTC", language="en", now=NOW)
        await uow.communities.add_link(
            CommunityLink(community.id, "test", "g1", "#general", {"proposals": "#ideas"})
        )
        await uow.commit()
    return community.id


async def test_communities_and_links_round_trip(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        link = await uow.communities.find_link("test", "g1")
        assert link is not None and link.community_id == cid
        assert link.channel_for("proposals") == "#ideas"
        assert link.channel_for("welcome") == "#general"
        community = await uow.communities.get(cid)
        community.settings["about"] = "We grow food 🌱"
        community.timezone = "Europe/Berlin"
        await uow.communities.save(community)
        await uow.commit()
    async with store.unit_of_work() as uow:
        again = await uow.communities.get(cid)
        assert again.settings == {"about": "We grow food 🌱"}
        assert again.timezone == "Europe/Berlin"
        assert again.created_at == NOW
        assert await uow.communities.find_link("test", "nope") is None


async def test_uncommitted_work_is_rolled_back(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        await uow.members.add(
            community_id=cid,
            platform="test",
            user_ref="u1",
            display_name="Ana",
            language=None,
            now=NOW,
        )
    with pytest.raises(RuntimeError):
        async with store.unit_of_work() as uow:
            await uow.audit.add(
                community_id=cid, at=NOW, actor_id=None, actor_name="x", key="y", params={}
            )
            raise RuntimeError("boom")
    async with store.unit_of_work() as uow:
        assert await uow.members.find(cid, "test", "u1") is None
        assert await uow.audit.latest(cid, 5) == []


async def test_members_are_found_by_ref_and_name_and_granted_roles_kept(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        ana = await uow.members.add(
            community_id=cid,
            platform="test",
            user_ref="u1",
            display_name="Ana",
            language="en",
            now=NOW,
        )
        await uow.members.add(
            community_id=cid,
            platform="test",
            user_ref="u2",
            display_name="Bob",
            language=None,
            now=NOW,
        )
        ana.granted_role = Role.MODERATOR
        await uow.members.save(ana)
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.members.find(cid, "test", "u1")
        assert found is not None and found.granted_role is Role.MODERATOR
        assert [m.display_name for m in await uow.members.find_by_name(cid, "ana")] == ["Ana"]
        assert [m.display_name for m in await uow.members.find_by_name(cid, "u2")] == ["Bob"]
        assert [m.display_name for m in await uow.members.granted(cid)] == ["Ana"]
        bob = (await uow.members.find_by_name(cid, "bob"))[0]
        bob.left_at = NOW
        await uow.members.save(bob)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [m.display_name for m in await uow.members.active(cid)] == ["Ana"]


async def test_audit_is_newest_first_and_erasure_unnames_the_person(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        ana = await uow.members.add(
            community_id=cid,
            platform="test",
            user_ref="u1",
            display_name="Ana",
            language=None,
            now=NOW,
        )
        for n in range(3):
            await uow.audit.add(
                community_id=cid,
                at=NOW + timedelta(minutes=n),
                actor_id=ana.id,
                actor_name="Ana",
                key="audit_schedule_set",
                params={"kind": f"kind {n}", "at": NOW, "why": Phrase("place_group")},
            )
        await uow.audit.add(
            community_id=cid,
            at=NOW,
            actor_id=None,
            actor_name="Hearth",
            key="audit_moderator_granted",
            params={},
            subject="Ana",
            subject_id=ana.id,
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        latest = await uow.audit.latest(cid, 2)
        assert [e.key for e in latest] == ["audit_moderator_granted", "audit_schedule_set"]
        # parameters come back as they went in: words, moments and catalog texts
        assert latest[1].params == {"kind": "kind 2", "at": NOW, "why": Phrase("place_group")}
        assert len(await uow.audit.export_member(ana.id)) == 4
        assert await uow.audit.erase_member(ana.id) == 4
        await uow.commit()
    async with store.unit_of_work() as uow:
        entries = await uow.audit.latest(cid, 10)
        assert len(entries) == 4
        assert all(e.actor_name != "Ana" and e.subject != "Ana" for e in entries)


async def test_schedules_and_jobs_come_due_in_order(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        await uow.schedules.put(Schedule(cid, "reflection", 4, 17, 30, NOW + timedelta(hours=5)))
        late = await uow.jobs.add(community_id=cid, kind="b", due_at=NOW + timedelta(hours=2))
        early = await uow.jobs.add(
            community_id=cid, kind="a", due_at=NOW + timedelta(hours=1), payload={"x": [1, 2]}
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.jobs.earliest() == NOW + timedelta(hours=1)
        assert await uow.schedules.earliest() == NOW + timedelta(hours=5)
        due = await uow.jobs.due(NOW + timedelta(hours=3), 10)
        assert [j.id for j in due] == [early.id, late.id]
        assert due[0].payload == {"x": [1, 2]}
        assert await uow.schedules.due(NOW, 10) == []
        assert [s.kind for s in await uow.schedules.due(NOW + timedelta(hours=5), 10)] == [
            "reflection"
        ]
        assert await uow.jobs.remove(early.id)
        assert not await uow.jobs.remove(early.id)
        assert await uow.schedules.remove(cid, "reflection")
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [j.kind for j in await uow.jobs.pending(cid)] == ["b"]
        assert await uow.schedules.for_community(cid) == []


async def test_conversations_and_processed_events(store: Store) -> None:
    cid = await _community(store)
    async with store.unit_of_work() as uow:
        ana = await uow.members.add(
            community_id=cid,
            platform="test",
            user_ref="u1",
            display_name="Ana",
            language=None,
            now=NOW,
        )
        await uow.conversations.put(Conversation(ana.id, "onboarding", {"step": 1}))
        await uow.conversations.put(Conversation(ana.id, "onboarding", {"step": 2}))
        assert await uow.events.claim("test", "update-1", NOW)
        assert not await uow.events.claim("test", "update-1", NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.conversations.get(ana.id)
        assert found is not None and found.state == {"step": 2}
        assert await uow.conversations.erase_member(ana.id) == 1
        assert await uow.conversations.get(ana.id) is None
        assert not await uow.events.claim("test", "update-1", NOW)


LEASE = timedelta(minutes=5)


async def _outbox_with(store: Store, count: int) -> list[int]:
    """`count` private messages due now, one per person."""
    async with store.unit_of_work() as uow:
        ids = [
            await uow.outbox.add(
                Reply(f"Hello {n}", Target("test", "g1", user_ref=f"u{n}"), Visibility.PRIVATE),
                NOW,
            )
            for n in range(count)
        ]
        await uow.commit()
    return ids


async def _claim(store: Store, owner: str, at: datetime, batch: int = 10) -> list[int]:
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(at, batch=batch, lease=LEASE, owner=owner)
        await uow.commit()
    return [m.id for m in claimed]


async def test_two_pumps_never_claim_the_same_message(store: Store) -> None:
    ids = await _outbox_with(store, 7)
    first = await _claim(store, "pump-a", NOW, batch=4)
    second = await _claim(store, "pump-b", NOW, batch=4)
    assert first == ids[:4]  # oldest first
    assert second == ids[4:]  # only what nobody holds
    assert await _claim(store, "pump-a", NOW) == []
    async with store.unit_of_work() as uow:
        assert len(await uow.outbox.pending(NOW, 10)) == 7  # claimed, not gone
        assert await uow.outbox.earliest() == NOW + LEASE  # nothing claimable before then


async def test_a_dead_pump_s_claims_come_back_after_the_lease(store: Store) -> None:
    ids = await _outbox_with(store, 3)
    assert await _claim(store, "dead", NOW) == ids  # ... and then it died, sending nothing
    assert await _claim(store, "alive", NOW + LEASE - timedelta(seconds=1)) == []
    assert await _claim(store, "alive", NOW + LEASE) == ids


async def test_a_stopping_pump_lets_go_and_a_failed_message_waits_unclaimed(store: Store) -> None:
    ids = await _outbox_with(store, 3)
    await _claim(store, "pump-a", NOW)
    async with store.unit_of_work() as uow:
        await uow.outbox.remove(ids[0])  # sent
        await uow.outbox.postpone(ids[1], NOW + timedelta(seconds=30))  # failed, try later
        await uow.outbox.release("pump-b")  # holds nothing: changes nothing
        await uow.commit()
    assert await _claim(store, "pump-b", NOW) == []
    async with store.unit_of_work() as uow:
        await uow.outbox.release("pump-a")  # stopping with ids[2] unsent
        await uow.commit()
    assert await _claim(store, "pump-b", NOW) == [ids[2]]
    assert await _claim(store, "pump-c", NOW + timedelta(seconds=30)) == [ids[1]]
    async with store.unit_of_work() as uow:
        waiting = await uow.outbox.pending(NOW + timedelta(seconds=30), 10)
    assert {m.id: m.attempts for m in waiting} == {ids[1]: 1, ids[2]: 0}


async def test_the_outbox_depth_counts_what_waits_except_for_paused_places(store: Store) -> None:
    cid = await _community(store)
    ids = await _outbox_with(store, 3)  # all for the place g1
    async with store.unit_of_work() as uow:
        assert await uow.outbox.depth() == 3
        await uow.outbox.add(Reply("Later", Target("test", "g2"), Visibility.PUBLIC), NOW)
        await uow.outbox.postpone(ids[0], NOW + timedelta(hours=1))  # retried later: waits
        await uow.outbox.remove(ids[1])  # sent
        await uow.commit()
    await _claim(store, "pump-a", NOW)  # claimed, not yet sent: waits
    async with store.unit_of_work() as uow:
        assert await uow.outbox.depth() == 3
        community = await uow.communities.get(cid)
        community.paused_since = NOW  # Hearth was removed from g1: its messages are held
        await uow.communities.save(community)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.depth() == 1

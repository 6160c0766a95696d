"""One contract, two stores: the in-memory fake and SQLite on a temp file behave the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import CommunityLink, Conversation, Schedule
from bot.ports import Store
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
            await uow.audit.add(community_id=cid, at=NOW, actor_id=None, actor_name="x", action="y")
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
                action=f"did {n}",
            )
        await uow.audit.add(
            community_id=cid,
            at=NOW,
            actor_id=None,
            actor_name="Hearth",
            action="granted to",
            subject="Ana",
            subject_id=ana.id,
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [e.action for e in await uow.audit.latest(cid, 2)] == ["granted to", "did 2"]
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

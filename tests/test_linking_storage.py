"""One person across accounts and one community across places, in storage, on every SQL engine:
linked accounts are one member, a place that joins another brings its history along, and
/forgetme on a folded member leaves nothing of either account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from bot.domain import CommunityLink, Member, Renumbered, Schedule
from bot.ports import Store, UnitOfWork
from bot.roles import Role
from bot.services.proposals.lifecycle import Proposal, open_proposal
from bot.services.proposals.records import Actor, Kind, Rules, Stance, voice_of
from storage import migrate
from storage.references import references_to
from storage.sqlite import SqliteStore
from tests.peek import contents

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=4)
RULES = Rules()


def _actor(member: Member) -> Actor:
    return Actor(voice_of(member.id), member.id, member.display_name)


async def _place(uow: UnitOfWork, name: str, platform: str, settings: dict[str, str]) -> int:
    community = await uow.communities.add(name=name, timezone="UTC", language="en", now=NOW)
    community.settings = dict(settings)
    await uow.communities.save(community)
    await uow.communities.add_link(CommunityLink(community.id, platform, name, None, {}))
    return community.id


async def _join(
    uow: UnitOfWork, community_id: int, platform: str, user_ref: str, *, days: int = 0
) -> Member:
    return await uow.members.add(
        community_id=community_id,
        platform=platform,
        user_ref=user_ref,
        display_name=user_ref,
        now=NOW + timedelta(days=days),
    )


async def _person(uow: UnitOfWork, member: Member) -> int:
    assert member.person_id is not None
    return member.person_id


async def _proposal(uow: UnitOfWork, community_id: int, author: Member, title: str) -> Proposal:
    return await uow.proposals.add(
        open_proposal(community_id, _actor(author), title, f"{title}, in detail", NOW, RULES)
    )


async def _forget(store: Store, member_id: int) -> None:
    """What /forgetme does: every repository holding personal data erases, in its order."""
    async with store.unit_of_work() as uow:
        for repository in uow.personal_data():
            await repository.erase_member(member_id)
        await uow.commit()


async def test_a_place_joining_another_brings_its_history_numbered_after_home(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        garden = await _place(uow, "garden", "telegram", {"checkin_window": "garden's"})
        kitchen = await _place(uow, "kitchen", "discord", {"checkin_window": "kitchen's"})
        ana = await _join(uow, garden, "telegram", "ana-t", days=1)
        bo = await _join(uow, garden, "telegram", "bo")
        ana_there = await _join(uow, kitchen, "discord", "ana-d")
        cy = await _join(uow, kitchen, "discord", "cy")
        dee = await _join(uow, kitchen, "discord", "dee")
        # Ana proved both accounts hers before the places were linked.
        await uow.people.merge(await _person(uow, ana), await _person(uow, ana_there))

        for title in ("Beds", "Shed", "Benches"):
            await _proposal(uow, garden, bo, title)
        await uow.schedules.put(Schedule(garden, "checkin", 0, 9, 0, NOW + timedelta(days=7)))
        await uow.audit.add(
            community_id=garden, at=NOW, actor_id=bo.id, actor_name="bo", key="g", params={}
        )
        garden_round = await uow.reflections.add_round(
            community_id=garden, prompt_key="p1", prompt_text="?", theme=None, cycle=3, now=NOW
        )
        await uow.jobs.add(community_id=garden, kind="needs_retention", due_at=LATER)

        oven = await _proposal(uow, kitchen, cy, "Oven")
        oven.contribute(_actor(ana_there), Kind.BUILD, "and bread on Fridays", NOW, RULES)
        oven.contribute(_actor(dee), Kind.CONCERN, "who cleans it?", NOW, RULES)
        oven.incubation_due(LATER, RULES)
        oven.take_position(_actor(ana_there), Stance.CONSENT, "yes", LATER, RULES)
        await uow.proposals.save(oven)
        await _proposal(uow, kitchen, cy, "Fridge")
        await uow.schedules.put(Schedule(kitchen, "checkin", 4, 18, 0, NOW + timedelta(days=5)))
        await uow.schedules.put(Schedule(kitchen, "reflection", 2, 12, 0, NOW))
        await uow.audit.add(
            community_id=kitchen, at=NOW, actor_id=cy.id, actor_name="cy", key="k", params={}
        )
        for key, params in (
            ("audit_proposal_merged", {"number": 1, "into": 2}),
            ("audit_reflection_round_started", {"number": 1}),
        ):
            await uow.audit.add(
                community_id=kitchen, at=NOW, actor_id=cy.id, actor_name="cy", key=key,
                params=params,
            )  # fmt: skip
        await uow.reflections.add_round(
            community_id=kitchen, prompt_key="p9", prompt_text="?", theme=None, cycle=1, now=NOW
        )
        await uow.jobs.add(community_id=kitchen, kind="needs_retention", due_at=LATER)
        await uow.jobs.add(
            community_id=kitchen,
            kind="proposal_close",
            due_at=LATER,
            payload={"number": 2, "stage": 0},
        )
        await uow.commit()

    async with store.unit_of_work() as uow:
        renumbered = await uow.communities.merge(garden, kitchen)
        await uow.commit()

    assert [(r.kind, r.was, r.now) for r in renumbered] == [
        ("proposal", 1, 4),
        ("proposal", 2, 5),
        ("reflection_round", 1, 2),
    ]
    assert all(isinstance(r, Renumbered) for r in renumbered)
    async with store.unit_of_work() as uow:
        link = await uow.communities.find_link("discord", "kitchen")
        assert link is not None and link.community_id == garden
        assert {li.community_ref for li in await uow.communities.links(garden)} == {
            "garden",
            "kitchen",
        }
        home = await uow.communities.get(garden)
        assert (home.name, home.settings) == ("garden", {"checkin_window": "garden's"})
        schedules = {s.kind: (s.weekday, s.hour) for s in await uow.schedules.for_community(garden)}
        assert schedules == {"checkin": (0, 9), "reflection": (2, 12)}
        shared = {e.key: e.params for e in await uow.audit.every(garden)}
        assert shared == {
            "g": {},
            "k": {},  # the joining side's entries name its records by their new numbers
            "audit_proposal_merged": {"number": 4, "into": 5},
            "audit_reflection_round_started": {"number": 2},
        }

        titles = [(await uow.proposals.get(garden, n)) for n in range(1, 6)]
        assert [p.title if p else None for p in titles] == [
            "Beds",
            "Shed",
            "Benches",
            "Oven",
            "Fridge",
        ]
        moved = titles[3]
        assert moved is not None and moved.versions[0].details == "Oven, in detail"
        assert [c.text for c in moved.contributions] == ["and bread on Fridays", "who cleans it?"]
        # Ana's consent, given from her Discord account, is the voice of her one member row.
        assert [(p.voice, p.member_id, p.stance) for p in moved.positions] == [
            (voice_of(ana.id), ana.id, Stance.CONSENT)
        ]
        assert [c.voice for c in moved.contributions] == [voice_of(ana.id), voice_of(dee.id)]
        assert [(e.action, e.actor_id) for e in moved.events] == [
            (e.action, ana.id if e.actor_id == ana_there.id else e.actor_id) for e in oven.events
        ]

        rounds = await uow.reflections.rounds(garden)
        assert [(r.number, r.prompt_key, r.cycle) for r in rounds] == [
            (1, "p1", 3),
            (2, "p9", 3),  # home's deck goes on in its own cycle
        ]
        assert rounds[0].id == garden_round.id
        jobs = await uow.jobs.pending(garden)
        assert [j.kind for j in jobs].count("needs_retention") == 1
        assert [j.payload for j in jobs if j.kind == "proposal_close"] == [
            {"number": 5, "stage": 0}
        ]

        one = await uow.members.find(garden, "discord", "ana-d")
        assert one is not None and one.id == ana.id
        assert one.joined_at == NOW  # the earlier of her two joins
        active = await uow.members.active(garden)
        assert sorted(m.display_name for m in active) == ["ana-t", "bo", "cy", "dee"]

    everything = await contents(store)
    assert all(c["id"] != kitchen for c in everything["communities"])
    for column in references_to("communities"):
        assert all(row[column.name] != kitchen for row in everything[column.table.name]), column
    for column in references_to("members"):
        assert all(row[column.name] != ana_there.id for row in everything[column.table.name])
    voices = [row["voice"] for row in everything["proposal_positions"]]
    assert voice_of(ana_there.id) not in voices


async def test_linked_accounts_are_one_member_and_one_forgetme_erases_both(store: Store) -> None:
    async with store.unit_of_work() as uow:
        garden = await _place(uow, "garden", "telegram", {})
        kitchen = await _place(uow, "kitchen", "discord", {})
        ana = await _join(uow, garden, "telegram", "ana-t")
        ana_d = await _join(uow, garden, "discord", "ana-d", days=2)
        in_kitchen = await _join(uow, kitchen, "discord", "ana-d", days=4)
        bo = await _join(uow, garden, "telegram", "bo")
        ana_d.granted_role = Role.MODERATOR
        await uow.members.save(ana_d)
        beds = await _proposal(uow, garden, bo, "Beds")
        beds.support(_actor(ana), NOW)
        beds.support(_actor(ana_d), NOW)  # two accounts, two voices: until they are linked
        beds.contribute(_actor(ana_d), Kind.BUILD, "and a shed", NOW, RULES)
        await uow.proposals.save(beds)
        await uow.reach.wrote_privately(ana_d.id, NOW)
        await uow.commit()

    async with store.unit_of_work() as uow:
        # Cached under the account before the merge: the merge must not leave it stale.
        assert (await uow.members.find(garden, "discord", "ana-d")) == ana_d
        await uow.people.merge(await _person(uow, ana), await _person(uow, ana_d))
        await uow.commit()

    async with store.unit_of_work() as uow:
        by_telegram = await uow.members.find(garden, "telegram", "ana-t")
        by_discord = await uow.members.find(garden, "discord", "ana-d")
        assert by_telegram is not None and by_telegram == by_discord
        assert by_telegram.id == ana.id
        assert by_telegram.granted_role is Role.MODERATOR  # the higher of the two
        assert by_telegram.joined_at == NOW
        assert (by_telegram.platform, by_telegram.user_ref) == ("telegram", "ana-t")
        # The kitchen, where only her Discord account was, is hers by either account.
        places = await uow.members.memberships("telegram", "ana-t")
        assert [(m.community_id, m.id) for m in places] == [
            (garden, ana.id),
            (kitchen, in_kitchen.id),
        ]
        assert [m.id for m in await uow.members.active(garden)] == [ana.id, bo.id]
        kept = await uow.proposals.get(garden, 1)
        assert kept is not None
        assert [s.voice for s in kept.supports] == [voice_of(ana.id)]  # one person, one voice
        assert [(c.voice, c.member_id) for c in kept.contributions] == [(voice_of(ana.id), ana.id)]
        [listed] = await uow.proposals.tallies(garden)  # counted again: she supports it once
        assert (listed.support, listed.builds, listed.perspectives) == (1, 1, 1)
        assert await uow.reach.last_written([ana.id]) == ana.id
        exported = await uow.people.export_member(ana.id)
        assert exported == [
            {"platform": "discord", "account": "ana-d"},
            {"platform": "telegram", "account": "ana-t"},
        ]
        moderators = await uow.members.granted_on("telegram")
        assert [(m.id, m.user_ref) for m in moderators] == [(ana.id, "ana-t")]

    await _forget(store, ana.id)
    after_one = await contents(store)
    assert {a["user_ref"] for a in after_one["accounts"]} == {"ana-d", "ana-t", "bo"}  # kitchen
    await _forget(store, in_kitchen.id)
    everything = await contents(store)
    assert [a["user_ref"] for a in everything["accounts"]] == ["bo"]
    assert [m["user_ref"] for m in everything["members"]] == ["bo"]
    assert len(everything["people"]) == 1
    async with store.unit_of_work() as uow:
        assert await uow.members.find(garden, "discord", "ana-d") is None
        assert await uow.members.memberships("telegram", "ana-t") == []


async def test_reach_through_moves_where_a_member_is_reached(store: Store) -> None:
    async with store.unit_of_work() as uow:
        garden = await _place(uow, "garden", "telegram", {})
        ana = await _join(uow, garden, "telegram", "ana-t")
        other = await uow.people.find_or_create_for_account("discord", "ana-d", NOW)
        await uow.people.merge(await _person(uow, ana), other.id)
        await uow.commit()

    async with store.unit_of_work() as uow:
        found = await uow.members.find(garden, "telegram", "ana-t")  # cached from here on
        assert found is not None and not found.reach_chosen
        await uow.members.reach_through(found, "discord", "ana-d", chosen=False)
        assert (found.platform, found.user_ref, found.reach_chosen) == ("discord", "ana-d", False)
        await uow.commit()

    async with store.unit_of_work() as uow:
        for platform, ref in (("telegram", "ana-t"), ("discord", "ana-d")):
            seen = await uow.members.find(garden, platform, ref)
            assert seen is not None
            assert (seen.id, seen.platform, seen.user_ref) == (ana.id, "discord", "ana-d")
        pinned = await uow.members.get(ana.id)
        await uow.members.reach_through(pinned, "telegram", "ana-t", chosen=True)
        await uow.commit()

    async with store.unit_of_work() as uow:
        seen = await uow.members.find(garden, "discord", "ana-d")
        assert seen is not None
        assert (seen.platform, seen.user_ref, seen.reach_chosen) == ("telegram", "ana-t", True)


async def test_a_database_from_before_linking_keeps_its_members(tmp_path: Path) -> None:
    path = tmp_path / "hearth.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    stamp = "2026-03-02T09:00:00.000000Z"
    try:
        with engine.begin() as conn:
            migrate._run(conn, lambda config: command.upgrade(config, "0020_web_logins"))
            conn.execute(
                sa.text(
                    "INSERT INTO communities (id, name, timezone, language, created_at)"
                    " VALUES (1, 'garden', 'UTC', 'en', :at)"
                ),
                {"at": stamp},
            )
            for person, ref in ((1, "ana"), (2, "bo")):
                conn.execute(
                    sa.text("INSERT INTO people (id, created_at) VALUES (:id, :at)"),
                    {"id": person, "at": stamp},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO accounts (platform, user_ref, person_id)"
                        " VALUES ('telegram', :ref, :id)"
                    ),
                    {"ref": ref, "id": person},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO members (community_id, platform, user_ref, display_name,"
                        " joined_at, person_id, granted_role)"
                        " VALUES (1, 'telegram', :ref, :ref, :at, :id, :role)"
                    ),
                    {"ref": ref, "at": stamp, "id": person, "role": 2 if ref == "ana" else None},
                )
    finally:
        engine.dispose()

    store = await SqliteStore.open(path)
    try:
        async with store.unit_of_work() as uow:
            found = [await uow.members.find(1, "telegram", ref) for ref in ("ana", "bo")]
        assert [(m.display_name, m.reach_chosen) for m in found if m] == [
            ("ana", False),
            ("bo", False),
        ]
        assert found[0] is not None and found[0].granted_role is Role(2)
        assert migrate.current(store.conn) == migrate.head()
    finally:
        await store.close()


async def test_a_group_moving_to_a_new_id_keeps_one_member_per_person(store: Store) -> None:
    async with store.unit_of_work() as uow:
        old = await _place(uow, "old", "telegram", {})
        new = await _place(uow, "new", "telegram", {})
        ana = await _join(uow, old, "discord", "ana-d")
        ana_t = await _join(uow, new, "telegram", "ana-t")
        bo = await _join(uow, new, "telegram", "bo")
        await uow.people.merge(await _person(uow, ana), await _person(uow, ana_t))
        await uow.communities.absorb(old, new)
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert [(m.id, m.user_ref) for m in await uow.members.active(old)] == [
            (ana.id, "ana-d"),
            (bo.id, "bo"),
        ]

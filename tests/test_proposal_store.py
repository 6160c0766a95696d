"""The proposal repository keeps its contract on every SQL engine (the `store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.catalog import Phrase
from bot.domain import Member
from bot.ports import Store, UnitOfWork
from bot.services.proposals.lifecycle import Proposal, open_proposal
from bot.services.proposals.records import (
    Actor,
    Kind,
    Rules,
    Stance,
    State,
    from_reflection,
    voice_of,
)
from storage.proposals import COUNTS, proposals
from storage.sql import SqlSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = Rules()


async def community_with(uow: UnitOfWork, *names: str) -> tuple[int, list[Member]]:
    community = await uow.communities.add(name="c", timezone="UTC", language="en", now=NOW)
    members = [
        await uow.members.add(
            community_id=community.id,
            platform="test",
            user_ref=name,
            display_name=name,
            language=None,
            now=NOW,
        )
        for name in names
    ]
    return community.id, members


def actor(member: Member, moderator: bool = False) -> Actor:
    return Actor(voice_of(member.id), member.id, member.display_name, moderator)


def lived(community_id: int, ana: Member, bob: Member, cy: Member) -> Proposal:
    """A proposal with every kind of part: versions, builds, concerns, support, positions."""
    p = open_proposal(community_id, actor(ana), "Garden 🌱", "Beds · שלום", NOW, RULES)
    p.contribute(actor(bob), Kind.BUILD, "and a shed", NOW, RULES)
    p.contribute(actor(cy), Kind.CONCERN, "water?", NOW, RULES)
    p.support(actor(bob), NOW)
    return p


async def test_numbers_are_per_community_and_everything_round_trips(store: Store) -> None:
    async with store.unit_of_work() as uow:
        first, (ana, bob, cy) = await community_with(uow, "ana", "bob", "cy")
        second, (dan,) = await community_with(uow, "dan")
        p = await uow.proposals.add(lived(first, ana, bob, cy))
        q = await uow.proposals.add(lived(first, ana, bob, cy))
        other = await uow.proposals.add(
            open_proposal(second, actor(dan), "Elsewhere", "x", NOW, RULES)
        )
        assert (p.number, q.number, other.number) == (1, 2, 1)

        later = NOW + timedelta(days=3)
        p.incubation_due(later, RULES)
        p.take_position(actor(bob), Stance.CONSENT, "yes", later, RULES)
        p.take_position(actor(cy), Stance.OBJECT, "floods", later, RULES)
        p.revise(actor(ana), "Raised beds", later, RULES)
        await uow.proposals.save(p)
        await uow.commit()

    async with store.unit_of_work() as uow:
        loaded = await uow.proposals.get(first, 1)
        assert loaded == p
        assert loaded is not None and loaded.state is State.INCUBATING
        assert [v.details for v in loaded.versions] == ["Beds · שלום", "Raised beds"]
        assert [c.from_objection for c in loaded.contributions] == [False, False, True]
        assert await uow.proposals.get(first, 3) is None
        assert await uow.proposals.get(second, 2) is None


async def test_saving_again_adds_only_the_new_parts(store: Store) -> None:
    async with store.unit_of_work() as uow:
        cid, (ana, bob, cy) = await community_with(uow, "ana", "bob", "cy")
        p = await uow.proposals.add(lived(cid, ana, bob, cy))
        await uow.proposals.save(p)
        await uow.proposals.save(p)
        p.contribute(actor(bob), Kind.BUILD, "and benches", NOW, RULES)
        await uow.proposals.save(p)
        loaded = await uow.proposals.get(cid, 1)
        assert loaded is not None
        assert [c.text for c in loaded.contributions] == ["and a shed", "water?", "and benches"]
        assert len(loaded.events) == len(p.events)
        assert all(e.id is not None for e in loaded.events)


async def test_listing_filters_by_state_in_number_order(store: Store) -> None:
    async with store.unit_of_work() as uow:
        cid, (ana, bob, cy) = await community_with(uow, "ana", "bob", "cy")
        for _ in range(3):
            await uow.proposals.add(lived(cid, ana, bob, cy))
        second = await uow.proposals.get(cid, 2)
        assert second is not None
        second.withdraw(actor(ana), "", NOW)
        await uow.proposals.save(second)
        everything = await uow.proposals.in_community(cid)
        assert [p.number for p in everything] == [1, 2, 3]
        open_ones = await uow.proposals.in_community(cid, {State.INCUBATING, State.CONSENT})
        assert [p.number for p in open_ones] == [1, 3]
        assert [p.number for p in await uow.proposals.in_community(cid, {State.WITHDRAWN})] == [2]
        assert await uow.proposals.in_community(cid, set()) == []


async def test_an_uncommitted_unit_of_work_leaves_nothing(store: Store) -> None:
    async with store.unit_of_work() as uow:
        cid, (ana, bob, cy) = await community_with(uow, "ana", "bob", "cy")
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.proposals.add(lived(cid, ana, bob, cy))
    async with store.unit_of_work() as uow:
        assert await uow.proposals.in_community(cid) == []


async def test_export_and_erase_keep_the_words_but_not_the_person(store: Store) -> None:
    async with store.unit_of_work() as uow:
        cid, (ana, bob, cy) = await community_with(uow, "ana", "bob", "cy")
        p = await uow.proposals.add(lived(cid, ana, bob, cy))
        p.contribute(actor(ana), Kind.BUILD, "my own addition", NOW, RULES)
        await uow.proposals.save(p)

        exported = await uow.proposals.export_member(ana.id)
        proposed = Phrase("mydata_value_proposed")
        assert {"proposal": "#1", "what": proposed, "text": "Garden 🌱"} in exported
        assert {"proposal": "#1", "what": "build", "text": "my own addition"} in exported
        assert await uow.proposals.export_member(bob.id) == [
            {"proposal": "#1", "what": "build", "text": "and a shed"},
            {"proposal": "#1", "what": Phrase("mydata_value_support"), "text": ""},
        ]

        assert await uow.proposals.erase_member(ana.id) == 4  # authorship, a build, two events
        assert await uow.proposals.export_member(ana.id) == []
        kept = await uow.proposals.get(cid, 1)
        assert kept is not None
        assert (kept.author_id, kept.author_name) == (None, "")
        assert kept.title == "Garden 🌱" and kept.version.details == "Beds · שלום"
        own = kept.contributions[-1]
        assert (own.text, own.member_id, own.name) == ("my own addition", None, "")
        # Still one person, and still the author: their build is not someone else's voice.
        assert own.voice == kept.author != voice_of(ana.id)
        assert kept.perspectives == 2
        assert kept.events[0].actor_id is None and kept.events[0].actor_name == ""
        assert await uow.proposals.erase_member(ana.id) == 0


async def test_a_proposal_remembers_the_reflection_it_was_opened_from(store: Store) -> None:
    async with store.unit_of_work() as uow:
        first, (ana,) = await community_with(uow, "ana")
        second, (dan,) = await community_with(uow, "dan")
        origin = from_reflection(7)
        opened = await uow.proposals.add(
            open_proposal(first, actor(ana), "Bread", "Saturday mornings", NOW, RULES, origin)
        )
        await uow.proposals.add(open_proposal(first, actor(ana), "Other", "x", NOW, RULES))
        await uow.proposals.add(open_proposal(second, actor(dan), "Elsewhere", "x", NOW, RULES))
        await uow.commit()
    async with store.unit_of_work() as uow:
        [found] = await uow.proposals.opened_from(first, origin)
        assert found.number == opened.number and found.from_reflection == 7
        assert found.events == []  # a lookup, not a history read
        assert await uow.proposals.opened_from(second, origin) == []
        assert await uow.proposals.opened_from(first, from_reflection(8)) == []
        assert await uow.proposals.opened_from(first, "") == []
        whole = await uow.proposals.get(first, opened.number)
        assert whole is not None and whole.events[0].detail == origin


async def test_listing_tallies_match_the_whole_proposals_on_both_stores(store: Store) -> None:
    """The counts a listing shows come from storage directly; they must equal the full model's."""
    from bot.services.proposals.summaries import tally
    from tests.support import World

    world = World(store=store)
    world.make_admin("mo")
    for name in ("ana", "bob", "cy", "dee"):
        await world.say(name, "hello")
    await world.say("ana", "/propose Tool library | Share drills")
    await world.say("bob", "/propose Soup night | Fridays")
    await world.say("cy", "/build 1 and ladders")
    await world.say("dee", "/concern 1 where do we keep them?")
    await world.say("bob", "/support 1")
    await world.say("ana", "/build 2 bring bowls")
    await world.say("cy", "/build 2 and bread")
    await world.advance(timedelta(days=3, hours=1))  # both enter their consent rounds
    await world.say("bob", "/consent 1")
    await world.say("cy", "/object 1 storage is not solved")
    await world.say("cy", "/consent 1")  # a later position replaces the earlier one
    await world.say("dee", "/object 1 still unsure where")
    await world.say("ana", "/standaside 2")

    async with store.unit_of_work() as uow:
        link = await uow.communities.find_link("test", "hearth-test")
        assert link is not None
        wanted = [tally(p) for p in await uow.proposals.in_community(link.community_id)]
        assert await uow.proposals.tallies(link.community_id) == wanted
        in_consent = await uow.proposals.tallies(link.community_id, {State.CONSENT})
        assert in_consent == [t for t in wanted if t.state is State.CONSENT] != []
        assert await uow.proposals.tallies(link.community_id, set()) == []
    first = wanted[0]
    assert (first.builds, first.concerns, first.support, first.perspectives) == (1, 1, 1, 2)
    assert (first.consents, first.objections) == (2, 1)

    # Proposals last saved before their counts were kept on their rows are counted from their
    # parts, alongside those whose counts were kept.
    async with store.unit_of_work() as uow:
        session: SqlSession = uow._session  # type: ignore[attr-defined]
        await session.change(
            sa.update(proposals)
            .where(proposals.c.number == 1)
            .values({f"tally_{name}": None for name in COUNTS})
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.proposals.tallies(link.community_id) == wanted
        in_consent = await uow.proposals.tallies(link.community_id, {State.CONSENT})
        assert in_consent == [t for t in wanted if t.state is State.CONSENT]


async def test_a_resting_proposal_keeps_resting_across_a_restart_on_both_stores(
    store: Store,
) -> None:
    from bot.services.proposals.summaries import tally

    async with store.unit_of_work() as uow:
        cid, (ana,) = await community_with(uow, "ana")
        p = await uow.proposals.add(open_proposal(cid, actor(ana), "Garden", "Beds", NOW, RULES))
        due: datetime | None = p.incubation_until
        while due is not None:  # nobody comes: raised until it rests
            due = p.incubation_due(due, RULES)
        assert p.resting and p.nudges == 3 and p.timers(RULES) == []
        await uow.proposals.save(p)
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.proposals.get(cid, 1)
        assert loaded == p
        [listed] = await uow.proposals.tallies(cid)
        assert listed == tally(p) and listed.resting_since == NOW + timedelta(days=10)

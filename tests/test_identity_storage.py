"""A person apart from their memberships, on every SQL engine: one account is one person across
communities, and /forgetme's walk leaves no account or person behind that nobody is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import CommunityLink, Member
from bot.ports import Store

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


async def _community(store: Store, ref: str) -> int:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name=ref, timezone="UTC", language="en", now=NOW)
        await uow.communities.add_link(CommunityLink(community.id, "test", ref, None, {}))
        await uow.commit()
    return community.id


async def _join(store: Store, community_id: int, user_ref: str, *, later: int = 0) -> Member:
    async with store.unit_of_work() as uow:
        member = await uow.members.add(
            community_id=community_id,
            platform="test",
            user_ref=user_ref,
            display_name=user_ref,
            language=None,
            now=NOW + timedelta(days=later),
        )
        await uow.commit()
    return member


async def _forget(store: Store, member_id: int) -> None:
    """What /forgetme does: every repository holding personal data erases, in its order."""
    async with store.unit_of_work() as uow:
        for repository in uow.personal_data():
            await repository.erase_member(member_id)
        await uow.commit()


async def test_one_account_is_one_person_across_communities(store: Store) -> None:
    garden, kitchen = await _community(store, "garden"), await _community(store, "kitchen")
    in_garden = await _join(store, garden, "ana")
    in_kitchen = await _join(store, kitchen, "ana", later=3)
    other = await _join(store, kitchen, "bo")
    assert in_garden.person_id is not None
    assert in_garden.person_id == in_kitchen.person_id != other.person_id
    async with store.unit_of_work() as uow:
        person = await uow.people.person(in_garden.person_id)
        assert person is not None and person.created_at == NOW  # when the first membership was
        account = await uow.people.account("test", "ana")
        assert account is not None and account.person_id == person.id
        assert [a.user_ref for a in await uow.people.accounts_of(person.id)] == ["ana"]
        again = await uow.people.find_or_create_for_account("test", "ana", NOW + timedelta(days=9))
        assert again == person
        assert await uow.people.account("telegram", "ana") is None  # platforms never mix


async def test_a_new_membership_belongs_to_its_accounts_person(store: Store) -> None:
    garden = await _community(store, "garden")
    async with store.unit_of_work() as uow:
        person = await uow.people.find_or_create_for_account("test", "ana", NOW)
        await uow.commit()
    member = await _join(store, garden, "ana", later=1)
    assert member.person_id == person.id
    async with store.unit_of_work() as uow:
        found = await uow.members.find(garden, "test", "ana")
        assert found is not None and found.person_id == person.id
        assert (await uow.members.get(member.id)).person_id == person.id


async def test_mydata_lists_the_persons_accounts(store: Store) -> None:
    garden = await _community(store, "garden")
    member = await _join(store, garden, "ana")
    async with store.unit_of_work() as uow:
        assert uow.people.section == "mydata_section_accounts"
        assert await uow.people.export_member(member.id) == [{"platform": "test", "account": "ana"}]
        assert await uow.people.export_member(member.id + 100) == []


async def test_forgetting_a_member_leaves_no_orphan_account(store: Store) -> None:
    garden, kitchen = await _community(store, "garden"), await _community(store, "kitchen")
    in_garden = await _join(store, garden, "ana")
    in_kitchen = await _join(store, kitchen, "ana")
    bo = await _join(store, garden, "bo")
    person_id = in_garden.person_id
    assert person_id is not None

    await _forget(store, in_garden.id)
    async with store.unit_of_work() as uow:
        # the kitchen membership is untouched, and still made through this account
        assert await uow.members.find(garden, "test", "ana") is None
        kept = await uow.members.find(kitchen, "test", "ana")
        assert kept is not None and kept.person_id == person_id
        assert await uow.people.account("test", "ana") is not None
        assert await uow.people.person(person_id) is not None

    await _forget(store, in_kitchen.id)
    async with store.unit_of_work() as uow:
        assert await uow.people.account("test", "ana") is None
        assert await uow.people.person(person_id) is None
        assert await uow.people.accounts_of(person_id) == []
        assert await uow.people.account("test", "bo") is not None  # nobody else is touched
    async with store.unit_of_work() as uow:
        # coming back later is a new person, as a new account would be
        person = await uow.people.find_or_create_for_account("test", "ana", NOW)
        assert person.id != person_id and bo.person_id != person.id

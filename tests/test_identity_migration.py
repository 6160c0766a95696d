"""Upgrading in place: a database made by migrations up to 0016 gets one person per account."""

from __future__ import annotations

from pathlib import Path

from storage.sqlite import SqliteStore
from tests.legacy_db import legacy_database


async def test_existing_members_become_one_person_per_account_across_communities(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hearth.db"
    old = legacy_database(path, upto=16)
    for community_id, name in ((1, "garden"), (2, "kitchen")):
        old.execute(
            "INSERT INTO communities (id, name, timezone, language, created_at)"
            " VALUES (?, ?, 'UTC', 'en', '2026-01-01T00:00:00.000000Z')",
            (community_id, name),
        )
    joined = [
        (1, "telegram", "42", "Ana", "2026-01-02T00:00:00.000000Z"),
        (2, "telegram", "42", "Ana K", "2026-01-05T00:00:00.000000Z"),  # same account, 2nd group
        (1, "discord", "42", "Ana", "2026-01-03T00:00:00.000000Z"),  # same ref, other platform
        (2, "telegram", "7", "Bo", "2026-01-04T00:00:00.000000Z"),
    ]
    for community_id, platform, user_ref, name, at in joined:
        old.execute(
            "INSERT INTO members (community_id, platform, user_ref, display_name, joined_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (community_id, platform, user_ref, name, at),
        )
    old.close()

    store = await SqliteStore.open(path)
    try:
        async with store.unit_of_work() as uow:
            ana_here = await uow.members.find(1, "telegram", "42")
            ana_there = await uow.members.find(2, "telegram", "42")
            ana_discord = await uow.members.find(1, "discord", "42")
            bo = await uow.members.find(2, "telegram", "7")
            assert ana_here and ana_there and ana_discord and bo
            assert ana_here.person_id is not None
            assert ana_here.person_id == ana_there.person_id
            people = {ana_here.person_id, ana_discord.person_id, bo.person_id}
            assert len(people) == 3
            account = await uow.people.account("telegram", "42")
            assert account is not None and account.person_id == ana_here.person_id
            person = await uow.people.person(ana_here.person_id)
            assert person is not None and person.created_at.isoformat().startswith("2026-01-02")
            assert [(a.platform, a.user_ref) for a in await uow.people.accounts_of(person.id)] == [
                ("telegram", "42")
            ]
            # the account is found again, not made twice, when its person joins somewhere new
            again = await uow.people.find_or_create_for_account("telegram", "7", person.created_at)
            assert again.id == bo.person_id
    finally:
        await store.close()

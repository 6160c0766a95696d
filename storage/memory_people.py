"""In-memory side of the people port: persons and the accounts that reach them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.identity import Account, Person

if TYPE_CHECKING:
    from storage.memory import MemoryStore


@dataclass
class PeopleState:
    people: dict[int, Person] = field(default_factory=dict)
    accounts: dict[tuple[str, str], Account] = field(default_factory=dict)


class MemoryPeople:
    section = "mydata_section_accounts"

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def find_or_create_for_account(
        self, platform: str, user_ref: str, now: datetime
    ) -> Person:
        state = self._store.state
        found = state.identity.accounts.get((platform, user_ref))
        if found is not None:
            return state.identity.people[found.person_id]
        person = Person(state.new_id("people"), now)
        state.identity.people[person.id] = person
        state.identity.accounts[(platform, user_ref)] = Account(platform, user_ref, person.id)
        return person

    async def account(self, platform: str, user_ref: str) -> Account | None:
        return self._store.state.identity.accounts.get((platform, user_ref))

    async def accounts_of(self, person_id: int) -> list[Account]:
        found = self._store.state.identity.accounts.values()
        return sorted(
            (a for a in found if a.person_id == person_id), key=lambda a: (a.platform, a.user_ref)
        )

    async def person(self, person_id: int) -> Person | None:
        return self._store.state.identity.people.get(person_id)

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        member = self._store.state.members.get(member_id)
        if member is None or member.person_id is None:
            return []
        return [
            {"platform": a.platform, "account": a.user_ref}
            for a in await self.accounts_of(member.person_id)
        ]

    async def erase_member(self, member_id: int) -> int:
        state = self._store.state
        member = state.members.get(member_id)
        if member is None:
            return 0
        others = [m for m in state.members.values() if m.id != member_id]
        gone: set[tuple[str, str]] = set()
        if not any((m.platform, m.user_ref) == (member.platform, member.user_ref) for m in others):
            gone.add((member.platform, member.user_ref))
        if member.person_id is not None and not any(
            m.person_id == member.person_id for m in others
        ):
            gone |= {(a.platform, a.user_ref) for a in await self.accounts_of(member.person_id)}
            state.identity.people.pop(member.person_id, None)
        return sum(1 for key in gone if state.identity.accounts.pop(key, None) is not None)

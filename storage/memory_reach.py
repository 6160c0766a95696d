"""In-memory side of the reach port, rolled back with the rest of the memory state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.memory import MemoryStore


class MemoryReach:
    section = "mydata_section_private_chat"

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def export_member(self, member_id: int) -> list[dict[str, Any]]:
        written = self._store.state.private_chats.get(member_id)
        return [{"last_written": written}] if written else []

    async def erase_member(self, member_id: int) -> int:
        return 1 if self._store.state.private_chats.pop(member_id, None) else 0

    async def last_notice(self, community_id: int, platform: str, flow: str) -> datetime | None:
        return self._store.state.reach_notices.get((community_id, platform, flow))

    async def note_notice(self, community_id: int, platform: str, flow: str, at: datetime) -> None:
        self._store.state.reach_notices[(community_id, platform, flow)] = at

    async def wrote_privately(self, member_id: int, at: datetime) -> None:
        self._store.state.private_chats[member_id] = at

    async def last_written(self, member_ids: Sequence[int]) -> int | None:
        written = self._store.state.private_chats
        known = [(written[m], m) for m in member_ids if m in written]
        return max(known)[1] if known else None

"""In-memory side of the platform-state port, rolled back with the rest of the memory state."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.memory import MemoryStore


class MemoryPlatformState:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def get(self, platform: str, key: str) -> str | None:
        return self._store.state.platform_state.get((platform, key))

    async def put(self, platform: str, key: str, value: str) -> None:
        self._store.state.platform_state[(platform, key)] = value

"""Which channels a platform knows in a community, so a setting never names one that isn't there.

Each adapter that can tell registers a directory with Hearth for its platform; where a platform
cannot list its places (Telegram has no way to list a group's topics), nothing is registered and
any name is taken as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class ChannelDirectory(Protocol):
    async def known(self, community_ref: str) -> Sequence[str]:
        """The channels people can name there, as they would type them ('#ideas')."""
        ...

    async def has(self, community_ref: str, typed: str) -> bool:
        """Whether `typed` (a name, a mention or an id) names one of those channels."""
        ...

"""Which Discord shards this process runs (`HEARTH_DISCORD_SHARDS`, e.g. `0-1/4`).

A bot in many servers splits its gateway into shards; each Hearth process runs a range of them
out of a count common to every process. Kept here, free of discord.py, so the settings can
check it at start-up and say in one line what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FORMAT = re.compile(r"\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?/\s*(\d{1,6})\s*")
EXAMPLE = "write FIRST-LAST/COUNT or SHARD/COUNT, e.g. 0-1/4 or 2/4"


@dataclass(frozen=True)
class ShardRange:
    """Shards `first`..`last` (both included) of `count`."""

    first: int
    last: int
    count: int

    @property
    def ids(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def holds(self, shard_id: int) -> bool:
        return self.first <= shard_id <= self.last

    def holds_guild(self, guild_id: int) -> bool:
        """Whether a server's events come to this process (Discord's formula for the shard)."""
        return self.holds(shard_of(guild_id, self.count))

    @property
    def holds_direct_messages(self) -> bool:
        """Discord delivers direct messages (and interactions in them) on shard 0 only."""
        return self.holds(0)

    @property
    def is_every_shard(self) -> bool:
        return self.first == 0 and self.last == self.count - 1

    def __str__(self) -> str:
        ids = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{ids}/{self.count}"


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


def parse_shards(text: str) -> ShardRange:
    """`0-1/4`, `2/4`; ValueError with the reason otherwise."""
    found = _FORMAT.fullmatch(text)
    if found is None:
        raise ValueError(f"{text.strip()!r} is not a shard range; {EXAMPLE}")
    first = int(found[1])
    last = int(found[2]) if found[2] is not None else first
    count = int(found[3])
    if count < 1:
        raise ValueError(f"the shard count must be at least 1, not {count}; {EXAMPLE}")
    if last < first:
        raise ValueError(f"the range {first}-{last} is empty; write the lower shard first")
    if last >= count:
        raise ValueError(
            f"shard {last} is outside 0..{count - 1}: {count} shards are numbered from 0"
        )
    return ShardRange(first, last, count)

"""Which prompt comes next: every prompt of the community's deck once, then a fresh shuffle.

The rounds already posted are the rotation state, so nothing extra is stored and a restart,
a prompt added mid-cycle or a prompt removed mid-cycle cannot cause a repeat.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """One prompt of a community's deck: built in (id 'needs-01') or its own (key 'c4')."""

    key: str
    theme: str | None
    text: str
    author_id: int | None = None


def choose_next(
    deck: Sequence[Candidate],
    *,
    used: Collection[str],
    cycle: int,
    last_key: str | None,
    emphasis: Collection[str],
    seed: str,
) -> tuple[Candidate, int]:
    """The next prompt and the cycle it belongs to.

    `used` holds the keys already posted in `cycle`. When none is left, a new cycle begins with
    the whole deck, avoiding the prompt that was just posted. Emphasised themes are drawn first
    within a cycle, so emphasis changes the order but never causes a repeat. The draw is seeded
    per community and position, so a community's sequence is reproducible (and testable) while
    different communities do not move in lockstep.
    """
    if not deck:
        raise ValueError("an empty deck has no next prompt")
    remaining = [c for c in deck if c.key not in used]
    position = len(used)
    if not remaining:
        cycle, position = cycle + 1, 0
        remaining = [c for c in deck if c.key != last_key] or list(deck)
    preferred = [c for c in remaining if c.theme in emphasis] or remaining
    pool = sorted(preferred, key=lambda c: c.key)
    rng = random.Random(f"{seed}:{cycle}:{position}:{len(deck)}")
    return rng.choice(pool), cycle

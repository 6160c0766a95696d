"""Proposals offered while a person types a proposal number (Discord autocomplete).

Only proposals anyone may see are offered (a hidden one's title is withheld everywhere), and
only by their number and title: "#3 Tool library". Typing digits finds that number first;
typing words finds titles that contain them.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.commands import Suggestion
from bot.context import CommandContext
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import UNDECIDED, State


def _wanted(typed: str) -> str:
    return " ".join(typed.strip().lstrip("#").casefold().split())


def _matches(p: Proposal, wanted: str) -> bool:
    return not wanted or str(p.number).startswith(wanted) or wanted in p.title.casefold()


async def _suggest(
    ctx: CommandContext, typed: str, states: Collection[State] | None
) -> list[Suggestion]:
    wanted = _wanted(typed)
    found = [
        p
        for p in await ctx.uow.proposals.in_community(ctx.community.id, states)
        if not p.hidden and _matches(p, wanted)
    ]
    # The number typed exactly comes first, then open ones, newest first.
    found.sort(key=lambda p: (str(p.number) != wanted, p.state not in UNDECIDED, -p.number))
    return [Suggestion(f"#{p.number} {p.title}", str(p.number)) for p in found]


async def open_proposals(ctx: CommandContext, typed: str) -> list[Suggestion]:
    """Proposals still to be decided: incubating, in a consent round, or parked."""
    return await _suggest(ctx, typed, UNDECIDED)


async def any_proposal(ctx: CommandContext, typed: str) -> list[Suggestion]:
    """Every visible proposal, open ones first (for looking one up, decided or not)."""
    return await _suggest(ctx, typed, None)

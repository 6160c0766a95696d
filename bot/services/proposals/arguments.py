"""What every proposal command shares: the member acting, the proposal a number names, and the
number parameter (suggesting open proposals, or any when looking one up).
"""

from __future__ import annotations

from dataclasses import replace

from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.errors import Refusal
from bot.roles import Role
from bot.services.linking.history import proposal_made_together
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import Actor, voice_of
from bot.services.proposals.suggestions import any_proposal, open_proposals


def actor_of(ctx: CommandContext) -> Actor:
    return Actor(
        voice_of(ctx.member.id),
        ctx.member.id,
        ctx.member.display_name,
        moderator=ctx.role >= Role.MODERATOR,
    )


async def load(ctx: CommunityContext, number: int | None, *, history: bool = False) -> Proposal:
    """This community's proposal #number, to act on (with its `history` only when asked: acting
    never reads it, and a long-discussed proposal's history is most of what it holds). One
    made together with the community this place split off from carries on there alone: taking
    part is refused with a pointer."""
    found = (
        None
        if number is None
        else await ctx.uow.proposals.get(ctx.community.id, number, history=history)
    )
    if found is None:
        shared = None if number is None else await proposal_made_together(ctx, number)
        if shared is not None:
            raise Refusal("proposal_made_together", number=number, community=shared[0].name)
        raise Refusal("proposal_not_found", number=number if number is not None else "?")
    return found


def number_of(args: Args, name: str = "number") -> int:
    number = args.integer(name)
    if number is None:  # pragma: no cover - the parameter is declared required
        raise Refusal("proposal_not_found", number="?")
    return number


NUMBER = Param(
    "number",
    ParamType.INTEGER,
    required=True,
    suggest=open_proposals,
)
ANY_NUMBER = replace(NUMBER, suggest=any_proposal)  # looking one up: decided ones too

"""What a place made together with others stays readable after it left them (/unlink): the
community it split off from keeps every record, and the new one reads its proposals up to the
split and its audit log until then, never a copy."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import CommunityContext
from bot.domain import AuditEntry
from bot.domain_reflections import Reflection, ReflectionRound
from bot.services.proposals.lifecycle import Proposal


@dataclass(frozen=True)
class Together:
    """The community this one split off from, as it is now, and when they split."""

    context: CommunityContext
    highest_proposal: int  # numbers up to this one were made together
    highest_round: int  # and reflection rounds up to this one

    @property
    def name(self) -> str:
        return self.context.community.name


async def together(ctx: CommunityContext) -> Together | None:
    """The community this one split off from, when there is one and it still exists."""
    community = ctx.community
    if community.history_of is None or community.history_of == community.id:
        return None  # (the old community merged into this one later: its history is here)
    try:
        context = await ctx.beside(community.history_of)
    except LookupError:
        return None
    return Together(context, community.history_proposals, community.history_rounds)


async def proposal_made_together(
    ctx: CommunityContext, number: int
) -> tuple[Together, Proposal] | None:
    """Proposal #number as made together before the split (when this community has no #number
    of its own)."""
    earlier = await together(ctx)
    if earlier is None or not 1 <= number <= earlier.highest_proposal:
        return None
    found = await ctx.uow.proposals.get(earlier.context.community.id, number)
    return None if found is None else (earlier, found)


async def audit_made_together(
    ctx: CommunityContext, limit: int
) -> tuple[Together, list[AuditEntry]] | None:
    """The latest `limit` entries of the community this one split off from, up to the split."""
    earlier = await together(ctx)
    through = ctx.community.history_audit
    if earlier is None or not through or limit < 1:
        return None
    entries = await ctx.uow.audit.latest(earlier.context.community.id, limit, through=through)
    return earlier, entries


async def round_made_together(
    ctx: CommunityContext, number: int
) -> tuple[Together, ReflectionRound] | None:
    """Reflection round #number as held together before the split (when this community has
    no round #number of its own)."""
    earlier = await together(ctx)
    if earlier is None or not 1 <= number <= earlier.highest_round:
        return None
    found = await ctx.uow.reflections.round_by_number(earlier.context.community.id, number)
    return None if found is None else (earlier, found)


async def answer_made_together(
    ctx: CommunityContext, answer_id: int
) -> tuple[Together, Reflection, ReflectionRound] | None:
    """A shared answer from a round held together before the split; never a private one."""
    earlier = await together(ctx)
    if earlier is None:
        return None
    found = await ctx.uow.reflections.get_answer(earlier.context.community.id, answer_id)
    if found is None or not found.shared:
        return None
    round_ = await ctx.uow.reflections.get_round(found.round_id)
    if round_ is None or round_.number > earlier.highest_round:
        return None
    return earlier, found, round_

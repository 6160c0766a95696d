"""What is read off proposals without their whole lifecycle: the listing's `Tally` and one
person's /mydata record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from bot.catalog import Phrase
from bot.services.proposals.lifecycle import Proposal
from bot.services.proposals.records import Kind, Stance, State


def member_record(proposals: Iterable[Proposal], member_id: int) -> list[dict[str, Any]]:
    """What these proposals hold about one person, for /mydata (same on every store), in
    catalog words (`mydata_value_…`) so it reads in the person's language."""
    rows: list[dict[str, Any]] = []
    for proposal in sorted(proposals, key=lambda p: (p.community_id, p.number)):
        label = f"#{proposal.number}"
        if proposal.author_id == member_id:
            rows.append(
                {"proposal": label, "what": Phrase("mydata_value_proposed"), "text": proposal.title}
            )
            rows.extend(
                {
                    "proposal": label,
                    "what": Phrase("mydata_value_version", number=v.number),
                    "text": v.details,
                }
                for v in proposal.versions
            )
        rows.extend(
            {"proposal": label, "what": c.kind.value, "text": c.text}
            for c in proposal.contributions
            if c.member_id == member_id and c.merged_from is None
        )
        rows.extend(
            {"proposal": label, "what": Phrase("mydata_value_support"), "text": ""}
            for s in proposal.supports
            if s.member_id == member_id
        )
        rows.extend(
            {
                "proposal": label,
                "what": Phrase("mydata_value_position", round=p.round, stance=p.stance.value),
                "text": p.reason,
            }
            for p in proposal.positions
            if p.member_id == member_id
        )
    return rows


class Tally(NamedTuple):
    """What a listing shows of a proposal: its header and counts, without its parts. A named
    tuple, not a frozen dataclass: a listing makes forty at a time, and a frozen dataclass
    of sixteen fields took five times as long to make.

    `tally()` is its one rule: storage feeds it proposals read with only the parts it counts
    (who built, raised a concern, supported, or took which position this round), so listing
    many proposals does not read every text and history.
    """

    number: int
    title: str
    created_at: datetime
    state: State
    incubation_until: datetime
    consent_until: datetime | None
    parked_until: datetime | None
    merged_into: int | None
    hidden: bool
    resting_since: datetime | None
    builds: int
    concerns: int
    support: int
    perspectives: int
    consents: int
    objections: int


def tally(p: Proposal) -> Tally:
    return Tally(
        number=p.number,
        title=p.title,
        created_at=p.created_at,
        state=p.state,
        incubation_until=p.incubation_until,
        consent_until=p.consent_until,
        parked_until=p.parked_until,
        merged_into=p.merged_into,
        hidden=p.hidden,
        resting_since=p.resting_since,
        builds=p.count(Kind.BUILD),
        concerns=p.count(Kind.CONCERN),
        support=len(p.supports),
        perspectives=p.perspectives,
        consents=p.stance_count(Stance.CONSENT),
        objections=len(p.standing_objections()),
    )

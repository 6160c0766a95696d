"""What may be shown about needs: small-group suppression that also survives combinations.

Every figure is a `Cell`: an exact count (only from the threshold T up), "fewer than T"
(anything from 0 to T-1, zero included), or "T or more". Three rules make sure that no count
between 1 and T-1 can be worked out, from one report or by putting several together:

1. Figures are per round; nothing is ever summed across rounds, so reports over different
   spans of weeks only ever repeat the same per-round figures (differencing finds nothing).
2. A round's view is computed once from its frozen counts and the threshold in force when it
   closed (the public summary showed exactly that). Later reports may only coarsen it (a
   higher threshold hides more), and a coarsening is a function of the view, so it can add
   nothing to what was already published; a lower threshold reveals nothing more.
3. Within a round, "checked in" minus "strained" minus "unmet" is the hidden count of people
   who were okay or skipped a need. When that could be derived and is small, one more figure
   is coarsened (complementary suppression), in a way that another plausible set of answers
   would have produced the same view, so even someone who knows these rules learns no small
   count. Request figures are disjoint (waiting / helper found) and never totalled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from bot.domain_needs import AidRequest, CheckinRound, RequestState

MIN_THRESHOLD = 2


class Kind(Enum):
    EXACT = "exact"
    FEWER = "fewer"  # fewer than `value` (0 .. value-1)
    AT_LEAST = "at_least"  # `value` or more
    HIDDEN = "hidden"  # not shown under the threshold `value` (a bound below it was published)


@dataclass(frozen=True)
class Cell:
    kind: Kind
    value: int

    @classmethod
    def exact(cls, count: int) -> Cell:
        return cls(Kind.EXACT, count)

    @property
    def is_exact(self) -> bool:
        return self.kind is Kind.EXACT


def primary(count: int, threshold: int) -> Cell:
    """A count as it may be shown: exact only from the threshold up, zero included below it.

    Showing 0 exactly would make "fewer than 2" mean exactly one.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"a privacy threshold is at least {MIN_THRESHOLD}")
    if count < 0:
        raise ValueError("a count is never negative")
    return Cell(Kind.FEWER, threshold) if count < threshold else Cell.exact(count)


@dataclass(frozen=True)
class NeedView:
    key: str
    strained: Cell
    unmet: Cell


@dataclass(frozen=True)
class RoundView:
    threshold: int
    respondents: Cell
    unreachable: Cell
    needs: tuple[NeedView, ...]  # empty when too few checked in

    @property
    def too_few(self) -> bool:
        return not self.respondents.is_exact


def view_round(
    respondents: int,
    unreachable: int,
    tallies: Iterable[tuple[str, int, int]],
    threshold: int,
    *,
    unreachable_known: bool = False,
) -> RoundView:
    """The view of a closed round: (need, strained, unmet) counts under a threshold.

    `unreachable_known`: the channel was told that someone could not be reached, so "at least
    one" is public; "fewer than 2" would then pin it to exactly one, so it is shown coarser.
    """
    people = primary(respondents, threshold)
    unreachable_threshold = max(threshold, 3) if unreachable_known else threshold
    needs: list[NeedView] = []
    if people.is_exact:
        for key, strained, unmet in tallies:
            if strained + unmet > respondents:
                raise ValueError("more answers than respondents")
            needs.append(_need_view(key, respondents, strained, unmet, threshold))
    return RoundView(threshold, people, primary(unreachable, unreachable_threshold), tuple(needs))


def _need_view(key: str, respondents: int, strained: int, unmet: int, threshold: int) -> NeedView:
    s, u = primary(strained, threshold), primary(unmet, threshold)
    rest = respondents - strained - unmet  # okay, skipped or not reached: never shown
    if s.is_exact and u.is_exact and rest < threshold:
        # Both shown exactly would give rest away: coarsen one. Also when rest is 0, so that
        # such a view always has a neighbour with a different rest (rules 3 above).
        u = Cell(Kind.AT_LEAST, threshold)
    return NeedView(key, s, u)


def mask(view: RoundView, threshold: int) -> RoundView:
    """Coarsen a published view for a higher threshold; a lower one changes nothing."""
    if threshold <= view.threshold:
        return view

    def cell(found: Cell) -> Cell:
        if found.kind is Kind.FEWER:
            return Cell(Kind.FEWER, max(threshold, found.value))
        if found.is_exact and found.value < threshold:
            return Cell(Kind.FEWER, threshold)
        if found.kind is Kind.AT_LEAST and found.value < threshold:
            return Cell(Kind.HIDDEN, threshold)  # "2 or more" must not show under 3
        return found

    people = cell(view.respondents)
    needs = tuple(
        NeedView(n.key, cell(n.strained), cell(n.unmet)) for n in view.needs if people.is_exact
    )
    return replace(
        view,
        threshold=threshold,
        respondents=people,
        unreachable=cell(view.unreachable),
        needs=needs,
    )


def published(checkin_round: CheckinRound) -> RoundView:
    """The view fixed when the round closed: what its public summary showed."""
    if checkin_round.is_open:
        raise ValueError("an open round has no figures: nobody may watch a count move")
    return view_round(
        checkin_round.respondents,
        checkin_round.unreachable,
        [
            (need.key, tally.strained, tally.unmet)
            for need in checkin_round.needs
            if (tally := checkin_round.tallies.get(need.key)) is not None
        ],
        max(MIN_THRESHOLD, checkin_round.threshold),
        unreachable_known=checkin_round.unreachable_told,
    )


def report_view(checkin_round: CheckinRound, current_threshold: int) -> RoundView:
    return mask(published(checkin_round), current_threshold)


@dataclass(frozen=True)
class RequestView:
    category: str
    waiting: Cell  # nobody (left) to ask
    helped: Cell  # a helper is being asked, has said yes, or was introduced


def view_requests(
    requests: Sequence[AidRequest], threshold: int, categories: Sequence[str]
) -> list[RequestView]:
    """Open requests per category, as two disjoint figures that are never totalled.

    Every category is listed, busy or not, so that being listed says nothing either.
    """
    counts: dict[str, list[int]] = {category: [0, 0] for category in categories}
    for request in requests:
        pair = counts.setdefault(request.category, [0, 0])
        pair[0 if request.state is RequestState.UNMATCHED else 1] += 1
    return [
        RequestView(category, primary(waiting, threshold), primary(helped, threshold))
        for category, (waiting, helped) in counts.items()
    ]

"""What may be shown about needs: no figure, alone or with others, tells how one person answered.

A need's figures split the people who answered into three groups: strained, unmet, and the
never-shown rest (okay, skipped). A count is as revealing when it is small as when it leaves
few people outside it: "3 unmet" of 3 tells everyone each answer, and "4 unmet" of 5 tells the
one who was okay. So, under the threshold T:

1. A count is exact only when at least T people are in it and more than T outside it, and
   two exact figures must leave at least T in the rest they fix. Otherwise it is "fewer than
   T" (zero included) or, when close to everyone, "N or more" with N = total - T: that band
   also holds a count with T outside it, so the T-1 or fewer outside a larger count cannot
   tell it from one that includes someone like them. The second figure beside an exact one
   is "N or more" when the rest would be under T. Each view thus holds sets of answers that
   differ for any one person, even to up to T-1 respondents pooling their own answers
   (tests/test_needs_privacy_properties.py enumerates every set of answers behind a view).
2. A need's figures are shown only when at least 2T answered; below that no split is safe, so
   only the number who checked in is shown (and nothing at all under T).
3. Figures are per round; nothing is ever summed across rounds, so reports over different
   spans of weeks only ever repeat the same per-round figures (differencing finds nothing).
4. A round's view is computed once from its frozen counts and the threshold in force when it
   closed (the public summary showed exactly that). Later reports may only coarsen it (a
   higher threshold hides more), and a coarsening is a function of the view, so it can add
   nothing to what was already published; a lower threshold reveals nothing more.

Open requests follow the same rules, counted among the members who could have made them:
waiting and helper-found are the two shown figures, members without a request the rest. They
change at any moment, so they are never shown live: a moderator with their own request open
who read "fewer than 2", then "2 waiting", then "fewer than 2" again would know that exactly
one other person asked, and when. They are counted once a day (snapshot.py) and only the
latest count is shown, under the threshold in force when it was taken (a higher one since
hides it until the next count). Residual risk: two consecutive daily counts can still be
compared; an exact figure that moves by one says that, over that day, one more (or fewer)
request was open, though not whose, and a request opened and closed within one day is never
counted at all. Someone who also knows who asked during that day (having seen them in person,
say) could put the two together; daily granularity and the suppression above are what keep
that from pointing at anyone by the figures alone. The same holds for the day two places are
linked (bot/services/linking): the first count after it covers both sides, so its difference
from the day before says roughly how many requests the joining side had open (give or take
that day's changes), which may be a count its own figures kept under the threshold: a number
of open requests on that side, never whose. Known and accepted, like the daily comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from bot.services.needs.records import AidRequest, CheckinRound, RequestCount, RequestState

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


def splits_safely(total: int, threshold: int) -> bool:
    """Whether a group of `total` can be split into figures at all (rule 2)."""
    return total >= 2 * threshold


def _exact_allowed(count: int, total: int, threshold: int) -> bool:
    return threshold <= count < total - threshold


def _band(count: int, total: int, threshold: int) -> Cell:
    """A count that may not be exact: small, or close to everyone."""
    if count < threshold:
        return Cell(Kind.FEWER, threshold)
    return Cell(Kind.AT_LEAST, total - threshold)


def _beside(count: int, room: int, threshold: int) -> Cell:
    """The second figure, once the first is exact: `room` people are left for it and the rest.

    If the rest would be under T, the figure is a bound wide enough for the rest to vary.
    """
    if count < threshold:
        return Cell(Kind.FEWER, threshold)
    if room - count < threshold:
        return Cell(Kind.AT_LEAST, max(threshold, room - threshold + 1))
    return Cell.exact(count)


def split(total: int, first: int, second: int, threshold: int) -> tuple[Cell, Cell]:
    """Two disjoint counts of `total` people (the rest never shown), as they may be shown."""
    if first < 0 or second < 0 or first + second > total:
        raise ValueError("counts must be disjoint parts of the total")
    if not splits_safely(total, threshold):
        raise ValueError("too few to split safely")
    if _exact_allowed(first, total, threshold):
        return Cell.exact(first), _beside(second, total - first, threshold)
    if _exact_allowed(second, total, threshold):
        return _beside(first, total - second, threshold), Cell.exact(second)
    return _band(first, total, threshold), _band(second, total, threshold)


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
    needs: tuple[NeedView, ...]  # empty unless needs_shown
    needs_shown: bool  # False: too few checked in to split them by answer (rule 2)

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
    shown = splits_safely(respondents, threshold)
    needs: list[NeedView] = []
    for key, strained, unmet in tallies:
        if strained < 0 or unmet < 0 or strained + unmet > respondents:
            raise ValueError("more answers than respondents")
        if shown:
            needs.append(NeedView(key, *split(respondents, strained, unmet, threshold)))
    return RoundView(
        threshold,
        people,
        primary(unreachable, unreachable_threshold),
        tuple(needs),
        needs_shown=shown,
    )


def _interval(cell: Cell, total: int) -> tuple[int, int] | None:
    if cell.kind is Kind.FEWER:
        return 0, cell.value - 1
    if cell.kind is Kind.AT_LEAST:
        return cell.value, total
    if cell.kind is Kind.EXACT:
        return cell.value, cell.value
    return None


def _coarser(found: tuple[int, int] | None, total: int, threshold: int) -> Cell | None:
    """What a published range may read under a higher threshold; None: nothing safe to say."""
    if found is None:
        return None
    low, high = found
    if high < threshold:
        return Cell(Kind.FEWER, threshold)
    if low < threshold:
        return None  # "2 or more" must not show under 3
    if low == high and low < total - threshold:
        return Cell.exact(low)
    return Cell(Kind.AT_LEAST, min(low, total - threshold))


def _mask_need(need: NeedView, total: int, threshold: int) -> NeedView:
    strained, unmet = need.strained, need.unmet
    if strained.is_exact and unmet.is_exact:  # the published view pinned both
        return NeedView(need.key, *split(total, strained.value, unmet.value, threshold))
    first, second = _interval(strained, total), _interval(unmet, total)
    if first and second and strained.is_exact:
        second = (second[0], min(second[1], total - strained.value))
    if first and second and unmet.is_exact:
        first = (first[0], min(first[1], total - unmet.value))
    cells = (_coarser(first, total, threshold), _coarser(second, total, threshold))
    if cells[0] is None or cells[1] is None:
        hidden = Cell(Kind.HIDDEN, threshold)
        return NeedView(need.key, hidden, hidden)
    return NeedView(need.key, cells[0], cells[1])


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
            return Cell(Kind.HIDDEN, threshold)
        return found

    people = cell(view.respondents)
    shown = people.is_exact and view.needs_shown and splits_safely(people.value, threshold)
    needs = tuple(_mask_need(n, people.value, threshold) for n in view.needs if shown)
    return replace(
        view,
        threshold=threshold,
        respondents=people,
        unreachable=cell(view.unreachable),
        needs=needs,
        needs_shown=shown,
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


def count_requests(requests: Iterable[AidRequest], categories: Iterable[str]) -> list[RequestCount]:
    """Waiting and helper-found requests per category; every category is listed, busy or not,
    so that being listed says nothing either."""
    counts: dict[str, list[int]] = {category: [0, 0] for category in categories}
    for request in requests:
        pair = counts.setdefault(request.category, [0, 0])
        pair[0 if request.state is RequestState.UNMATCHED else 1] += 1
    return [RequestCount(category, *pair) for category, pair in counts.items()]


def view_requests(
    counts: Iterable[RequestCount], threshold: int, members: int
) -> list[RequestView] | None:
    """Open requests per category, as two disjoint figures among `members` who could ask.

    A member has at most one open request per category, so the members without one are the
    never-shown rest. None: too few members to show any figure without pointing at someone.
    """
    if not splits_safely(members, threshold):
        return None
    return [
        RequestView(count.category, *split(members, count.waiting, count.helped, threshold))
        for count in counts
    ]

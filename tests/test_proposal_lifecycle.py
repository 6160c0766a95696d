"""The lifecycle on its own: pure rules, no storage or clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import Refusal
from bot.services.proposals.lifecycle import Proposal, open_proposal
from bot.services.proposals.records import Actor, Kind, Rules, Stance, State, stays

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = Rules()
ANA, BOB, CY = (Actor(f"m{i}", i, name) for i, name in enumerate(("ana", "bob", "cy"), 1))
MO = Actor("m9", 9, "mo", moderator=True)


def fresh() -> Proposal:
    return open_proposal(1, ANA, " Garden ", " Beds ", NOW, RULES)


def test_titles_and_details_are_trimmed_and_limited() -> None:
    p = fresh()
    assert (p.title, p.version.details) == ("Garden", "Beds")
    with pytest.raises(Refusal) as refused:
        open_proposal(1, ANA, "t" * 121, "d", NOW, RULES)
    assert refused.value.key == "proposal_title_too_long"
    assert refused.value.params == {"limit": 120, "length": 121}


@pytest.mark.parametrize("kind", list(Kind))
def test_a_build_or_concern_must_say_something(kind: Kind) -> None:
    with pytest.raises(Refusal) as refused:
        fresh().contribute(BOB, kind, "  \n ", NOW, RULES)
    assert refused.value.key == f"proposal_{kind.value}_empty"


def test_the_authors_own_words_are_not_a_perspective_from_others() -> None:
    p = fresh()
    p.contribute(ANA, Kind.BUILD, "and more", NOW, RULES)
    p.contribute(BOB, Kind.BUILD, "one", NOW, RULES)
    p.contribute(BOB, Kind.CONCERN, "two", NOW, RULES)
    assert p.perspectives == 1
    assert p.incubation_due(NOW + RULES.incubation, RULES) is not None  # waits for a voice
    assert p.state is State.INCUBATING


def test_an_objection_needs_a_reason_and_only_in_the_round() -> None:
    p = fresh()
    with pytest.raises(Refusal) as early:
        p.take_position(BOB, Stance.OBJECT, "no", NOW, RULES)
    assert early.value.key == "proposal_position_too_early"
    assert early.value.params["until"] == NOW + RULES.incubation
    p.contribute(BOB, Kind.BUILD, "one", NOW, RULES)
    p.contribute(CY, Kind.BUILD, "two", NOW, RULES)
    p.incubation_due(NOW + RULES.incubation, RULES)
    with pytest.raises(Refusal) as bare:
        p.take_position(BOB, Stance.OBJECT, " ", NOW, RULES)
    assert bare.value.key == "proposal_objection_needs_reason"


def test_a_hidden_proposal_is_frozen() -> None:
    p = fresh()
    with pytest.raises(Refusal) as refused:
        p.hide(BOB, "abuse", NOW)
    assert refused.value.key == "proposal_moderators_only"
    p.hide(MO, "abuse", NOW)
    assert p.timers(RULES) == []
    assert p.incubation_due(NOW + timedelta(days=9), RULES) is None
    with pytest.raises(Refusal):
        p.contribute(CY, Kind.BUILD, "more", NOW, RULES)


def test_merging_carries_builds_and_support_without_counting_the_target_author() -> None:
    target, duplicate = fresh(), open_proposal(1, BOB, "Plots", "x", NOW, RULES)
    target.number, duplicate.number = 1, 2
    duplicate.contribute(ANA, Kind.BUILD, "from ana", NOW, RULES)
    duplicate.contribute(CY, Kind.CONCERN, "from cy", NOW, RULES)
    duplicate.support(ANA, NOW)
    duplicate.support(CY, NOW)
    duplicate.merge_into(target, MO, NOW, RULES)
    assert duplicate.state is State.MERGED and duplicate.merged_into == 1
    assert [c.text for c in target.contributions] == ["from ana", "from cy"]
    assert target.perspective_voices() == {"m3"}
    assert [s.voice for s in target.supports] == ["m3"]


def test_stays_measure_each_finished_stage() -> None:
    p = fresh()
    p.contribute(BOB, Kind.BUILD, "one", NOW, RULES)
    p.contribute(CY, Kind.BUILD, "two", NOW, RULES)
    p.incubation_due(NOW + timedelta(days=4), RULES)
    p.take_position(BOB, Stance.CONSENT, "", NOW + timedelta(days=4), RULES)
    p.close_round(NOW + timedelta(days=7), RULES)
    assert p.state is State.ADOPTED
    assert stays(p.events) == [
        (State.INCUBATING, timedelta(days=4)),
        (State.CONSENT, timedelta(days=3)),
    ]

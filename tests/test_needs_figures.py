"""Needs figures tell nobody how anyone answered: not a small count, and not a count so close
to everyone who answered that the few outside it learn the others' answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tests.needs_helpers import after_the_daily_count, answer, community
from tests.support import World, public, text

TOO_FEW = "checked in: too few to share anything more without risking someone's privacy"
EIGHT = ("bob", "carla", "dan", "eve", "finn", "gus", "hal")  # with ana, eight members


async def close_round(world: World, answers: dict[str, str]) -> str:
    """Open a round, let each named member answer (one letter per need), and close it."""
    await world.say("ana", "/checkin now")
    for name, letters in answers.items():
        await answer(world, name, letters)
    return text(public(await world.advance(timedelta(days=3))))


def food_line(shown: str) -> str:
    return next(line for line in shown.splitlines() if line.startswith("• food"))


def rounds_in_report(report: str) -> Sequence[str]:
    return report.split("Open requests")[0].split("Round opened ")[1:]


async def test_a_unanimous_round_reveals_nobody_s_answer(world: World) -> None:
    # A community of four; the three who check in all find food unmet.
    await community(world, "bob", "carla", "dan")
    summary = await close_round(world, {n: "uooooo" for n in ("bob", "carla", "dan")})
    assert f"3 {TOO_FEW}" in summary
    assert "unmet" not in summary and "food" not in summary  # ana learns nobody's answer
    report = text(await world.say("ana", "/report needs"))
    assert f"3 {TOO_FEW}" in report and "unmet" not in report.split("Open requests")[0]


async def test_a_unanimous_pair_under_threshold_two_reveals_nothing(world: World) -> None:
    await community(world, "bob", "carla")
    await world.say("ana", "/setup privacy_threshold 2")
    summary = await close_round(world, {"bob": "uooooo", "carla": "uooooo"})
    assert f"2 {TOO_FEW}" in summary and "unmet" not in summary


async def test_a_unanimous_large_round_reads_as_most_not_all(world: World) -> None:
    await community(world, *EIGHT)
    summary = await close_round(world, {n: "uooooo" for n in ("ana", *EIGHT)})
    assert "8 checked in." in summary
    assert food_line(summary) == "• food: fewer than 3 strained, 5 or more unmet"
    assert "8 unmet" not in summary


async def test_an_answer_shared_by_all_but_one_is_not_revealed(world: World) -> None:
    await community(world, *EIGHT)
    everyone = await close_round(world, {n: "uooooo" for n in ("ana", *EIGHT)})
    # A week later hal alone is okay with food: hal must not learn that all seven others
    # were unmet, so the round reads exactly as the unanimous one did.
    await world.advance(timedelta(days=4))
    all_but_hal = {n: "uooooo" for n in ("ana", *EIGHT)} | {"hal": "oooooo"}
    but_one = await close_round(world, all_but_hal)
    assert (
        food_line(but_one)
        == food_line(everyone)
        == ("• food: fewer than 3 strained, 5 or more unmet")
    )
    assert "7 unmet" not in but_one
    report = text(await world.say("ana", "/report needs"))
    rounds = rounds_in_report(report)
    assert len(rounds) == 2 and all(food_line(r) == food_line(everyone) for r in rounds)


async def test_an_answer_shared_by_all_but_one_under_threshold_two(world: World) -> None:
    await community(world, "bob", "carla", "dan", "eve")
    await world.say("ana", "/setup privacy_threshold 2")
    answers = {n: "uooooo" for n in ("ana", "bob", "carla", "dan")} | {"eve": "oooooo"}
    summary = await close_round(world, answers)
    assert "5 checked in." in summary
    assert food_line(summary) == "• food: fewer than 2 strained, 3 or more unmet"


async def test_counts_with_enough_people_on_every_side_are_shown_exactly(world: World) -> None:
    names = ("ana", *EIGHT, "ida", "jo")
    await community(world, *names[1:])
    answers = dict(zip(names, ["soooo"] * 4 + ["uoooo"] * 3 + ["ooooo"] * 3, strict=True))
    summary = await close_round(world, {n: a + "o" for n, a in answers.items()})
    assert "10 checked in." in summary
    assert food_line(summary) == "• food: 4 strained, 3 unmet"
    # jo's okay goes missing: two okay would be a small count beside two exact figures.
    await world.advance(timedelta(days=4))
    fewer = {n: a + "o" for n, a in answers.items() if n != "jo"}
    summary = await close_round(world, fewer)
    assert food_line(summary) == "• food: 4 strained, 3 or more unmet"


async def test_open_requests_in_a_small_community_point_at_nobody(world: World) -> None:
    await community(world, "bob", "carla", "dan")
    for name in ("bob", "carla", "dan"):
        await world.say(name, "/need food")
    await after_the_daily_count(world)
    report = text(await world.say("ana", "/report needs"))
    requests = report.split("Open requests")[1].split("00:00")[1]
    assert "Too few members to show open requests" in requests
    assert "waiting" not in requests and "3" not in requests.split("Small numbers")[0]


async def test_open_requests_from_nearly_everyone_read_as_most(world: World) -> None:
    await community(world, *EIGHT)
    for name in EIGHT:  # everyone but ana asks a hand with food; nobody offers
        await world.say(name, "/need food")
    await after_the_daily_count(world)
    report = text(await world.say("ana", "/report needs"))
    assert "food: 5 or more waiting for a helper, fewer than 3 with a helper" in report
    assert "7 waiting" not in report

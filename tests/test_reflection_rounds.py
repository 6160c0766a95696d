"""Reflection rounds: on schedule or on a moderator's word, in rotation, closed by a digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.reflections import load_deck
from bot.services.reflections.rotation import Candidate, choose_next
from tests.reflection_support import (
    TimedOutbox,
    digests,
    prompts_posted,
    reflect_now,
    start_rounds,
)
from tests.support import World, public, text, to

BERLIN = ZoneInfo("Europe/Berlin")
DECK_SIZE = len(load_deck())


async def test_a_weekly_round_keeps_its_local_time_across_the_change_to_summer_time() -> None:
    world = World()
    outbox = TimedOutbox(world.clock)
    world.hearth.outbox = outbox
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Berlin")
    await world.say("ana", "/schedule reflection fri 17:30")

    # Berlin moves to summer time on Sunday 29 March 2026.
    await world.advance(datetime(2026, 4, 11, tzinfo=UTC) - world.clock.now())

    posted_at = [when for when, reply in outbox.sent if prompts_posted([reply])]
    local = [when.astimezone(BERLIN) for when in posted_at]
    assert [t.strftime("%a %d %b %H:%M") for t in local] == [
        "Fri 06 Mar 17:30",
        "Fri 13 Mar 17:30",
        "Fri 20 Mar 17:30",
        "Fri 27 Mar 17:30",
        "Fri 03 Apr 17:30",
        "Fri 10 Apr 17:30",
    ]
    # The same local time is a different UTC hour once the clocks have moved.
    assert posted_at[3].hour == 16 and posted_at[4].hour == 15


async def test_a_scheduled_round_does_not_fire_a_minute_early(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Berlin")
    await world.say("ana", "/schedule reflection fri 17:30")
    before = await world.advance(datetime(2026, 4, 3, 15, 29, tzinfo=UTC) - world.clock.now())
    assert len(prompts_posted(before)) == 4  # 6, 13, 20 and 27 March
    on_time = await world.advance(timedelta(minutes=1))
    assert len(prompts_posted(on_time)) == 1


async def test_no_prompt_repeats_until_the_whole_deck_is_used_then_it_reshuffles(
    world: World,
) -> None:
    posted = prompts_posted(await start_rounds(world, DECK_SIZE + 3))
    first_cycle, next_cycle = posted[:DECK_SIZE], posted[DECK_SIZE:]
    assert len(set(first_cycle)) == DECK_SIZE
    assert set(first_cycle) == {p.text("en") for p in load_deck()}
    assert next_cycle[0] != first_cycle[-1]  # a new cycle never opens with the last prompt
    assert len(set(next_cycle)) == 3


async def test_the_prompt_is_posted_in_the_reflections_channel(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup channel reflections #reflect")
    replies = await world.say("ana", "/reflect_now")
    [post] = public(replies)
    assert post.target.channel_ref == "#reflect"
    assert "Reflection round #1 is posted" in text(to(replies, "ana"))


async def test_moderators_emphasise_themes_and_those_prompts_come_first(world: World) -> None:
    world.make_admin("ana")
    changed = text(await world.say("ana", "/setup reflection themes gratitude, scale"))
    assert "themes first: gratitude, scale" in changed
    deck = load_deck()
    emphasised = {p.text("en") for p in deck if p.theme in ("gratitude", "scale")}
    posted = prompts_posted(await start_rounds(world, len(emphasised) + 1))
    assert set(posted[: len(emphasised)]) == emphasised
    assert posted[-1] not in emphasised


async def test_an_unknown_theme_or_setting_is_refused_and_nothing_changes(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("ana", "/setup reflection themes kindness"))
    assert '"kindness" isn\'t a reflection theme' in refused
    assert "needs, contribution" in refused
    assert "Say what to change" in text(await world.say("ana", "/setup reflection colour red"))
    assert "none (all themes evenly)" in text(await world.say("ana", "/setup reflection"))


async def test_members_cannot_start_a_round(world: World) -> None:
    replies = await world.say("bo", "/reflect_now")
    assert "is for moderators" in text(replies)
    assert public(replies) == []


async def test_the_digest_closes_the_round_when_the_next_prompt_is_posted(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    await world.say("bo", "/reflect shared I finally fixed the shared bike.")
    replies = await world.say("ana", "/reflect_now")
    [digest] = digests(replies)
    assert "Reflection round #1 is closing" in digest
    assert "One person reflected on this." in digest
    assert "I finally fixed the shared bike." in digest
    # The digest comes before the new prompt.
    assert "closing" in text(public(replies)[:1]) and prompts_posted(public(replies)[1:])
    assert "digest of round #1 went out" in text(to(replies, "ana"))


async def test_a_digest_window_closes_the_round_on_its_own(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup reflection digest 2d")
    await world.say("ana", "/reflect_now")
    await world.say("bo", "/reflect shared Slept well for once.")
    assert digests(await world.advance(timedelta(days=1, hours=23))) == []
    [digest] = digests(await world.advance(timedelta(hours=1)))
    assert "Slept well for once." in digest
    # Posting the next prompt does not close the same round twice.
    assert digests(await world.say("ana", "/reflect_now")) == []


async def test_a_round_nobody_answered_closes_kindly_and_nags_nobody(world: World) -> None:
    world.make_admin("ana")
    await world.say("bo", "/help")  # bo is a member who stays quiet
    await world.say("ana", "/reflect_now")
    replies = await reflect_now(world)
    [digest] = digests(replies)
    assert "Nobody wrote an answer this time, and that's all right" in digest
    assert to(replies, "bo") == [] and to(world.outbox.sent, "bo") == []


async def test_a_round_with_only_private_answers_says_how_many_and_nothing_else(
    world: World,
) -> None:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    await world.say("bo", "/reflect private My back hurts and I am worried about rent.")
    await world.say("cy", "/reflect private Too many meetings.")
    [digest] = digests(await world.say("ana", "/reflect_now"))
    assert "2 people reflected on this." in digest
    assert "kept their thoughts to themselves" in digest
    assert "rent" not in digest and "meetings" not in digest


async def test_reflect_now_asks_before_closing_a_fresh_round(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    asked = await world.say("ana", "/reflect_now")
    assert public(asked) == []  # nothing closed, nothing posted yet
    assert "Nobody has answered round #1 yet" in text(asked)
    no, yes = (c.key for c in asked[0].choices[::-1])
    assert [c.label for c in asked[0].choices] == ["Yes, post the next one", "No, keep it open"]

    await world.say("bo", "hello")  # a member, but not the moderator who asked
    assert "meant for someone else" in text(await world.press("bo", yes, where="#general"))
    kept = await world.press("ana", no, where="#general")
    assert "Round #1 stays open. Nothing was changed." in text(kept)
    assert public(kept) == []
    assert "Reflection round #1" in text(await world.say("bo", "/reflect"))

    closed = await world.press("ana", yes, where="#general")
    assert "Reflection round #1 is closing" in text(public(closed))
    assert len(prompts_posted(closed)) == 1
    # The question belonged to round 1; once it has closed, the old button changes nothing.
    stale = await world.press("ana", yes, where="#general")
    assert "already moved on" in text(stale) and public(stale) == []


async def test_a_round_with_answers_closes_without_asking(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/reflect_now")
    await world.say("bo", "/reflect private Quiet week.")
    replies = await world.say("ana", "/reflect_now")
    assert [r for r in replies if r.choices] == []
    assert len(digests(replies)) == 1 and len(prompts_posted(replies)) == 1


def test_rotation_is_reproducible_per_community_and_differs_between_them() -> None:
    deck = [Candidate(f"t-{n}", "needs", f"prompt {n}") for n in range(12)]

    def sequence(seed: str) -> list[str]:
        used: set[str] = set()
        cycle, keys = 1, []
        for _ in range(12):
            chosen, cycle = choose_next(
                deck, used=used, cycle=cycle, last_key=None, emphasis=(), seed=seed
            )
            used.add(chosen.key)
            keys.append(chosen.key)
        return keys

    assert sequence("1") == sequence("1")
    assert sequence("1") != sequence("2")
    assert sorted(sequence("1")) == sorted(c.key for c in deck)

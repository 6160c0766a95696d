"""Words people read: options named in words, counts in plural forms, one date format, durations
in words, refusals that quote what was typed and say the limit, and nothing changed by a stale
button."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.dates import format_timedelta
from hypothesis import given
from hypothesis import strategies as st

from adapters.console.runner import run_console
from bot.catalog import Catalog, locale_for
from bot.hearth import Defaults
from bot.wording import roughly
from tests.needs_helpers import community
from tests.support import World, text, to

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Catalog.load()
INTERNAL_NAMES = ("title_and_details", "the into", "the what", "integer", "required)")


async def _console(script: str, db: Path) -> str:
    out = io.StringIO()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await run_console(db, Defaults(), start=start, stdin=io.StringIO(script), stdout=out)
    return out.getvalue()


# -- options named in words -------------------------------------------------------------------


async def test_a_refusal_names_the_parameter_in_words(world: World) -> None:
    world.make_admin("mo")
    missing = text(await world.say("mo", "/propose"))
    assert "I need the title and details for this one" in missing
    merge = text(await world.say("mo", "/merge 1"))
    assert "I need the number of the proposal it joins" in merge
    assert "Usage: /merge <proposal number> <number of the proposal it joins>" in merge
    paused = text(await world.say("mo", "/pause later"))
    assert '"later" isn\'t one of the options for what to pause' in paused
    for said in (missing, merge, paused):
        assert not any(name in said for name in INTERNAL_NAMES)


async def test_help_explains_options_in_words_without_types(world: World) -> None:
    shown = text(await world.say("ana", "/help audit"))
    assert "• number of entries — How many entries (1-50)" in shown
    build = text(await world.say("ana", "/help build"))
    assert "• proposal number (needed) — The proposal's number, e.g. 3" in build
    assert "integer" not in shown + build and "required" not in shown + build


def test_every_option_of_every_command_has_words_in_the_catalog(world: World) -> None:
    for command in world.hearth.registry.all():
        for param in command.params:
            assert CATALOG.has(CATALOG.label_key(command.name, param.name)), (command, param)


# -- /mydata ----------------------------------------------------------------------------------


async def test_mydata_describes_pending_messages_and_shows_human_dates(world: World) -> None:
    await world.join("bea")  # follow-ups are scheduled for her
    mine = text(await world.say("bea", "/mydata"))
    assert "a follow-up asking how your first days are going; due: Thu 5 Mar, 09:00" in mine
    assert "joined: Mon 2 Mar, 09:00" in mine
    assert "welcome_followup" not in mine
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", mine)


# -- counts -----------------------------------------------------------------------------------


def test_no_text_hedges_a_count_with_s_in_brackets() -> None:
    for language in CATALOG.languages:
        for key in CATALOG.keys(language):
            for count in (1, 2):
                assert "(s)" not in CATALOG.template(key, language, count), key


def test_one_consent_is_not_1_consent_s() -> None:
    one = CATALOG.text("proposal_announce_adopted", "en", number=1, title="Garden", count=1)
    assert "with 1 consent and no standing objection" in one
    two = CATALOG.text("proposal_announce_adopted", "en", number=1, title="Garden", count=2)
    assert "with 2 consents and" in two


async def test_one_newcomer_at_a_time_is_not_at_most_1_newcomers(world: World) -> None:
    said = text(await world.say("bea", "/buddy on 1"))
    assert "1 at a time" in said and "at most 1" not in said
    status = text(await world.say("bea", "/buddy status"))
    assert "for 1 newcomer at a time" in status and "1 newcomers" not in status


async def test_one_audit_entry_is_not_the_latest_1_entries(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Berlin")
    shown = text(await world.say("ana", "/audit"))
    assert "The latest entry of the audit log" in shown and "1 entries" not in shown


# -- sentences, durations, dates --------------------------------------------------------------


async def test_a_reason_ending_in_a_full_stop_is_not_followed_by_another(world: World) -> None:
    world.make_admin("mo")
    await world.say("ana", "/propose Spam | buy now")
    hidden = text(await world.say("mo", "/hide 1 It was an advert."))
    assert "It was an advert. The audit log" in hidden and "advert.." not in hidden
    plain = CATALOG.text("prompt_removed_reason", "en", reason="off topic")
    assert plain == " Their reason: off topic."
    only_stop = CATALOG.text("prompt_removed_reason", "en", reason=".")
    assert only_stop == " Their reason: ."


async def test_members_read_the_check_in_window_in_words(world: World) -> None:
    await community(world, "bob")
    opened = text(await world.say("ana", "/checkin now"))
    assert "Over the next 3 days (until Thu 5 Mar, 09:00)" in text(world.outbox.sent) + opened
    assert "3d" not in text(world.outbox.sent) + opened


async def test_dates_read_the_same_everywhere(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Berlin")
    scheduled = text(await world.say("ana", "/schedule reflection fri 17:30"))
    await world.say("ana", "/propose Garden | beds")
    shown = text(await world.say("ana", "/proposal 1"))
    audit = text(await world.say("ana", "/audit"))
    mine = text(await world.say("ana", "/mydata"))
    pattern = r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d\b"
    assert "next on Fri 6 Mar, 17:30" in scheduled
    assert "Mon 2 Mar, 10:00" in shown and "Mon 2 Mar, 10:00" in audit  # Berlin time
    assert "joined: Mon 2 Mar, 10:00" in mine
    for said in (scheduled, shown, audit, mine):
        assert re.search(pattern, said)
        assert not re.search(r"\d{4}-\d\d-\d\d", said)
    next_year = CATALOG.text("date_format_other_year")
    assert "yyyy" in next_year  # a date in another year says which


# -- refusals that quote and explain ----------------------------------------------------------


async def test_a_weekday_refusal_quotes_what_was_typed(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("ana", "/schedule reflection funday 17:30"))
    assert '"funday" isn\'t a weekday' in refused and '"fun"' not in refused
    assert "next on Wed 4 Mar, 18:00" in text(
        await world.say("ana", "/schedule checkin wednesday 18:00")
    )


async def test_a_readable_but_too_long_span_says_the_limit(world: World) -> None:
    world.make_admin("ana")
    for line, limit in (
        ("/pause checkins 999999d", "up to a year"),
        ("/report needs 999999d", "at most a year"),
        ("/report welcome 9999w", "at most a year"),
        ("/setup checkin_window 999999d", "from 2h to 7d"),
    ):
        said = text(await world.say("ana", line))
        assert limit in said, line
        assert "couldn't read" not in said, line


async def test_a_bare_number_means_days_in_every_report(world: World) -> None:
    await community(world, "bob")
    needs = text(await world.say("ana", "/report needs 30"))
    welcome = text(await world.say("ana", "/report welcome 30"))
    assert "since Sat 31 Jan" in needs  # 30 days before Mon 2 Mar, not 30 weeks
    assert "Sat 31 Jan" in welcome
    assert "since Mon 9 Feb" in text(await world.say("ana", "/report needs 3w"))


async def test_audit_0_is_refused_with_the_allowed_range(world: World) -> None:
    refused = text(await world.say("ana", "/audit 0"))
    assert "between 1 and 50 entries" in refused


async def test_a_timezone_abbreviation_is_refused_with_a_place_to_use(world: World) -> None:
    world.make_admin("ana")
    refused = text(await world.say("ana", "/setup timezone EST"))
    assert "abbreviation" in refused and "America/New_York" in refused
    assert "timezone: UTC" in text(await world.say("ana", "/setup timezone"))
    assert "America/New_York" in text(await world.say("ana", "/setup timezone America/New_York"))


async def test_a_channel_that_does_not_exist_is_refused_with_the_known_ones(
    tmp_path: Path,
) -> None:
    script = (
        ":admin ana\n:as ana\n/setup channel proposals #nowhere\n/setup channel\n"
        "/setup channel proposals #ideas\n:in #garden\n/setup channel reflections #garden\n"
    )
    shown = await _console(script, tmp_path / "c.db")
    assert 'There\'s no channel "#nowhere" here' in shown
    assert "#general, #announcements, #ideas, #reflections, #welcome" in shown
    assert "proposals: #nowhere" not in shown
    assert "proposals: #ideas" in shown
    assert 'no channel "#garden"' not in shown  # a channel the console has opened is known


# -- rounds and answers -----------------------------------------------------------------------


async def test_rounds_and_answers_have_their_own_words(world: World) -> None:
    world.make_admin("ana")
    posted = text(await world.say("ana", "/reflect_now"))
    assert "Reflection round #1" in posted + text(world.outbox.sent)
    saved = text(await world.say("bo", "/reflect shared We fixed the bike."))
    assert "Answer 1 is shared" in saved and "Reflection 1" not in saved
    assert "We fixed the bike." in text(await world.say("cy", "/reflection answer 1"))
    assert "We fixed the bike." in text(await world.say("cy", "/reflection 1"))  # still works
    opened = text(to(await world.say("bo", "/propose from answer 1"), "bo"))
    assert "Your answer 1 is now proposal #1" in opened


# -- check-in answers and a stale button ------------------------------------------------------


async def test_ok_and_okay_are_both_answers_to_a_check_in(world: World) -> None:
    await community(world, "bob")
    await world.privately("bob", "/checkin")
    for typed in ("ok", "OK.", "Okay", "okay!", "fine"):
        said = text(await world.privately("bob", typed))
        assert "I didn't catch that" not in said, typed
    assert "didn't catch" in text(await world.privately("bob", "okayish"))


async def test_a_stale_erase_press_changes_nothing_and_says_so(world: World) -> None:
    await world.say("ana", "/offer food soup")
    await world.say("ana", "/forgetme")
    key = "forget:yes:1"
    assert "Here is what I erased" in text(await world.press("ana", key))
    stale = text(await world.press("ana", key))
    assert "I hold nothing about you there and changed nothing" in stale
    assert "Here is what I erased" not in stale
    async with world.store.unit_of_work() as uow:
        assert await uow.members.export_member(1) == []


# -- the README ---------------------------------------------------------------------------------


async def test_the_readme_console_excerpt_is_what_the_console_prints(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("An excerpt of what it prints:\n\n```text\n")[1].split("```")[0]
    shown = await _console((ROOT / "examples" / "foundation.txt").read_text(), tmp_path / "d.db")
    for block in excerpt.strip().split("\n\n"):
        assert block in shown, block


def test_durations_use_babel_units() -> None:
    from bot.wording import duration

    assert duration(timedelta(days=3)) == "3 days"
    assert duration(timedelta(days=1, hours=12)) == "1 day and 12 hours"
    assert duration(timedelta(minutes=1)) == "1 minute"


@given(
    seconds=st.floats(min_value=0, max_value=3 * 365 * 86400, allow_nan=False),
    language=st.sampled_from(["en", "es", "de"]),
)
def test_an_age_reads_as_babel_words_it_whatever_was_worded_before(
    seconds: float, language: str
) -> None:
    """`roughly` words each unit and count once; every length must still read as Babel words
    it, including lengths just either side of a unit or of a rounding step."""
    length = timedelta(seconds=seconds)
    expected = format_timedelta(
        max(length, timedelta(minutes=1)), threshold=1, locale=locale_for(language)
    )
    for nearby in (length, length - timedelta(seconds=1), length + timedelta(seconds=1)):
        roughly(nearby, language)  # worded first, so `length` may be read from what they left
    assert roughly(length, language) == expected

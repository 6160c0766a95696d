"""Proposals are never rejected prematurely: stories of the whole lifecycle, on the fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.replies import Reply, Visibility
from storage.sqlite import SqliteStore
from tests.peek import every_table
from tests.support import World, public, text, to

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
IDEA = "/propose Community garden | Shared vegetable beds on the empty lot behind the library."


async def open_with_perspectives(world: World) -> None:
    """ana proposes; bob builds and cy raises a concern: two perspectives from others."""
    await world.say("ana", IDEA)
    await world.say("bob", "/build 1 and a tool shed we all share")
    await world.say("cy", "/concern 1 who waters the beds in August?")


def in_channel(replies: list[Reply], channel: str) -> list[Reply]:
    return [r for r in public(replies) if r.target.channel_ref == channel]


async def test_a_proposal_incubates_collects_builds_enters_consent_and_is_adopted(
    world: World,
) -> None:
    world.make_admin("mo")
    await world.say("mo", "/setup channel proposals #ideas")
    opened = await world.say("ana", IDEA)
    assert "open as #1" in text(to(opened, "ana"))
    posted = text(in_channel(opened, "#ideas"))
    assert "New proposal #1: Community garden by ana" in posted
    assert "Shared vegetable beds" in posted

    built = await world.say("bob", "/build 1 and a tool shed we all share")
    assert "bob builds on it: and a tool shed we all share" in text(in_channel(built, "#ideas"))
    await world.say("cy", "/concern 1 who waters the beds in August?")
    await world.say("dan", "/support 1")
    # Enough perspectives, but not enough time: still incubating.
    assert "incubating" in text(await world.say("dan", "/proposal 1"))

    started = await world.advance(3 * DAY)
    assert "The consent round on #1 Community garden is open" in text(in_channel(started, "#ideas"))
    assert "in its consent round" in text(await world.say("dan", "/proposals"))

    assert "consent to #1 is recorded" in text(await world.say("bob", "/consent 1"))
    await world.say("cy", "/standaside 1 I'm away all summer")
    closed = await world.advance(3 * DAY)
    assert "#1 Community garden is adopted, with 1 consent and" in text(closed)

    shown = text(await world.say("dan", "/proposal 1"))
    assert "adopted since" in shown
    assert "build from bob: and a tool shed we all share" in shown
    assert "concern from cy: who waters the beds in August?" in shown
    assert "bob consents" in shown and "cy stands aside: I'm away all summer" in shown
    assert "Hearth opened its consent round" in shown
    audit = text(await world.say("dan", "/audit"))
    assert "ana opened proposal #1" in audit
    assert "Hearth opened the consent round on proposal #1" in audit
    assert "Hearth adopted proposal #1" in audit


async def test_a_moderators_premature_park_is_refused_with_when_it_becomes_possible(
    world: World,
) -> None:
    world.make_admin("mo")
    await world.say("ana", IDEA)
    refused = text(await world.say("mo", "/park 1 not the right time"))
    assert "nobody, moderators included, can park it" in refused
    assert "after Thu 5 Mar, 09:00" in refused
    assert "once 2 people besides its author" in refused and "(0 so far)" in refused
    adopt = text(await world.say("mo", "/adopt 1 we agreed in person"))
    assert "can adopt it before it has been heard" in adopt

    # Time alone is not enough: it still needs the perspectives, and says so.
    await world.advance(4 * DAY)
    await world.say("bob", "/build 1 with a compost corner")
    later = text(await world.say("mo", "/park 1 not the right time"))
    assert "once 2 people besides its author" in later and "(1 so far" in later
    assert "after Thu" not in later
    assert "incubating" in text(await world.say("mo", "/proposal 1"))
    audit = text(await world.say("mo", "/audit"))
    assert "parked" not in audit and "adopted" not in audit


async def test_members_cannot_park_or_adopt_at_all(world: World) -> None:
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    assert "/park is for moderators" in text(await world.say("bob", "/park 1 meh"))
    assert "/adopt is for moderators" in text(await world.say("bob", "/adopt 1 yes"))


async def test_an_objection_sends_it_back_to_incubation_with_the_objection_as_a_concern(
    world: World,
) -> None:
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    refused = text(await world.say("dan", "/object 1"))
    assert "I need the reason for this one. Usage: /object <proposal number> <reason>" in refused
    await world.say("bob", "/consent 1")
    objected = await world.say("dan", "/object 1 the lot floods in spring; raised beds fix it")
    assert "dan objects: the lot floods in spring" in text(public(objected))

    closed = await world.advance(3 * DAY)
    assert "goes back to incubate" in text(closed)
    assert "adopted" not in text(closed)
    shown = text(await world.say("ana", "/proposal 1"))
    assert "incubating since" in shown
    assert "concern from dan (their objection in the consent round): the lot floods" in shown
    assert "Hearth restarted incubation of proposal #1" in text(await world.say("ana", "/audit"))

    # Back in incubation after the shorter time (1 day), asked again in a new round.
    again = await world.advance(DAY)
    assert "The consent round on #1 Community garden is open" in text(again)
    shown = text(await world.say("ana", "/proposal 1"))
    assert "Consent round 1" in shown and "Consent round 2" not in shown
    await world.say("dan", "/consent 1 raised beds work for me")
    assert "Consent round 2" in text(await world.say("ana", "/proposal 1"))


async def test_changing_your_mind_withdraws_your_objection(world: World) -> None:
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    await world.say("dan", "/object 1 too expensive; a smaller plot would do")
    world.make_admin("mo")
    refused = text(await world.say("mo", "/adopt 1 agreed at the meeting"))
    assert "1 standing objection in" in refused
    await world.say("dan", "/standaside 1 fine, go ahead")
    done = await world.say("mo", "/adopt 1 agreed at the meeting")
    assert "recorded as adopted" in text(to(done, "mo"))
    assert "adopted, recorded by mo: agreed at the meeting" in text(public(done))
    assert "mo adopted proposal #1 — agreed at the meeting" in text(
        await world.say("dan", "/audit")
    )


async def test_a_revision_keeps_history_and_during_consent_sends_it_back_for_a_day(
    world: World,
) -> None:
    await open_with_perspectives(world)
    assert "Only the author" in text(await world.say("bob", "/revise 1 something else"))
    await world.say("ana", "/revise 1 Raised beds with a shared tool shed.")
    await world.say("dan", "/build 1 the school could join")
    await world.advance(3 * DAY)
    await world.say("bob", "/object 1 needs a watering rota")

    revised = await world.say("ana", "/revise 1 Raised beds, a tool shed and a watering rota.")
    assert "now has version 3" in text(to(revised, "ana"))
    assert "was revised during its consent round" in text(public(revised))
    shown = text(await world.say("cy", "/proposal 1"))
    assert "Version 3 (current" in shown
    assert "Raised beds, a tool shed and a watering rota." in shown
    # Each build or concern stays with the version it answered.
    v2, v1 = shown.split("Version 2")[1], shown.split("Version 1")[1]
    assert "the school could join" in v2.split("Version 1")[0]
    assert (
        "concern from bob (their objection in the consent round): needs a watering rota"
        in (v2.split("Version 1")[0])
    )
    assert "and a tool shed we all share" in v1
    assert "Shared vegetable beds" in v1
    assert "ana revised it (version 3)" in shown

    # Back to incubation for the shorter time, then a new consent round.
    assert "consent round on #1" not in text(await world.advance(DAY - timedelta(minutes=1)))
    assert "The consent round on #1" in text(await world.advance(timedelta(minutes=1)))


async def test_a_parked_proposal_comes_back_on_its_revisit_date_after_a_restart(
    sqlite_store: SqliteStore,
) -> None:
    world = World(store=sqlite_store)
    world.make_admin("mo")
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    parked = await world.say("mo", "/park 1 waiting for the grant decision revisit 2026-03-20")
    assert "comes back to incubate on Fri 20 Mar, 09:00" in text(to(parked, "mo"))
    assert "parked by mo: waiting for the grant decision" in text(public(parked))
    assert "parked" in text(await world.say("bob", "/proposals"))

    # Hearth restarts: a fresh core on the same database and clock.
    restarted = World(store=sqlite_store, clock=world.clock)
    quiet = await restarted.advance(timedelta(days=14, hours=23))
    assert "back from being parked" not in text(quiet)
    back = await restarted.advance(timedelta(hours=1))
    assert "#1 Community garden is back from being parked (waiting for the grant decision)" in (
        text(back)
    )
    shown = text(await restarted.say("bob", "/proposal 1"))
    assert "incubating since Fri 20 Mar, 09:00" in shown
    audit = text(await restarted.say("bob", "/audit"))
    assert "mo parked proposal #1 — waiting for the grant decision (revisit Fri 20 Mar" in audit
    assert "Hearth restarted incubation of proposal #1" in audit
    # It incubates its full time again, then goes to a consent round.
    assert "consent round on #1" not in text(await restarted.advance(3 * DAY - MINUTE))
    assert "consent round on #1" in text(await restarted.advance(MINUTE))


async def test_park_defaults_to_revisiting_in_thirty_days_and_refuses_a_bad_date(
    world: World,
) -> None:
    world.make_admin("mo")
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    assert "couldn't read" in text(await world.say("mo", "/park 1 later revisit 2026-02-31"))
    assert "needs to be in the future" in text(
        await world.say("mo", "/park 1 too soon revisit 2026-01-01")
    )
    parked = text(await world.say("mo", "/park 1 let's revisit after the summer"))
    assert "comes back to incubate on Sat 4 Apr, 09:00" in parked


async def test_the_author_withdraws_their_proposal(world: World) -> None:
    await open_with_perspectives(world)
    assert "Only the author" in text(await world.say("bob", "/withdraw 1"))
    withdrawn = await world.say("ana", "/withdraw 1 the library found another use for the lot")
    assert "withdrawn by its author: the library found another use" in text(public(withdrawn))
    assert "can't change any more" in text(await world.say("bob", "/build 1 still a good idea"))
    assert "withdrawn" in text(await world.say("bob", "/proposals withdrawn"))
    assert "No proposals to show (open)" in text(await world.say("bob", "/proposals"))
    assert "ana withdrew proposal #1 — the library found" in text(await world.say("bob", "/audit"))
    # Nothing keeps running for it.
    assert await world.advance(10 * DAY) == []


async def test_a_hidden_proposal_is_gone_from_lists_but_stays_in_the_audit_log(
    world: World,
) -> None:
    world.make_admin("mo")
    await world.say("troll", "/propose Nasty title | insulting text about a member")
    await world.say("ana", IDEA)
    assert "I need the reason" in text(await world.say("mo", "/hide 1"))
    hidden = await world.say("mo", "/hide 1 a personal attack")
    assert "hidden by mo: a personal attack" in text(public(hidden))
    assert "Nasty" not in text(hidden)

    listed = text(await world.say("bob", "/proposals"))
    assert "#1 · hidden by a moderator" in listed and "Nasty" not in listed
    assert "Community garden" in listed
    shown = text(await world.say("bob", "/proposal 1"))
    assert "hidden by mo because: a personal attack" in shown
    assert "Nasty" not in shown and "insulting" not in shown
    assert "was hidden by a moderator" in text(await world.say("troll", "/build 1 more"))
    audit = text(await world.say("bob", "/audit"))
    assert "troll opened proposal #1" in audit
    assert "mo hid proposal #1 — a personal attack" in audit
    assert "Nasty" not in audit
    # A hidden proposal is frozen: its timers do nothing.
    later = text(await world.advance(5 * DAY))
    assert "#2 Community garden has incubated" in later and "#1" not in later


def raised(replies: list[Reply]) -> int:
    """How many times these replies raised proposal #1 in public."""
    return sum(1 for r in public(replies) if "#1 Community garden" in text([r]))


async def test_time_up_without_perspectives_is_raised_again_further_apart_each_time(
    world: World,
) -> None:
    await world.say("ana", IDEA)
    await world.say("bob", "/build 1 with benches")
    assert raised(await world.advance(3 * DAY)) == 0  # its minimum time is over (Thu)
    first = await world.advance(DAY)
    assert raised(first) == 1 and "perspectives from 1 of the 2 people" in text(first)
    assert raised(await world.advance(2 * DAY - MINUTE)) == 0
    assert raised(await world.advance(MINUTE)) == 1  # three days after
    assert raised(await world.advance(4 * DAY - MINUTE)) == 0
    last = await world.advance(MINUTE)  # seven days after
    assert raised(last) == 1 and "the last time I'll raise it" in text(last)
    # The second voice still completes incubation at once.
    joined = await world.say("cy", "/concern 1 what about the noise?")
    assert "The consent round on #1 Community garden is open" in text(public(joined))


async def test_an_ignored_proposal_stops_being_raised(world: World) -> None:
    await world.say("ana", IDEA)
    month = await world.advance(30 * DAY)
    assert raised(month) == 3
    listed = text(await world.say("bob", "/proposals"))
    assert "resting since Thu 12 Mar, 09:00" in listed
    assert "A /build, /concern or /support wakes it" in listed
    shown = text(await world.say("bob", "/proposal 1"))
    assert "Next: resting since Thu 12 Mar" in shown
    assert "Hearth let it rest quietly: nobody had engaged after its reminders" in shown
    audit = text(await world.say("bob", "/audit"))
    assert "Hearth stopped raising proposal #1 — nobody engaged after its reminders" in audit
    assert raised(await world.advance(90 * DAY)) == 0


async def test_engagement_wakes_a_resting_proposal(world: World) -> None:
    await world.say("ana", IDEA)
    await world.advance(30 * DAY)
    woken = await world.say("bob", "/support 1")
    assert "support for #1 is counted" in text(woken)
    assert "resting" not in text(await world.say("bob", "/proposals"))
    # A new quiet stretch: raised again a day after the engagement, at most three times.
    assert raised(await world.advance(DAY - MINUTE)) == 0
    assert raised(await world.advance(MINUTE)) == 1
    assert raised(await world.advance(30 * DAY)) == 2
    assert "resting since" in text(await world.say("bob", "/proposals"))
    # Perspectives wake it too, and two of them start its consent round.
    await world.say("bob", "/build 1 with benches")
    assert "resting" not in text(await world.say("bob", "/proposals"))
    started = await world.say("cy", "/concern 1 what about the noise?")
    assert "The consent round on #1 Community garden is open" in text(public(started))


async def test_reminders_go_to_the_proposals_channel_and_name_nobody(world: World) -> None:
    world.make_admin("mo")
    await world.say("mo", "/setup channel proposals #ideas")
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    await world.say("bob", "/consent 1")
    await world.say("cy", "/object 1 too big; half the lot would do")
    reminded = await world.advance(2 * DAY)
    assert [r.visibility for r in reminded] == [Visibility.PUBLIC]
    assert reminded[0].target.channel_ref == "#ideas"
    said = text(reminded)
    assert "closes Sun 8 Mar, 09:00" in said and "1 consent," in said
    for name in ("ana", "bob", "cy", "dan", "mo"):
        assert name not in said


async def test_a_round_with_no_answers_stays_open_instead_of_fading(world: World) -> None:
    await open_with_perspectives(world)
    await world.advance(3 * DAY)
    extended = await world.advance(3 * DAY)
    assert "Nobody has answered the consent round on #1" in text(extended)
    assert "stays open until Wed 11 Mar, 09:00" in text(extended)
    await world.say("dan", "/consent 1")
    assert "is adopted" in text(await world.advance(3 * DAY))


async def test_an_unanswered_consent_round_rests_instead_of_extending_forever(
    world: World,
) -> None:
    await open_with_perspectives(world)
    await world.advance(3 * DAY)  # the round opens on Thu 5 March
    month = await world.advance(30 * DAY)
    posts = public(month)
    assert len(posts) == 3  # a reminder, one extension, a last reminder; then quiet
    assert "stays open until Wed 11 Mar, 09:00" in text(posts[1:2])
    assert "This is the last reminder" in text(posts[2:])
    shown = text(await world.say("dan", "/proposal 1"))
    assert "in its consent round since Thu 5 Mar" in shown
    assert "resting since Wed 11 Mar, 09:00" in shown and "/consent 1" in shown
    assert "adopted" not in text(await world.say("dan", "/audit"))
    building = text(await world.say("dan", "/build 1 and a rain barrel"))
    assert "resting because nobody has answered yet. Answering wakes it: /consent 1" in building
    # An answer wakes it: the round runs again from that answer, then closes as usual.
    answered = text(await world.say("dan", "/consent 1"))
    assert "The round closes Tue 7 Apr, 09:00" in answered
    assert "is adopted" in text(await world.advance(3 * DAY))


async def test_a_resting_proposal_can_be_parked_with_a_revisit_date(world: World) -> None:
    world.make_admin("mo")
    await world.say("ana", IDEA)
    await world.advance(5 * DAY)
    early = text(await world.say("mo", "/park 1 nobody came revisit 2026-05-01"))
    assert "can park it before it has been heard" in early and "once it rests" in early
    await world.advance(30 * DAY)
    parked = await world.say("mo", "/park 1 nobody came this time revisit 2026-05-01")
    assert "comes back to incubate on Fri 1 May, 09:00" in text(to(parked, "mo"))
    assert "parked by mo: nobody came this time" in text(public(parked))
    shown = text(await world.say("bob", "/proposal 1"))
    assert "parked since" in shown and "resting" not in shown
    audit = text(await world.say("bob", "/audit"))
    assert "mo parked proposal #1 — nobody came this time (revisit Fri 1 May" in audit
    back = await world.advance(datetime(2026, 5, 1, 9, tzinfo=UTC) - world.clock.now())
    assert "is back from being parked (nobody came this time)" in text(back)


async def test_propose_limits_are_refused_with_the_limit_and_nothing_is_stored(
    world: World,
) -> None:
    too_long_title = "x" * 121
    refused = text(await world.say("ana", f"/propose {too_long_title} | details"))
    assert "at most 120 characters" in refused and "has 121" in refused
    refused = text(await world.say("ana", "/propose A title | " + "y" * 2001))
    assert "at most 2000 characters" in refused
    assert "needs a title" in text(await world.say("ana", "/propose  | details only"))
    assert "needs some details" in text(await world.say("ana", "/propose Title only |  "))
    assert "then a | and the details" in text(await world.say("ana", "/propose No bar here"))
    assert "No proposals to show" in text(await world.say("ana", "/proposals all"))
    assert "audit log is empty" in text(await world.say("ana", "/audit"))
    ok = text(await world.say("ana", "/propose " + "t" * 120 + " | " + "d" * 2000))
    assert "open as #1" in ok


async def test_builds_and_concerns_must_say_something_and_belong_to_incubation(
    world: World,
) -> None:
    await world.say("ana", IDEA)
    assert "Usage: /build <proposal number> <build>" in text(await world.say("bob", "/build 1"))
    concern = text(await world.say("bob", "/concern 1   "))
    assert "Usage: /concern <proposal number> <concern>" in concern
    assert "no proposal #7" in text(await world.say("bob", "/build 7 hello"))
    assert "your support is a given" in text(await world.say("ana", "/support 1"))
    await world.say("bob", "/support 1")
    assert "already counted" in text(await world.say("bob", "/support 1"))
    await world.say("bob", "/build 1 with a bench")
    await world.say("cy", "/build 1 and a sign")
    await world.advance(3 * DAY)
    assert "Answer with /consent 1" in text(await world.say("dan", "/build 1 late idea"))


async def test_merging_links_duplicates_without_losing_builds(world: World) -> None:
    world.make_admin("mo")
    await world.say("ana", IDEA)
    await world.say("bob", "/build 1 with a tool shed")
    await world.say("cy", "/propose Garden plots | Plots for everyone near the library.")
    await world.say("dan", "/build 2 and a rain barrel")
    await world.say("eve", "/support 2")
    assert "can't be merged into itself" in text(await world.say("mo", "/merge 2 2"))
    merged = await world.say("mo", "/merge 2 1")
    assert "#2 is merged into #1" in text(to(merged, "mo"))
    # dan's build from #2 is the second perspective #1 needed.
    shown = text(await world.say("eve", "/proposal 1"))
    assert "build from dan (on #2): and a rain barrel" in shown
    assert "perspectives from others 2" in shown and "support 1" in shown
    assert "#2 was merged into this one" in shown
    assert "build from dan: and a rain barrel" in text(await world.say("eve", "/proposal 2"))
    assert "Carry on there: /proposal 1" in text(await world.say("eve", "/build 2 more"))
    audit = text(await world.say("eve", "/audit"))
    assert "mo merged proposal #2 into #1\n" in audit
    assert "The consent round on #1" in text(await world.advance(3 * DAY))


async def test_merging_a_proposal_into_itself_is_refused_and_changes_nothing(
    sqlite_store: SqliteStore,
) -> None:
    world = World(store=sqlite_store)
    world.make_admin("mo")
    await open_with_perspectives(world)
    await world.advance(3 * DAY)  # in its consent round, as when hypothesis found it
    before = every_table(sqlite_store)
    refused = await world.say("mo", "/merge 1 1")
    assert text(refused) == "A proposal can't be merged into itself."
    assert not public(refused)  # nothing announced
    assert every_table(sqlite_store) == before
    assert "in its consent round" in text(await world.say("bob", "/proposal 1"))


async def test_a_merge_never_carries_a_proposal_out_of_incubation_without_two_others(
    world: World,
) -> None:
    """What a merge brings counts as it would have there: the author's own words never, an
    objection that became a concern (for everyone to build on) as that person's perspective."""
    world.make_admin("mo")
    await world.say("ana", IDEA)
    await world.say("bob", "/build 1 and a tool shed we all share")
    await world.say("cy", "/propose Garden plots | Plots for everyone near the library.")
    await world.say("cy", "/concern 1 who waters the beds in August?")
    await world.say("ana", "/propose Book swap | A shelf in the hall for swapping books.")
    await world.say("bob", "/build 3 with a sign-up sheet")
    await world.advance(3 * DAY)  # #1 in its consent round; #2 and #3 wait for perspectives
    await world.say("dan", "/object 1 the lot floods in spring")
    await world.advance(3 * DAY)  # #1 back to incubate: dan's objection is now a concern

    # #3 brings only bob into #2 (cy's proposal): one perspective from others, still incubating.
    await world.say("mo", "/merge 3 2")
    shown = text(await world.say("eve", "/proposal 2"))
    assert "incubating since" in shown and "perspectives from others 1" in shown
    # #1 brings cy's own concern (not counted in her proposal) and dan's: now two, so it goes on.
    merged = text(await world.say("mo", "/merge 1 2"))
    assert "#1 is merged into #2" in merged
    assert "The consent round on #2 Garden plots is open" in merged
    shown = text(await world.say("eve", "/proposal 2"))
    assert "perspectives from others 2" in shown
    assert "concern from dan (on #1): the lot floods in spring" in shown


async def test_proposals_list_shows_counts_and_what_each_needs_next(world: World) -> None:
    await open_with_perspectives(world)
    await world.say("dan", "/support 1")
    await world.say("eve", "/propose Book swap | A shelf in the hall for swapping books.")
    listed = text(await world.say("dan", "/proposals"))
    assert listed.index("#2 Book swap") < listed.index("#1 Community garden")
    assert "builds 1 · concerns 1 · support 1" in listed
    assert "its consent round can start after Thu 5 Mar, 09:00 (it has the perspectives" in (listed)
    assert "once 2 people besides its author have added a build or a concern (0 so far)" in listed
    await world.advance(3 * DAY)
    assert "Book swap" not in text(await world.say("dan", "/proposals consent"))
    assert "Try one of: open, all" in text(await world.say("dan", "/proposals rejected"))


async def test_report_counts_outcomes_and_time_per_stage(world: World) -> None:
    world.make_admin("mo")
    await open_with_perspectives(world)
    await world.say("ana", "/propose Book swap | A shelf in the hall.")
    await world.say("ana", "/withdraw 2")
    await world.advance(3 * DAY)
    await world.say("bob", "/consent 1")
    await world.advance(3 * DAY)
    report = text(await world.say("mo", "/report proposals"))
    assert "Opened: 2 · adopted: 1 · parked: 0 · withdrawn: 1" in report
    assert "incubating: 3 days (2)" in report
    assert "in its consent round: 3 days (1)" in report
    assert "I couldn't read" in text(await world.say("mo", "/report proposals forever"))


async def test_durations_and_thresholds_are_settings(world: World) -> None:
    world.make_admin("mo")
    shown = text(await world.say("mo", "/setup proposals"))
    assert "incubation 3d, perspectives 2, revision 1d, consent 3d, revisit 30d" in shown
    assert "from 1 to 20" in text(await world.say("mo", "/setup proposals perspectives 0"))
    assert "The settings are" in text(await world.say("mo", "/setup proposals speed 2d"))
    assert "from 1h to 90d" in text(await world.say("mo", "/setup proposals incubation soon"))
    await world.say("mo", "/setup proposals incubation 12h")
    await world.say("mo", "/setup proposals perspectives 1")
    await world.say("mo", "/setup proposals consent 2d")
    await world.say("ana", IDEA)
    await world.say("bob", "/build 1 yes")
    started = await world.advance(timedelta(hours=12))
    assert "open until Wed 4 Mar, 21:00" in text(started)
    assert "changed setting proposals" in text(await world.say("mo", "/audit"))


async def test_user_text_keeps_every_character_and_never_changes_formatting(world: World) -> None:
    title = "Garden 🌱 *for* _all_ `now` \\o/ @everyone <@123>"
    details = "שלום עולם · مرحبا 👩‍👩‍👧 family ‏RTL‏ **not bold**"
    opened = await world.say("ana", f"/propose {title} | {details}")
    from bot.markup import parse

    spans = parse(public(opened)[0].text)
    assert spans[0].style == "bold" and title in spans[0].text
    assert any(details in s.text and s.style == "" for s in spans)
    shown = text(await world.say("bob", "/proposal 1"))
    assert title in shown and details in shown
    assert title in text(await world.say("bob", "/proposals"))


async def test_mydata_shows_proposals_and_forgetme_unnames_the_author_but_keeps_the_text(
    sqlite_store: SqliteStore,
) -> None:
    world = World(store=sqlite_store)
    await open_with_perspectives(world)
    await world.say("ana", "/build 1 and I can bring seeds")
    await world.advance(3 * DAY)
    await world.say("ana", "/consent 1 of course")
    data = text(await world.say("ana", "/mydata"))
    assert "proposals and what you added to them" in data
    assert "proposal: #1; what: proposed; text: Community garden" in data
    assert "what: version 1; text: Shared vegetable beds" in data
    assert "what: build; text: and I can bring seeds" in data
    assert "what: round 1: consent; text: of course" in data

    asked = await world.say("ana", "/forgetme")
    await world.press("ana", asked[0].choices[0].key, where="#general")
    shown = text(await world.say("bob", "/proposal 1"))
    assert "Community garden" in shown and "Shared vegetable beds" in shown
    assert "proposed by a former member" in shown
    assert "build from a former member: and I can bring seeds" in shown
    assert "a former member consents: of course" in shown
    # Still one person: the author's own build does not count as a perspective from others.
    assert "perspectives from others 2" in shown
    for table, kept in every_table(sqlite_store).items():
        for row in kept:
            assert "ana" not in [str(v).lower() for v in row.values()], f"{table} still holds ana"
    # A new "ana" is a new person: not the author of #1.
    assert "Only the author" in text(await world.say("ana", "/withdraw 1"))


async def test_the_listing_says_when_a_proposals_minimum_time_is_over_on_the_same_day_of_age(
    world: World,
) -> None:
    """Only the end of its minimum time changes in the line (it is 3 days old either side)."""
    await world.say("ana", IDEA)
    await world.advance(3 * DAY - timedelta(hours=1))
    before = text(await world.say("bob", "/proposals"))
    await world.advance(timedelta(hours=2))
    after = text(await world.say("bob", "/proposals"))
    assert "3 days old" in before and "3 days old" in after
    assert "can start after Thu 5 Mar, 09:00, and once 2 people" in before
    assert "can start once 2 people" in after and "its minimum time is over" in after

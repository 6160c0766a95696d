"""Whose language Hearth speaks, and on whose clock: a person's own choice beats what their
platform reports, which beats the community's default; private messages and replies use
theirs, posts for everyone the community's. Times written to someone privately follow their
own timezone; the community's schedule stays on the community's clock and says so."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.replies import Reply, Visibility
from tests.support import World, text, to
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts


def public(replies: Sequence[Reply]) -> str:
    return text([r for r in replies if r.visibility is Visibility.PUBLIC])


async def test_a_persons_choice_beats_their_platform_which_beats_the_community(
    world: World,
) -> None:
    world.languages["dora"] = "de"  # her app is in German
    world.languages["eve"] = "fr"  # a language Hearth has no texts in
    assert "Deine Sprache bei mir: Deutsch (de)" in text(await world.say("dora", "/language"))
    assert "speaking English (en)" in text(await world.say("eve", "/language"))
    assert "speaking English (en)" in text(await world.say("carl", "/language"))

    chosen = text(await world.say("dora", "/language es"))
    assert "Desde ahora te hablo en este idioma: español (es)" in chosen
    assert "Idioma en que te hablo: español (es)" in text(await world.say("dora", "/language"))
    back = text(await world.say("dora", "/language default"))
    assert "Deutsch (de)" in back  # her platform's again, not the community's

    world.make_admin("ana")
    await world.say("ana", "/setup language es")
    assert "Idioma en que te hablo: español (es)" in text(await world.say("carl", "/language"))
    assert "Deutsch (de)" in text(await world.say("dora", "/language"))  # still her app's


async def test_a_round_reaches_each_member_in_their_language_and_the_group_in_its_own(
    world: World,
) -> None:
    world.languages.update(dora="de", pablo="es")
    world.make_admin("ana")
    for who in ("ana", "dora", "pablo", "carl"):
        await world.say(who, "hello")

    replies = await world.say("ana", "/checkin now")

    assert "Check-in time." in public(replies)  # the group's post, in the community's English
    assert "Zeit für einen Check-in." in text(to(replies, "dora"))
    assert "Es hora de un check-in." in text(to(replies, "pablo"))
    assert "Time for a check-in." in text(to(replies, "carl"))
    # Her buttons are in German too.
    (question,) = [r for r in to(replies, "dora") if r.choices]
    assert "Überspringen" in [choice.label for choice in question.choices]


async def test_times_written_privately_follow_the_members_own_clock(world: World) -> None:
    world.make_admin("ana")
    for who in ("ana", "dora"):
        await world.say(who, "hello")
    set_reply = text(await world.privately("dora", "/timezone America/Sao_Paulo"))
    assert "America/Sao_Paulo" in set_reply and "UTC" in set_reply  # the community's stays

    replies = await world.say("ana", "/checkin now")

    everyone = re.search(r"until \w+ \d+ \w+, (\d\d):(\d\d)", public(replies))
    hers = re.search(r"Open until \w+ \d+ \w+, (\d\d):(\d\d)", text(to(replies, "dora")))
    assert everyone and hers
    assert (int(everyone[1]) - int(hers[1])) % 24 == 3  # São Paulo is three hours behind UTC

    shown = text(await world.privately("dora", "/timezone"))
    assert "America/Sao_Paulo" in shown
    assert "community's timezone, UTC" in text(await world.privately("dora", "/timezone default"))


async def test_a_bad_or_ambiguous_timezone_changes_nothing(world: World) -> None:
    await world.say("dora", "hello")
    refused = text(await world.privately("dora", "/timezone CET"))
    assert "abbreviation" in refused and "Europe/Berlin" in refused
    assert "isn't a timezone I know" in text(await world.privately("dora", "/timezone Mars/Base"))
    assert "community's timezone, UTC" in text(await world.privately("dora", "/timezone"))


async def test_the_schedule_stays_on_the_communitys_clock_and_says_so(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Madrid")
    await world.privately("ana", "/timezone Asia/Tokyo")
    listed = text(await world.privately("ana", "/schedule checkin mon 18:00"))
    assert "every Monday at 18:00 (Europe/Madrid)" in listed
    assert "next on Mon 2 Mar, 18:00" in listed  # Madrid's evening, not Tokyo's


async def test_a_member_whose_telegram_is_german_reads_german_privately_in_an_english_group() -> (
    None
):
    tg = TelegramWorld()
    await tg.start()
    try:
        dora = tg.fake.user(14, "Dora", language="de")
        tg.fake.set_status(tg.group, dora, "member")
        for person in (dora, tg.bob):
            tg.fake.started.add(person["id"])  # they have opened their private chat with it
        await tg.say(tg.bob, "hello")
        await tg.say(dora, "hallo")

        sent = await tg.say(tg.ana, "/checkin now")

        assert "Check-in time." in texts(in_chat(sent, GROUP_ID))  # the group's own English
        hers = texts(in_chat(sent, dora["id"]))
        assert "Zeit für einen Check-in." in hers and "Time for" not in hers
        assert "Time for a check-in." in texts(in_chat(sent, tg.bob["id"]))
    finally:
        await tg.close()

"""/export: a moderator takes the community's public record away as a ZIP of CSV and JSON files,
and nobody's private words or small-group figures ever go with it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import FakeClock
from bot.kernel.membership import community_context
from bot.ports import Store
from bot.replies import Attachment, Reply, Visibility
from bot.services.export import community_export
from bot.services.export.files import csv_bytes, json_bytes, slug
from bot.services.export.table import Table
from tests.community_story import (
    OTHERS,
    PRIVATE_WORDS,
    a_season_of_community_life,
)
from tests.needs_helpers import answer, community
from tests.support import World, text, to

DAY = timedelta(days=1)
TABLES = (
    "proposals",
    "proposal_versions",
    "proposal_contributions",
    "proposal_support",
    "proposal_positions",
    "consent_rounds",
    "proposal_history",
    "audit_log",
    "needs_rounds",
    "needs_figures",
    "reflection_rounds",
    "reflection_answers",
    "offers",
)
@dataclass
class Export:
    """The ZIP a moderator received, opened."""

    attachment: Attachment
    folder: str
    files: dict[str, bytes]

    @classmethod
    def of(cls, attachment: Attachment) -> Export:
        with zipfile.ZipFile(io.BytesIO(attachment.data)) as archive:
            names = archive.namelist()
            folder = names[0].split("/")[0]
            files = {name.removeprefix(f"{folder}/"): archive.read(name) for name in names}
        return cls(attachment, folder, files)

    def csv(self, table: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.files[f"{table}.csv"].decode("utf-8"))))

    def json(self, table: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self.files[f"{table}.json"])
        return rows

    def header(self, table: str) -> list[str]:
        return next(csv.reader(io.StringIO(self.files[f"{table}.csv"].decode("utf-8"))))


def received(replies: list[Reply], who: str) -> Export:
    [reply] = [r for r in to(replies, who) if r.files]
    assert reply.visibility is Visibility.PRIVATE
    [attachment] = reply.files
    return Export.of(attachment)


async def test_a_moderator_gets_the_public_record_privately_as_csv_and_json(
    world: World,
) -> None:
    await a_season_of_community_life(world)
    replies = await world.say("ana", "/export")
    export = received(replies, "ana")
    assert "I've sent you the export privately" in text(to(replies, "ana"))
    assert [r for r in replies if r.visibility is Visibility.PUBLIC] == []
    assert export.attachment.name == "hearth-test-community-2026-03-11.zip"
    assert export.attachment.media_type == "application/zip"
    assert "Test community" in export.attachment.alt
    assert list(export.files) == [
        "README.txt",
        *(f"{table}.{kind}" for table in TABLES for kind in ("csv", "json")),
    ]
    for table in TABLES:  # the same columns and rows in both formats
        rows = export.json(table)
        assert len(rows) == len(export.csv(table)), table
        assert all(list(row) == export.header(table) for row in rows), table

    [tools, hidden] = export.csv("proposals")
    assert tools["title"] == "Tool library" and tools["author"] == "bob"
    assert tools["state"] == "adopted" and tools["supporters"] == "1"
    assert hidden["hidden"] == "true" and hidden["hidden_reason"] == "not what we do here"
    assert export.csv("proposal_versions")[0]["details"] == "Lend drills and ladders from the shed."
    contributions = [
        (c["kind"], c["author"], c["text"]) for c in export.csv("proposal_contributions")
    ]
    assert contributions == [
        ("build", "carla", "and a sign-up sheet, by the door"),
        ("concern", "dan", "who repairs broken tools?"),
    ]
    assert [s["supporter"] for s in export.csv("proposal_support")] == ["eve"]
    positions = [(p["person"], p["stance"], p["reason"]) for p in export.csv("proposal_positions")]
    assert positions == [("carla", "consent", ""), ("dan", "standaside", "I rarely borrow tools")]
    [consent_round] = export.json("consent_rounds")
    assert consent_round["outcome"] == "adopted"
    assert (consent_round["consents"], consent_round["stand_asides"]) == (1, 1)
    assert consent_round["opened_at"] == "2026-03-05T09:00:00+00:00"
    history = [(h["actor"], h["what"], h["why"]) for h in export.csv("proposal_history")]
    assert ("dan", "stood aside", "I rarely borrow tools") in history
    assert ("Hearth", "opened its consent round", "") in history
    assert all(h["proposal"] == "1" for h in export.csv("proposal_history"))  # not the hidden one

    audit = [(a["actor"], a["what"], a["reason"]) for a in export.csv("audit_log")]
    assert audit[0] == ("bob", "opened proposal #1", "")
    assert ("ana", "hid proposal #2", "not what we do here") in audit
    assert ("ana", "started a check-in round", "") in audit

    [needs_round] = export.json("needs_rounds")
    assert needs_round["checked_in"] == "8" and needs_round["needs_shown"] is True
    figures = {f["need"]: f for f in export.csv("needs_figures")}
    assert (figures["food"]["strained"], figures["food"]["strained_kind"]) == ("4", "exact")
    assert figures["access"]["unmet"] == "fewer than 3"  # ana's one unmet answer
    assert figures["access"]["need_label"] == "access (internet, tools, transport)"

    rounds = export.csv("reflection_rounds")
    assert [r["round"] for r in rounds] == ["1", "2"] and rounds[1]["closed_at"] == ""
    assert export.json("reflection_answers") == [
        {"round": 1, "answer": 1, "author": "bob", "text": "The shed smells of cedar now."}
    ]
    assert export.json("offers") == [
        {
            "category": "food",
            "category_label": "food",
            "offered_by": "finn",
            "what": "Soup on Sundays",
        }
    ]
    readme = export.files["README.txt"].decode("utf-8")
    assert readme.startswith("The public record of Test community, exported from Hearth on")
    assert all(f"{table}.csv, {table}.json" in readme for table in TABLES)
    assert "What this export never holds: anyone's check-in answers" in readme


async def test_an_export_never_holds_anyone_s_private_words(world: World) -> None:
    await a_season_of_community_life(world)
    export = received(await world.say("ana", "/export"), "ana")
    secrets = (*PRIVATE_WORDS, "We could sell our contact list")
    for name, data in export.files.items():
        for secret in secrets:
            assert secret.encode("utf-8") not in data, (name, secret)
    # Nor the words' parts that JSON or CSV might have split or escaped differently.
    everything = b"".join(export.files.values()).decode("utf-8")
    for word in ("landlord", "mattress", "Tomasz", "cried", "alone", "quiet room"):
        assert word not in everything, word
    # Nobody is named beside a needs figure: the needs files name needs, never people.
    needs = export.files["needs_figures.csv"] + export.files["needs_rounds.csv"]
    for name in ("ana", *OTHERS):
        assert name.encode() not in needs


async def test_a_small_rounds_figures_appear_only_as_report_needs_shows_them(
    world: World,
) -> None:
    await community(world, "bob", "carla")
    await world.say("ana", "/checkin now")
    await answer(world, "bob", "uuuuuu")
    await answer(world, "carla", "uuuuuu")
    await world.advance(3 * DAY)
    report = text(await world.say("ana", "/report needs"))
    assert "fewer than 3 checked in" in report

    export = received(await world.say("ana", "/export"), "ana")
    [shown] = export.json("needs_rounds")
    assert shown["checked_in"] == "fewer than 3"
    assert (shown["checked_in_kind"], shown["checked_in_value"]) == ("fewer", 3)
    assert shown["needs_shown"] is False
    assert export.json("needs_figures") == []  # too few to split by answer, as in /report
    assert 2 not in shown.values()  # two answered: that count is never written


async def test_a_higher_threshold_hides_in_the_export_what_it_hides_in_the_report(
    world: World,
) -> None:
    await community(world, *OTHERS)
    await world.say("ana", "/checkin now")
    for number, name in enumerate(("ana", *OTHERS)):
        await answer(world, name, "soooooo"[:6] if number < 3 else "oooooo")
    await world.advance(3 * DAY)
    before = received(await world.say("ana", "/export"), "ana")
    assert {f["need"]: f["strained"] for f in before.csv("needs_figures")}["food"] == "3"

    await world.say("ana", "/setup privacy_threshold 5")
    assert "8 checked in: too few to share" in text(await world.say("ana", "/report needs"))
    after = received(await world.say("ana", "/export"), "ana")
    [shown] = after.json("needs_rounds")
    assert (shown["threshold"], shown["needs_shown"]) == (5, False)
    assert after.json("needs_figures") == []


async def test_a_figure_the_threshold_no_longer_allows_reads_not_shown_never_its_number(
    world: World,
) -> None:
    others = (*OTHERS, "ida", "jo")
    await community(world, *others)
    await world.say("ana", "/setup privacy_threshold 2")
    await world.say("ana", "/checkin now")
    for number, name in enumerate(("ana", *others)):  # food: 6 strained, 3 unmet, 1 okay
        await answer(world, name, ("s" if number < 6 else "u" if number < 9 else "o") + "ooooo")
    await world.advance(3 * DAY)
    await world.say("ana", "/setup privacy_threshold 4")
    assert "food: not shown under the current privacy threshold" in text(
        await world.say("ana", "/report needs")
    )

    export = received(await world.say("ana", "/export"), "ana")
    [food] = [f for f in export.json("needs_figures") if f["need"] == "food"]
    assert (food["strained"], food["strained_kind"], food["strained_value"]) == (
        "not shown",
        "hidden",
        None,
    )
    assert (food["unmet"], food["unmet_kind"], food["unmet_value"]) == ("not shown", "hidden", None)


async def test_a_member_cannot_export(world: World) -> None:
    await community(world, "bob")
    replies = await world.say("bob", "/export")
    assert "/export is for moderators, so I haven't done anything" in text(replies)
    assert [r for r in replies if r.files] == []
    assert "exported" not in text(await world.say("bob", "/audit"))


async def test_everyone_sees_in_the_audit_log_that_a_moderator_exported(world: World) -> None:
    await community(world, "bob")
    await world.privately("ana", "/export")
    assert "ana exported the community's public record" in text(await world.say("bob", "/audit"))


async def test_the_dashboard_gets_the_same_file_from_a_read_only_unit_of_work(
    world: World,
) -> None:
    await a_season_of_community_life(world)
    hearth = world.hearth
    async with hearth.store.unit_of_work() as uow:  # never committed: reads only
        link = await uow.communities.find_link("test", "hearth-test")
        assert link is not None
        ctx = await community_context(uow, link.community_id, hearth.clock, hearth.catalog)
        english = await community_export(ctx, "en")
        spanish = Export.of(await community_export(ctx, "es"))
    sent = received(await world.say("ana", "/export"), "ana")
    assert english == sent.attachment  # the same bytes: the file is deterministic

    readme = spanish.files["README.txt"].decode("utf-8")
    assert readme.startswith("Lo público de Test community, exportado de Hearth el")
    assert "Lo que esta exportación nunca contiene" in readme
    assert spanish.csv("proposals")[0]["state_name"] == "adoptada"
    assert {f["need"]: f["unmet"] for f in spanish.csv("needs_figures")}["access"] == "menos de 3"
    assert "ocultó la propuesta #2" in [a["what"] for a in spanish.csv("audit_log")]


def test_csv_keeps_commas_quotes_and_lines_and_never_lets_a_cell_run_as_a_formula() -> None:
    table = Table("notes", ("number", "text", "shared", "empty"))
    table.add(number=1, text='She said "yes, and" then\nleft', shared=True, empty=None)
    table.add(number=2, text='=HYPERLINK("http://x")', shared=False, empty=None)
    table.add(number=3, text="-5 degrees, +2 tomorrow; @ana knows", shared=False, empty="")
    raw = csv_bytes(table)
    assert raw.startswith(b"number,text,shared,empty\r\n")
    assert b'"She said ""yes, and"" then\nleft"' in raw  # RFC 4180 quoting
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1:] == [
        ["1", 'She said "yes, and" then\nleft', "true", ""],
        ["2", '\'=HYPERLINK("http://x")', "false", ""],
        ["3", "'-5 degrees, +2 tomorrow; @ana knows", "false", ""],
    ]
    assert json.loads(json_bytes(table))[1] == {
        "number": 2,
        "text": '=HYPERLINK("http://x")',  # JSON keeps people's words exactly
        "shared": False,
        "empty": None,
    }


def test_a_community_name_becomes_a_plain_file_name() -> None:
    assert slug("Café Común") == "cafe-comun"
    assert slug("Garten · Nord!!") == "garten-nord"
    assert slug("東京") == "community"


async def test_the_reads_an_export_uses_return_only_what_is_public(store: Store) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with store.unit_of_work() as uow:
        community_id = (
            await uow.communities.add(name="c", timezone="UTC", language="en", now=now)
        ).id
        ana, bob = [
            await uow.members.add(
                community_id=community_id,
                platform="test",
                user_ref=name,
                display_name=name,
                language=None,
                now=now,
            )
            for name in ("ana", "bob")
        ]
        for number in (1, 2):
            await uow.reflections.add_round(
                community_id=community_id,
                prompt_key=f"deck-0{number}",
                prompt_text=f"Prompt {number}",
                theme=None,
                cycle=1,
                now=now + timedelta(days=number),
            )
        first = await uow.reflections.round_by_number(community_id, 1)
        assert first is not None
        await uow.reflections.answer(
            round_id=first.id, member_id=ana.id, text="shared words", shared=True, now=now
        )
        await uow.reflections.answer(
            round_id=first.id, member_id=bob.id, text="kept words", shared=False, now=now
        )
        await uow.offers.add(
            community_id=community_id, member_id=ana.id, category="food", what="soup",
            now=now, public=True,
        )  # fmt: skip
        await uow.offers.add(
            community_id=community_id, member_id=bob.id, category="rest", what="a bed", now=now
        )
        for minutes, key in ((0, "audit_checkin_started"), (5, "audit_checkin_closed")):
            await uow.audit.add(
                community_id=community_id,
                at=now + timedelta(minutes=minutes),
                actor_id=ana.id,
                actor_name="ana",
                key=key,
                params={},
            )
        await uow.commit()
    async with store.unit_of_work() as uow:
        rounds = await uow.reflections.rounds(community_id)
        assert [(r.number, r.prompt_text) for r in rounds] == [(1, "Prompt 1"), (2, "Prompt 2")]
        assert [a.text for a in await uow.reflections.shared_in(community_id)] == ["shared words"]
        assert [o.what for o in await uow.offers.public_in(community_id)] == ["soup"]
        every = await uow.audit.every(community_id)
        assert [e.key for e in every] == ["audit_checkin_started", "audit_checkin_closed"]
        assert await uow.reflections.shared_in(community_id + 1) == []


async def test_an_export_of_a_quiet_community_has_every_file_with_its_header_only() -> None:
    world = World(clock=FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    world.make_admin("ana")
    export = received(await world.say("ana", "/export"), "ana")
    for table in TABLES:
        assert export.csv(table) == [] and export.json(table) == []
        assert export.header(table)

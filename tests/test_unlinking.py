"""/unlink as people use it: the Workshop server (Discord) joined the Garden group's community
(Telegram), they made things together, and then the Workshop leaves. It is a community of its
own again with its own members, settings and schedules; what was made together stays with the
Garden's community and stays readable in the Workshop, never copied. Every refusal changes
nothing stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.ports import Store
from bot.replies import Reply
from storage.sqlite import SqliteStore
from tests.linking_support import GARDEN, WORKSHOP, Place, Places, code_in, where_to
from tests.peek import contents
from tests.support import public, text
from tests.welcome_support import button


async def place_code(world: Places, who: str, place: Place) -> str:
    return code_in(where_to(await world.in_place(who, place, "/link"), place, who))


async def link_bob(world: Places) -> None:
    """bob, in both places, says his Telegram account is him too (he gave the code on
    Discord, so he is reached there)."""
    code = code_in(await world.privately_in("bob", WORKSHOP, "/link me"))
    sent = await world.privately_in("bob", GARDEN, f"/link me {code}")
    yes = where_to(sent, WORKSHOP, "bob")[0].choices[0].key
    await world.press_in("bob", WORKSHOP, yes)


@pytest.fixture
async def joined(store: Store) -> Places:
    """Before linking, the Garden (ana moderates; eve is there too) has proposal #1 and a
    Monday check-in schedule; the Workshop (dan moderates; bob and carla) has its own #1,
    which becomes #2. Together they make #3; bob is on both, one person. Minutes pass."""
    world = Places(store=store)
    world.moderate("ana", GARDEN)
    world.moderate("dan", WORKSHOP)
    for who in ("ana", "eve", "bob"):
        await world.in_place(who, GARDEN, "hello")
    for who in ("dan", "bob", "carla"):
        await world.in_place(who, WORKSHOP, "hello")
    await world.in_place("ana", GARDEN, "/propose Seed swap | Bring seeds, take others home.")
    await world.in_place("ana", GARDEN, "/setup timezone Europe/Madrid")
    await world.in_place("ana", GARDEN, "/schedule checkin mon 18:00")
    await world.in_place("dan", WORKSHOP, "/propose Tool library | Lend drills from one shelf.")
    code = await place_code(world, "ana", GARDEN)
    done = await world.in_place("dan", WORKSHOP, f"/link {code}")
    assert "has joined Garden group" in text(public(done))
    await link_bob(world)
    await world.in_place("carla", WORKSHOP, "/propose Shared shed | One shed for both groups.")
    await world.advance(timedelta(minutes=5))
    return world


async def unlinked(world: Places) -> list[Reply]:
    """dan sends /unlink in the Workshop (the place that joined)."""
    return await world.in_place("dan", WORKSHOP, "/unlink")


def community_named(seen: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    return next(c for c in seen["communities"] if c["name"] == name)


def members_of(seen: dict[str, list[dict[str, Any]]], community: dict[str, Any]) -> dict[str, Any]:
    """user_ref -> member row, of one community."""
    rows = [m for m in seen["members"] if m["community_id"] == community["id"]]
    return {m["display_name"]: m for m in rows}


def asked_privately(replies: list[Reply], who: str) -> list[str]:
    return sorted(
        {
            r.target.platform
            for r in replies
            if r.target.user_ref == who and r.target.channel_ref is None and r.choices
        }
    )


async def refused_and_unchanged(world: Places, who: str, place: Place, line: str) -> str:
    before = await contents(world.store)
    refused = world.hearth.outcomes["refused"]
    replies = await world.in_place(who, place, line)
    assert world.hearth.outcomes["refused"] == refused + 1, text(replies)
    assert await contents(world.store) == before
    return text(replies)


# -- the split ---------------------------------------------------------------------------------


async def test_the_workshop_leaves_and_is_a_community_of_its_own_again(joined: Places) -> None:
    done = await unlinked(joined)

    garden_told = text([r for r in public(done) if r.target.platform == "telegram"])
    assert garden_told.startswith(
        "Discord: Workshop server has left this community and is a community of its own"
        " again. Garden group carries on in Telegram: Garden group."
    )
    workshop_told = text([r for r in public(done) if r.target.platform == "discord"])
    assert workshop_told.startswith(
        "This place has left Garden group and is its own community again, Workshop server,"
        " with the same settings and schedules."
    )

    seen = await contents(joined.store)
    garden = community_named(seen, "Garden group")
    workshop = community_named(seen, "Workshop server")
    assert workshop["history_of"] == garden["id"] and workshop["history_until"] is not None
    assert (workshop["timezone"], workshop["language"]) == ("Europe/Madrid", "en")
    assert "place_names" not in workshop["settings"] and "place_names" not in garden["settings"]
    places = {(link["platform"], link["community_id"]) for link in seen["community_links"]}
    assert places == {("telegram", garden["id"]), ("discord", workshop["id"])}

    # Its members are the old community's people with a Discord account, through it; bob is
    # one person in both communities, reached on Telegram in the Garden's now.
    there = members_of(seen, workshop)
    assert sorted(there) == ["bob", "carla", "dan"]
    assert {m["platform"] for m in there.values()} == {"discord"}
    stayed = members_of(seen, garden)
    assert {name for name, m in stayed.items() if m["left_at"] is None} == {"ana", "bob", "eve"}
    assert stayed["bob"]["platform"] == "telegram" and not stayed["bob"]["reach_chosen"]
    assert stayed["bob"]["person_id"] == there["bob"]["person_id"]
    assert stayed["dan"]["left_at"] is not None and stayed["carla"]["left_at"] is not None
    assert there["dan"]["granted_role"] == stayed["dan"]["granted_role"]

    # Its own schedule, as it was, next this evening; /link shows one place each.
    listed = text(await joined.in_place("dan", WORKSHOP, "/schedule"))
    assert "checkin: every Monday at 18:00 (Europe/Madrid), next on Mon 2 Mar, 18:00" in listed
    (schedule,) = [s for s in seen["schedules"] if s["community_id"] == workshop["id"]]
    assert schedule["next_run"] > joined.clock.now()
    assert "• Discord: Workshop server" in text(await joined.in_place("bob", WORKSHOP, "/link"))
    garden_places = text(await joined.in_place("ana", GARDEN, "/link"))
    assert "• Telegram: Garden group" in garden_places and "• Discord" not in garden_places

    # Nothing was copied: the Garden's community keeps every proposal.
    assert {p["community_id"] for p in seen["proposals"]} == {garden["id"]}


async def test_a_check_in_round_in_each_asks_only_its_own_members(joined: Places) -> None:
    await unlinked(joined)
    garden = await joined.in_place("ana", GARDEN, "/checkin now")
    assert asked_privately(garden, "ana") == ["telegram"]
    assert asked_privately(garden, "bob") == ["telegram"]
    assert asked_privately(garden, "eve") == ["telegram"]
    assert asked_privately(garden, "carla") == [] and asked_privately(garden, "dan") == []

    workshop = await joined.in_place("dan", WORKSHOP, "/checkin now")
    for who in ("bob", "carla", "dan"):
        assert asked_privately(workshop, who) == ["discord"], who
    assert asked_privately(workshop, "ana") == [] and asked_privately(workshop, "eve") == []


# -- what was made together stays readable -----------------------------------------------------


async def test_a_proposal_made_together_reads_in_both_and_carries_on_in_one(
    joined: Places,
) -> None:
    await unlinked(joined)
    in_garden = text(await joined.in_place("ana", GARDEN, "/proposal 2"))
    assert "Tool library" in in_garden and "Made together" not in in_garden
    in_workshop = text(await joined.in_place("bob", WORKSHOP, "/proposal 2"))
    assert "Tool library" in in_workshop
    assert (
        "Made together with Garden group before this place left it; it carries on there, so"
        " here it can only be read." in in_workshop
    )

    said = await refused_and_unchanged(joined, "bob", WORKSHOP, "/build 2 Add a sign-out sheet")
    assert said == (
        "Proposal #2 was made together with Garden group before this place left it, and it"
        " carries on there. You can read it here with /proposal 2; to take part, join in with"
        " Garden group."
    )
    built = text(await joined.in_place("bob", GARDEN, "/build 2 Add a sign-out sheet"))
    assert "#2" in built

    # A new proposal in the Workshop comes after the old highest (#3), so #3 never means two
    # things to people who were together; the Garden's own next is #4 as well, its own.
    opened = text(await joined.in_place("carla", WORKSHOP, "/propose Paint day | Paint it."))
    assert "#4" in opened
    assert "#4" in text(await joined.in_place("ana", GARDEN, "/propose Compost | A heap."))
    assert "Paint day" in text(await joined.in_place("bob", WORKSHOP, "/proposal 4"))

    listed = text(await joined.in_place("bob", WORKSHOP, "/proposals all"))
    own, _, together = listed.partition("Made together with Garden group")
    assert "#4 Paint day" in own and "Seed swap" not in own
    assert "#1 Seed swap" in together and "#2 Tool library" in together
    assert "#3 Shared shed" in together and "Compost" not in together


async def test_the_workshops_audit_shows_its_own_then_the_shared_log_up_to_the_split(
    joined: Places,
) -> None:
    await unlinked(joined)
    await joined.advance(timedelta(hours=1))
    await joined.in_place("ana", GARDEN, "/schedule checkin tue 09:00")
    shown = text(await joined.in_place("carla", WORKSHOP, "/audit"))
    own, _, together = shown.partition("Before this place left Garden group, together:")
    assert "dan unlinked Discord: Workshop server: it is a community of its own again" in own
    assert "dan linked Discord: Workshop server into this community" in together
    assert "unlinked" not in together and "Tue" not in together  # nothing after the split
    garden = text(await joined.in_place("ana", GARDEN, "/audit"))
    assert "dan unlinked Discord: Workshop server" in garden and "together" not in garden


async def test_a_split_in_the_same_moment_as_the_shared_entries_still_shows_them(
    store: Store,
) -> None:
    # The console's clock stands still between commands: entries and the split share a moment.
    world = Places(store=store)
    world.moderate("ana", GARDEN)
    world.moderate("dan", WORKSHOP)
    await world.in_place("dan", WORKSHOP, "hello")
    code = await place_code(world, "ana", GARDEN)
    await world.in_place("dan", WORKSHOP, f"/link {code}")
    await unlinked(world)
    await world.in_place("ana", GARDEN, "/schedule checkin tue 09:00")  # after: Garden's own
    shown = text(await world.in_place("dan", WORKSHOP, "/audit"))
    own, _, together = shown.partition("Before this place left Garden group, together:")
    assert "dan linked Discord: Workshop server into this community" in together
    assert "unlinked" in own and "unlinked" not in together and "check-in" not in together


async def test_reflection_rounds_held_together_stay_readable_in_the_place_that_left(
    joined: Places,
) -> None:
    await joined.in_place("ana", GARDEN, "/reflect_now")
    await joined.in_place("carla", WORKSHOP, "/reflect shared The shed smells of oil, happily.")
    await joined.in_place("eve", GARDEN, "/reflect private I felt left out this week.")
    await unlinked(joined)  # a reflection round stays open until the next: it holds nothing

    shown = text(await joined.in_place("dan", WORKSHOP, "/reflection round 1"))
    assert "The shed smells of oil" in shown and "left out" not in shown
    assert "Held together with Garden group before this place left it" in shown
    async with joined.store.unit_of_work() as uow:
        garden = await uow.communities.find_link(GARDEN.platform, GARDEN.ref)
        assert garden is not None
        answers = await uow.reflections.shared_in(garden.community_id)
        private = [
            a for r in await uow.reflections.rounds(garden.community_id)
            for a in await uow.reflections.answers(r.id) if not a.shared
        ]  # fmt: skip
    one = text(await joined.in_place("dan", WORKSHOP, f"/reflection {answers[0].id}"))
    assert "The shed smells of oil" in one and "Held together with Garden group" in one
    refused = text(await joined.in_place("dan", WORKSHOP, f"/reflection {private[0].id}"))
    assert "left out" not in refused
    assert "#2" in text(await joined.in_place("dan", WORKSHOP, "/reflect_now"))  # after ours


# -- refusals ------------------------------------------------------------------------------------


async def test_a_place_alone_has_nothing_to_unlink(joined: Places) -> None:
    await unlinked(joined)
    said = await refused_and_unchanged(joined, "dan", WORKSHOP, "/unlink")
    assert said == "This community is in one place only, so there is nothing to unlink."


async def test_an_open_round_holds_the_unlink(joined: Places) -> None:
    await joined.in_place("ana", GARDEN, "/checkin now")
    said = await refused_and_unchanged(joined, "dan", WORKSHOP, "/unlink")
    assert said.startswith(
        "A check-in round is open in Discord: Workshop server, Telegram: Garden"
        " group. Let's unlink once it has closed"
    )


async def test_only_moderators_unlink(joined: Places) -> None:
    said = await refused_and_unchanged(joined, "carla", WORKSHOP, "/unlink")
    assert "moderator" in said.lower()


async def test_the_refusals_speak_spanish_and_german(store: Store) -> None:
    world = Places(store=store)
    world.moderate("ana", GARDEN)
    await world.in_place("ana", GARDEN, "/language es")
    said = text(await world.in_place("ana", GARDEN, "/unlink"))
    assert said == "Esta comunidad está en un solo lugar, así que no hay nada que desvincular."
    await world.in_place("ana", GARDEN, "/language de")
    said = text(await world.in_place("ana", GARDEN, "/unlink"))
    assert (
        said == "Diese Gemeinschaft ist nur an einem Ort, also gibt es keine Verknüpfung zu lösen."
    )


# -- /forgetme after a split -------------------------------------------------------------------


async def test_forgetme_in_the_workshop_erases_the_membership_left_behind(joined: Places) -> None:
    """carla can no longer reach the Garden's community: forgetting her in the Workshop
    forgets her there too. bob still reaches it on Telegram: his membership there stays."""
    await unlinked(joined)
    asked = await joined.in_place("carla", WORKSHOP, "/forgetme")
    done = text(await joined.press_in("carla", WORKSHOP, button(asked, "Yes, erase it")))
    assert (
        "Your earlier membership of Garden group, which you can no longer reach there: erased too"
        in done
    )
    seen = await contents(joined.store)
    assert not [m for m in seen["members"] if m["user_ref"] == "carla"]
    assert not [a for a in seen["accounts"] if a["user_ref"] == "carla"]
    shed = next(p for p in seen["proposals"] if p["title"] == "Shared shed")
    assert shed["author_id"] is None

    asked = await joined.in_place("bob", WORKSHOP, "/forgetme")
    done = text(await joined.press_in("bob", WORKSHOP, button(asked, "Yes, erase it")))
    assert "earlier membership" not in done
    seen = await contents(joined.store)
    (bob,) = [m for m in seen["members"] if m["display_name"] == "bob"]
    assert bob["platform"] == "telegram" and bob["left_at"] is None
    # Still a person with a membership, his accounts stay his (one /forgetme there ends them).
    assert sorted(a["platform"] for a in seen["accounts"] if a["user_ref"] == "bob") == [
        "discord",
        "telegram",
    ]


# -- storage -----------------------------------------------------------------------------------


async def test_the_history_goes_when_the_old_community_goes(joined: Places) -> None:
    """history_of is ON DELETE SET NULL: the new community reads nothing of a community that
    is gone, and says nothing of it."""
    await unlinked(joined)
    seen = await contents(joined.store)
    garden = community_named(seen, "Garden group")
    async with joined.store.unit_of_work() as uow:
        session = uow._session  # type: ignore[attr-defined]
        await session.change(
            sa.text("DELETE FROM communities WHERE id = :id"), {"id": garden["id"]}
        )
        await uow.commit()
    workshop = community_named(await contents(joined.store), "Workshop server")
    assert workshop["history_of"] is None
    assert "#1" not in text(await joined.in_place("bob", WORKSHOP, "/proposals all"))
    if isinstance(joined.store, SqliteStore):
        keys = joined.store.conn.exec_driver_sql("PRAGMA foreign_key_list(communities)")
        assert [(k[3], k[2], k[6]) for k in keys] == [("history_of", "communities", "SET NULL")]


async def test_linked_again_the_other_way_no_number_means_two_things(joined: Places) -> None:
    """After the split the Workshop (no proposals of its own yet) gives the code and the Garden
    joins it: the Garden's #1-#3 come after the numbers made together, and the Workshop reads
    them as its own from then on."""
    await unlinked(joined)
    await joined.advance(timedelta(minutes=5))
    code = await place_code(joined, "dan", WORKSHOP)
    done = await joined.in_place("ana", GARDEN, f"/link {code}")
    assert "has joined Workshop server" in text(public(done))
    listed = text(await joined.in_place("bob", WORKSHOP, "/proposals all"))
    assert "#4 Seed swap" in listed and "#5 Tool library" in listed and "#6 Shared shed" in listed
    assert "Made together" not in listed
    assert "Tool library" in text(await joined.in_place("ana", GARDEN, "/proposal 5"))


async def test_unlink_sent_privately_splits_off_the_place_on_that_platform(joined: Places) -> None:
    done = await joined.privately_in("dan", WORKSHOP, "/unlink")
    assert "Workshop server has left this community" in text(public(done))
    seen = await contents(joined.store)
    workshop = community_named(seen, "Workshop server")
    (link,) = [link for link in seen["community_links"] if link["platform"] == "discord"]
    assert link["community_id"] == workshop["id"]

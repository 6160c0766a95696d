"""The check-in and mutual-aid repositories keep their contract on every SQL engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.catalog import Phrase
from bot.ports import Store
from bot.services.needs.records import (
    Answer,
    CheckinAnswer,
    Need,
    Outcome,
    Pause,
    RequestState,
    Tally,
)

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


async def _people(store: Store, *names: str) -> tuple[int, list[int]]:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name="c", timezone="UTC", language="en", now=NOW)
        ids = []
        for name in names:
            member = await uow.members.add(
                community_id=community.id,
                platform="test",
                user_ref=name,
                display_name=name,
                language=None,
                now=NOW,
            )
            ids.append(member.id)
        await uow.commit()
    return community.id, ids


async def test_rounds_invitations_and_answers(store: Store) -> None:
    community_id, (ana, bob) = await _people(store, "ana", "bob")
    needs = [Need("food"), Need("childcare", "child care")]
    async with store.unit_of_work() as uow:
        opened = await uow.checkins.add_round(
            community_id=community_id,
            opened_at=NOW,
            closes_at=NOW + timedelta(days=3),
            started_by="schedule",
            needs=needs,
        )
        own = await uow.checkins.add_round(
            community_id=community_id,
            opened_at=NOW,
            closes_at=NOW + timedelta(days=3),
            started_by="member",
            needs=needs,
            owner_id=bob,
        )
        first = await uow.checkins.invite(opened.id, ana, NOW)
        again = await uow.checkins.invite(opened.id, ana, NOW + timedelta(hours=1))
        assert again == first  # inviting twice keeps the first invitation
        await uow.checkins.invite(opened.id, bob, NOW)
        first.reminded_at = NOW + timedelta(days=1)
        await uow.checkins.save_invitation(first)
        await uow.checkins.save_answer(
            CheckinAnswer(opened.id, ana, NOW, {"food": Answer.STRAINED}, ["food"], [], "a note")
        )
        replaced = CheckinAnswer(opened.id, ana, NOW, {"food": Answer.OKAY}, [], ["other"])
        await uow.checkins.save_answer(replaced)
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert [r.id for r in await uow.checkins.open_rounds(community_id)] == [opened.id]
        assert (await uow.checkins.open_personal(community_id, bob)) == own
        assert await uow.checkins.open_personal(community_id, ana) is None
        found = await uow.checkins.get_round(opened.id)
        assert found is not None and found.needs == needs and found.is_open
        invited = await uow.checkins.invitations(opened.id)
        assert [(i.member_id, i.reminded_at) for i in invited] == [
            (ana, NOW + timedelta(days=1)),
            (bob, None),
        ]
        assert await uow.checkins.answers(opened.id) == [replaced]
        assert await uow.checkins.answer(opened.id, bob) is None

        found.closed_at = NOW + timedelta(days=3)
        found.respondents, found.invited, found.unreachable = 1, 2, 0
        found.tallies = {"food": Tally(0, 0), "childcare": Tally(1, 0)}
        found.threshold = 3
        found.unreachable_told = True
        await uow.checkins.save_round(found)
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert await uow.checkins.open_rounds(community_id) == []
        closed = await uow.checkins.closed_rounds(community_id, NOW - timedelta(days=1))
        assert closed == [found]
        assert await uow.checkins.closed_rounds(community_id, NOW + timedelta(seconds=1)) == []


async def test_retention_deletes_per_member_rows_and_keeps_aggregates(store: Store) -> None:
    community_id, (ana, bob) = await _people(store, "ana", "bob")
    closed_at = NOW + timedelta(days=3)
    async with store.unit_of_work() as uow:
        shared = await uow.checkins.add_round(
            community_id=community_id,
            opened_at=NOW,
            closes_at=closed_at,
            started_by="moderator",
            needs=[Need("food")],
        )
        own = await uow.checkins.add_round(
            community_id=community_id,
            opened_at=NOW,
            closes_at=closed_at,
            started_by="member",
            needs=[Need("food")],
            owner_id=bob,
        )
        for found, who in ((shared, ana), (own, bob)):
            await uow.checkins.invite(found.id, who, NOW)
            await uow.checkins.save_answer(
                CheckinAnswer(found.id, who, NOW, {"food": Answer.UNMET})
            )
            found.closed_at, found.respondents = closed_at, 1
            await uow.checkins.save_round(found)
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert await uow.checkins.earliest_retained(community_id) == closed_at
        assert await uow.checkins.purge_closed_by(community_id, closed_at - timedelta(1)) == 0
        assert await uow.checkins.purge_closed_by(community_id, closed_at) == 5
        assert await uow.checkins.earliest_retained(community_id) is None
        assert await uow.checkins.answers(shared.id) == []
        assert await uow.checkins.get_round(own.id) is None  # a member's own check-in goes
        kept = await uow.checkins.get_round(shared.id)
        assert kept is not None and kept.respondents == 1
        await uow.commit()


async def test_pauses(store: Store) -> None:
    _, (ana,) = await _people(store, "ana")
    async with store.unit_of_work() as uow:
        assert await uow.checkins.pause(ana) is None
        await uow.checkins.set_pause(Pause(ana, None))
        await uow.checkins.set_pause(Pause(ana, NOW))
        assert await uow.checkins.pause(ana) == Pause(ana, NOW)
        assert await uow.checkins.clear_pause(ana)
        assert not await uow.checkins.clear_pause(ana)


async def test_offers_and_requests(store: Store) -> None:
    community_id, (ana, bob) = await _people(store, "ana", "bob")
    async with store.unit_of_work() as uow:
        soup = await uow.offers.add(
            community_id=community_id, member_id=ana, category="food", what="soup", now=NOW
        )
        bikes = await uow.offers.add(
            community_id=community_id,
            member_id=ana,
            category="other",
            what="bike repairs",
            now=NOW,
            public=True,
        )
        soup.last_matched_at = NOW
        await uow.offers.save(soup)
        request = await uow.aid_requests.add(
            community_id=community_id,
            member_id=bob,
            category="food",
            details="for the kids",
            now=NOW,
            expires_at=NOW + timedelta(days=14),
        )
        assert request.state is RequestState.UNMATCHED
        request.state, request.current_offer_id, request.asked_at = (
            RequestState.ASKING_OFFERER,
            soup.id,
            NOW,
        )
        await uow.aid_requests.save(request)
        await uow.aid_requests.record_attempt(request.id, soup.id, Outcome.ASKED, NOW)
        await uow.aid_requests.record_attempt(request.id, soup.id, Outcome.DECLINED, NOW)
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert await uow.offers.of_member(ana) == [soup, bikes]
        assert await uow.offers.in_category(community_id, "food") == [soup]
        assert await uow.aid_requests.get(request.id) == request
        assert await uow.aid_requests.of_member(bob) == [request]
        assert await uow.aid_requests.open_in(community_id) == [request]
        assert await uow.aid_requests.asking(soup.id) == [request]
        assert await uow.aid_requests.attempts(request.id) == {soup.id: Outcome.DECLINED}

        # Removing an offer forgets the attempts and leaves the request pointing nowhere.
        assert await uow.offers.remove(soup.id)
        assert not await uow.offers.remove(soup.id)
        after = await uow.aid_requests.get(request.id)
        assert after is not None and after.current_offer_id is None
        assert await uow.aid_requests.attempts(request.id) == {}
        assert await uow.aid_requests.remove(request.id)
        assert await uow.aid_requests.get(request.id) is None
        await uow.commit()


async def test_each_offerer_asked_about_a_request_keeps_their_own_answer(store: Store) -> None:
    """Matching relies on this: a late yes, a reserve yes and a day without answer coexist."""
    community_id, (ana, bob, cy) = await _people(store, "ana", "bob", "cy")
    opened = NOW + timedelta(microseconds=123456)  # a need-done button names it to the ms
    async with store.unit_of_work() as uow:
        soup = await uow.offers.add(
            community_id=community_id, member_id=ana, category="food", what="soup", now=NOW
        )
        bread = await uow.offers.add(
            community_id=community_id, member_id=bob, category="food", what="bread", now=NOW
        )
        request = await uow.aid_requests.add(
            community_id=community_id,
            member_id=cy,
            category="food",
            details="",
            now=opened,
            expires_at=opened + timedelta(days=14),
        )
        await uow.aid_requests.record_attempt(request.id, soup.id, Outcome.ASKED, NOW)
        await uow.aid_requests.record_attempt(request.id, bread.id, Outcome.ASKED, NOW)
        await uow.aid_requests.record_attempt(request.id, soup.id, Outcome.NO_ANSWER, NOW)
        await uow.aid_requests.record_attempt(request.id, bread.id, Outcome.ACCEPTED, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.aid_requests.attempts(request.id) == {
            soup.id: Outcome.NO_ANSWER,
            bread.id: Outcome.ACCEPTED,
        }
        found = await uow.aid_requests.get(request.id)
        assert found is not None and found.opened_at == opened


async def test_personal_data_is_exported_and_erased(store: Store) -> None:
    community_id, (ana, bob) = await _people(store, "ana", "bob")
    async with store.unit_of_work() as uow:
        shared = await uow.checkins.add_round(
            community_id=community_id,
            opened_at=NOW,
            closes_at=NOW + timedelta(days=3),
            started_by="schedule",
            needs=[Need("food")],
        )
        for who in (ana, bob):
            await uow.checkins.invite(shared.id, who, NOW)
        await uow.checkins.save_answer(
            CheckinAnswer(shared.id, ana, NOW, {"food": Answer.UNMET}, note="private words")
        )
        await uow.checkins.set_pause(Pause(ana, None))
        await uow.offers.add(
            community_id=community_id, member_id=ana, category="food", what="soup", now=NOW
        )
        await uow.aid_requests.add(
            community_id=community_id,
            member_id=ana,
            category="housing",
            details="a room",
            now=NOW,
            expires_at=NOW + timedelta(days=14),
        )
        await uow.commit()

    async with store.unit_of_work() as uow:
        checkins = await uow.checkins.export_member(ana)
        assert {"checkins_paused_until": Phrase("mydata_value_until_you_resume")} in checkins
        assert any(row.get("note") == "private words" for row in checkins)
        assert any("invited_to" in row for row in await uow.checkins.export_member(bob))
        assert (await uow.offers.export_member(ana))[0]["offer"] == "soup"
        assert (await uow.aid_requests.export_member(ana))[0]["details"] == "a room"

        assert await uow.checkins.erase_member(ana) == 3  # invitation, answer, pause
        assert await uow.offers.erase_member(ana) == 1
        assert await uow.aid_requests.erase_member(ana) == 1
        for repository in (uow.checkins, uow.offers, uow.aid_requests):
            assert await repository.export_member(ana) == []
        assert await uow.checkins.export_member(bob) != []
        await uow.commit()


async def test_a_rolled_back_unit_of_work_leaves_nothing(store: Store) -> None:
    community_id, (ana,) = await _people(store, "ana")
    async with store.unit_of_work() as uow:
        await uow.offers.add(
            community_id=community_id, member_id=ana, category="food", what="soup", now=NOW
        )
    async with store.unit_of_work() as uow:
        assert await uow.offers.of_member(ana) == []

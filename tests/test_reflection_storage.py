"""The reflection repositories keep their contract on every SQL engine (the `store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.catalog import Phrase
from bot.ports import Store

NOW = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)


async def community_with(store: Store, *names: str) -> tuple[int, list[int]]:
    async with store.unit_of_work() as uow:
        community = await uow.communities.add(name="Garden", timezone="UTC", language="en", now=NOW)
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


async def test_community_prompts_are_added_listed_and_removed(store: Store) -> None:
    cid, (ana,) = await community_with(store, "ana")
    other, _ = await community_with(store)
    async with store.unit_of_work() as uow:
        repo = uow.reflection_prompts
        first = await repo.add(
            community_id=cid, text="Who helped?", theme="gratitude", author_id=ana,
            suggested=True, now=NOW,
        )  # fmt: skip
        second = await repo.add(
            community_id=cid, text="What now?", theme=None, author_id=None, suggested=False,
            now=NOW,
        )  # fmt: skip
        await uow.commit()
    assert first.key == f"c{first.id}" and second.id > first.id
    async with store.unit_of_work() as uow:
        repo = uow.reflection_prompts
        assert [p.text for p in await repo.for_community(cid)] == ["Who helped?", "What now?"]
        assert await repo.get(cid, first.id) == first
        assert await repo.get(other, first.id) is None
        assert not await repo.remove(other, first.id)
        assert await repo.remove(cid, first.id)
        assert not await repo.remove(cid, first.id)
        await uow.commit()
    async with store.unit_of_work() as uow:
        third = await uow.reflection_prompts.add(
            community_id=cid, text="Again?", theme=None, author_id=None, suggested=False,
            now=NOW,
        )  # fmt: skip
        assert third.id > second.id  # numbers people have seen are never reused
        assert [p.id for p in await uow.reflection_prompts.for_community(cid)] == [
            second.id,
            third.id,
        ]


async def test_rounds_are_numbered_per_community_and_close_once(store: Store) -> None:
    cid, _ = await community_with(store)
    other, _ = await community_with(store)
    async with store.unit_of_work() as uow:
        repo = uow.reflections
        assert await repo.latest_round(cid) is None
        one = await repo.add_round(
            community_id=cid, prompt_key="needs-01", prompt_text="How are you?", theme="needs",
            cycle=1, now=NOW,
        )  # fmt: skip
        elsewhere = await repo.add_round(
            community_id=other, prompt_key="needs-01", prompt_text="How are you?",
            theme="needs", cycle=1, now=NOW,
        )  # fmt: skip
        two = await repo.add_round(
            community_id=cid, prompt_key="c4", prompt_text="Ours?", theme=None, cycle=1,
            now=NOW + timedelta(days=7),
        )  # fmt: skip
        await uow.commit()
    assert (one.number, two.number, elsewhere.number) == (1, 2, 1)
    async with store.unit_of_work() as uow:
        repo = uow.reflections
        assert await repo.latest_round(cid) == two
        assert await repo.round_by_number(cid, 1) == one
        assert await repo.round_by_number(cid, 3) is None
        assert await repo.get_round(two.id) == two
        assert await repo.keys_in_cycle(cid, 1) == {"needs-01", "c4"}
        assert await repo.keys_in_cycle(cid, 2) == set()
        assert await repo.close_round(one.id, NOW + timedelta(days=2))
        assert not await repo.close_round(one.id, NOW + timedelta(days=3))
        await uow.commit()
    async with store.unit_of_work() as uow:
        closed = await uow.reflections.get_round(one.id)
        assert closed is not None and closed.closed_at == NOW + timedelta(days=2)
        assert not closed.is_open


async def test_answers_are_replaced_per_member_and_shared_on_request(store: Store) -> None:
    cid, (ana, bo) = await community_with(store, "ana", "bo")
    async with store.unit_of_work() as uow:
        repo = uow.reflections
        round_ = await repo.add_round(
            community_id=cid, prompt_key="needs-01", prompt_text="How are you?", theme="needs",
            cycle=1, now=NOW,
        )  # fmt: skip
        first, replaced = await repo.answer(
            round_id=round_.id, member_id=ana, text="Tired.", shared=False, now=NOW
        )
        assert not replaced and first.community_id == cid
        again, replaced = await repo.answer(
            round_id=round_.id, member_id=ana, text="Rested.", shared=True, now=NOW
        )
        assert replaced and again.id == first.id and again.text == "Rested."
        await repo.answer(round_id=round_.id, member_id=bo, text="Fine.", shared=False, now=NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        repo = uow.reflections
        answers = await repo.answers(round_.id)
        assert [(a.text, a.shared) for a in answers] == [("Rested.", True), ("Fine.", False)]
        await repo.set_shared(answers[1].id, True)
        assert (await repo.get_answer(cid, answers[1].id)).shared  # type: ignore[union-attr]
        assert await repo.get_answer(cid + 1, answers[1].id) is None
        assert [a.text for a in await repo.by_member(cid, ana)] == ["Rested."]


async def test_erasing_a_member_removes_answers_and_unnames_prompts(store: Store) -> None:
    cid, (ana, bo) = await community_with(store, "ana", "bo")
    async with store.unit_of_work() as uow:
        round_ = await uow.reflections.add_round(
            community_id=cid, prompt_key="needs-01", prompt_text="How are you?", theme="needs",
            cycle=1, now=NOW,
        )  # fmt: skip
        await uow.reflections.answer(
            round_id=round_.id, member_id=ana, text="Mine.", shared=True, now=NOW
        )
        await uow.reflections.answer(
            round_id=round_.id, member_id=bo, text="Bo's.", shared=True, now=NOW
        )
        await uow.reflection_prompts.add(
            community_id=cid, text="Who helped?", theme=None, author_id=ana, suggested=True,
            now=NOW,
        )  # fmt: skip
        await uow.commit()
    async with store.unit_of_work() as uow:
        exported = await uow.reflections.export_member(ana)
        assert exported[0]["text"] == "Mine." and exported[0]["prompt"] == "How are you?"
        assert (await uow.reflection_prompts.export_member(ana))[0]["how"] == Phrase(
            "mydata_value_suggested"
        )
        assert await uow.reflections.erase_member(ana) == 1
        assert await uow.reflection_prompts.erase_member(ana) == 1
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.reflections.export_member(ana) == []
        assert await uow.reflection_prompts.export_member(ana) == []
        assert [a.text for a in await uow.reflections.answers(round_.id)] == ["Bo's."]
        [kept] = await uow.reflection_prompts.for_community(cid)
        assert kept.author_id is None and kept.text == "Who helped?"


async def test_a_unit_of_work_that_is_not_committed_leaves_nothing(store: Store) -> None:
    cid, _ = await community_with(store)
    async with store.unit_of_work() as uow:
        await uow.reflections.add_round(
            community_id=cid, prompt_key="needs-01", prompt_text="How are you?", theme="needs",
            cycle=1, now=NOW,
        )  # fmt: skip
        await uow.reflection_prompts.add(
            community_id=cid, text="Who?", theme=None, author_id=None, suggested=False, now=NOW
        )
    async with store.unit_of_work() as uow:
        assert await uow.reflections.latest_round(cid) is None
        assert await uow.reflection_prompts.for_community(cid) == []

"""Schedules fire in the community's timezone, once per due run, and survive restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Job
from bot.feature import Feature
from bot.scheduling import next_weekly, parse_weekly
from storage.sqlite import SqliteStore
from tests.support import START, World, public, text


async def test_a_reflection_schedule_fires_once_per_week_at_local_time(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/setup timezone Europe/Berlin")
    set_reply = text(await world.say("ana", "/schedule reflection fri 17:30"))
    assert "next on Fri 6 Mar, 17:30" in set_reply

    sent = await world.advance(timedelta(days=4, hours=7, minutes=29))  # Fri 16:29 UTC
    assert public(sent) == []
    sent = await world.advance(timedelta(minutes=2))  # 17:30 Berlin = 16:30 UTC
    assert len(public(sent)) == 1 and "Reflection round #1" in text(sent)
    sent = await world.advance(timedelta(days=21))
    prompts = [r for r in public(sent) if "closing" not in r.text]
    assert len(prompts) == 3  # three more Fridays, one prompt each


def test_a_weekly_run_keeps_its_local_time_across_daylight_saving() -> None:
    weekday, hour, minute = parse_weekly("sun 10:00")
    before = datetime(2026, 3, 22, 12, 0, tzinfo=UTC)
    first = next_weekly(weekday, hour, minute, "Europe/Berlin", before)
    second = next_weekly(weekday, hour, minute, "Europe/Berlin", first)
    assert first == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # CEST: UTC+2, the day DST starts
    assert second == datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    winter = next_weekly(weekday, hour, minute, "Europe/Berlin", datetime(2026, 3, 1, tzinfo=UTC))
    assert winter == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # CET: UTC+1


async def test_clearing_a_schedule_stops_it(world: World) -> None:
    world.make_admin("ana")
    await world.say("ana", "/schedule reflection mon 10:00")
    assert "cleared" in text(await world.say("ana", "/schedule reflection off"))
    assert public(await world.advance(timedelta(weeks=2))) == []
    assert "no reflection schedule to clear" in text(
        await world.say("ana", "/schedule reflection off")
    )


async def test_bad_schedule_input_is_refused_with_the_format(world: World) -> None:
    world.make_admin("ana")
    assert "mon 18:00" in text(await world.say("ana", "/schedule reflection someday"))
    assert "isn't a weekday" in text(await world.say("ana", "/schedule reflection xyz 10:00"))
    assert "isn't a time of day" in text(await world.say("ana", "/schedule reflection mon 25:00"))
    refused = text(await world.say("ana", "/schedule dance mon 10:00"))
    assert "Try one of:" in refused and "reflection" in refused
    assert "nothing is scheduled" in text(await world.say("ana", "/schedule"))


async def test_a_run_missed_while_down_fires_once_at_start_up(tmp_path: object) -> None:
    path = f"{tmp_path}/hearth.db"
    clock = FakeClock(START)
    store = await SqliteStore.open(path)
    world = World(store=store, clock=clock)
    world.make_admin("ana")
    await world.say("ana", "/schedule reflection mon 10:00")
    await store.close()

    clock.advance(timedelta(weeks=3))  # Hearth was down for three weekly runs
    store = await SqliteStore.open(path)
    restarted = World(store=store, clock=clock)
    assert await restarted.hearth.run_due() == 1
    assert len(public(restarted.outbox.sent)) == 1
    assert await restarted.hearth.run_due() == 0
    next_due = await restarted.hearth.next_due()
    assert next_due is not None and next_due > clock.now()
    await store.close()


async def test_one_off_jobs_run_in_time_order_and_a_failing_one_does_not_block(
    world: World,
) -> None:
    ran: list[str] = []
    jobs = Feature("jobs")

    @jobs.command("later", about="Queue two jobs and a broken one.")
    async def later(ctx: CommandContext, args: Args) -> None:
        cid = ctx.community.id
        await ctx.uow.jobs.add(
            community_id=cid,
            kind="note",
            due_at=ctx.now + timedelta(hours=2),
            payload={"n": "second"},
        )
        await ctx.uow.jobs.add(community_id=cid, kind="broken", due_at=ctx.now + timedelta(hours=1))
        await ctx.uow.jobs.add(
            community_id=cid,
            kind="note",
            due_at=ctx.now + timedelta(minutes=30),
            payload={"n": "first"},
        )
        ctx.answer("queued")

    @jobs.job("note")
    async def note(ctx: CommunityContext, job: Job) -> None:
        ran.append(f"{job.payload['n']}@{ctx.now:%H:%M}")

    @jobs.job("broken")
    async def broken(ctx: CommunityContext, job: Job) -> None:
        raise RuntimeError("this job always fails")

    world.hearth.install(jobs)
    await world.say("bob", "/later")
    await world.advance(timedelta(hours=3))
    assert ran == ["first@09:30", "second@11:00"]
    assert await world.hearth.next_due() is None

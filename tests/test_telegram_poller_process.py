"""Two real `hearth run` processes of one Telegram bot on one PostgreSQL database: one polls,
the other stands by; killed, the poller's database session ends and the other polls instead."""

from __future__ import annotations

from pathlib import Path

from tests import postgres
from tests.hearth_process import HearthProcess
from tests.telegram_fake import TOKEN, FakeBotApi


class PgHearthProcess(HearthProcess):
    def __init__(self, fake: FakeBotApi, folder: Path, database: str) -> None:
        folder.mkdir()
        super().__init__(fake, folder)
        self.url = database

    def env(self) -> dict[str, str]:
        return {**super().env(), "HEARTH_DATABASE": self.url}

    def polls(self) -> bool:
        return self.log_path(self.runs).exists() and "polls Telegram for @" in self.logs()


async def test_killing_the_polling_process_hands_polling_to_the_other(tmp_path: Path) -> None:
    url = await postgres.fresh_database()
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    fake = FakeBotApi()
    ana = fake.user(11, "Ana")
    fake.started.add(ana["id"])
    await fake.start()
    processes = [PgHearthProcess(fake, tmp_path / name, plain) for name in ("one", "two")]
    try:
        for process in processes:
            await process.start()
        await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.calls), 60)
        (poller,) = [p for p in processes if p.polls()]
        (other,) = [p for p in processes if p is not poller]
        await poller.kill()

        polls_before = sum(m == "getUpdates" for m, _ in fake.calls)
        # Safety bounds, not timings: the other process takes over within seconds, yet a
        # whole suite's load once stretched that past 10 s.
        await fake.wait_for(
            lambda: sum(m == "getUpdates" for m, _ in fake.calls) > polls_before, 60
        )
        await fake.say(ana, "/help")
        await fake.wait_for(lambda: any(s.chat_id == ana["id"] for s in fake.sent), 60)
        assert other.polls()
        assert await other.stop() == 0
    finally:
        for process in processes:
            await process.ensure_gone()
        await fake.close()
        await postgres.give_back(url)
    assert fake.overlapping_polls == 0
    assert [s.chat_id for s in fake.sent] == [ana["id"]]  # answered once
    assert TOKEN not in other.logs() + poller.logs()

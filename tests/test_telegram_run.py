"""`hearth run` as a real process: configured by the environment, polling the fake Bot API,
answering a group, and shutting down cleanly on SIGINT without leaking the token."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from tests.hearth_process import hearth_run
from tests.telegram_fake import TOKEN, FakeBotApi

GROUP_ID = -1001000000001


async def test_hearth_run_serves_telegram_until_sigint(tmp_path: Path) -> None:
    fake = FakeBotApi()
    group = fake.group(GROUP_ID, "Kitchen")
    bob = fake.user(12, "Bob")
    fake.set_status(group, bob, "member")
    await fake.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update(
        HEARTH_TELEGRAM_TOKEN=TOKEN,
        HEARTH_TELEGRAM_BASE_URL=fake.base_url.removesuffix("/bot"),  # /bot is added for you
        HEARTH_DATABASE=str(tmp_path / "hearth.db"),
        HEARTH_LOG_LEVEL="DEBUG",
    )
    log_path = tmp_path / "stderr.log"
    try:
        async with hearth_run(env, tmp_path, log_path) as process:
            await fake.wait_for(
                lambda: any(m == "getUpdates" and p.get("timeout") for m, p in fake.calls), 30
            )
            update = await fake.say(bob, "/help", chat=group)
            await fake.wait_for(lambda: any(s.chat_id == GROUP_ID for s in fake.sent), 30)
            process.send_signal(signal.SIGINT)
            code = await asyncio.wait_for(process.wait(), 30)
    finally:
        await fake.close()

    logs = log_path.read_text(encoding="utf-8")
    assert code == 0, logs
    assert "Here is what you can use" in fake.sent[0].text
    assert fake.confirmed > update["update_id"]  # the last poll told Telegram it was handled
    assert "chat_member" in fake.allowed
    assert "help" in fake.menu({"type": "default"})
    assert TOKEN.split(":")[1] not in logs
    assert "Telegram adapter polling as @hearth_test_bot" in logs

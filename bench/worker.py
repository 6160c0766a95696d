"""`hearth run` with Telegram's rate limits lifted, for bench/workers.py: the workload there
measures the work per update, not the pacing (which would hold a group to 20 messages a
minute), as bench/telegram.py does in one process. Everything else is `hearth run` itself."""

from __future__ import annotations

import sys
from typing import Any

import adapters.telegram
from adapters.telegram import Pacing, TelegramAdapter
from bot.cli import main

UNLIMITED = Pacing(overall_per_second=1_000_000, group_per_minute=1_000_000)


class UnpacedAdapter(TelegramAdapter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, pacing=UNLIMITED, **kwargs)


if __name__ == "__main__":
    adapters.telegram.TelegramAdapter = UnpacedAdapter  # type: ignore[misc]
    sys.exit(main(["run"]))

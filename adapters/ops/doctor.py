"""`hearth doctor`: the settings, the database and each configured platform, one line per check.

Wired here rather than in the core because it reaches storage and both platforms; each part
gathers its own facts (storage/doctor.py, adapters/telegram/doctor.py,
adapters/discord/doctor.py). Everything is read only, so the doctor is safe beside a running
Hearth. No token is ever printed: the lines name the setting, never its value.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.doctor import Check, database_check, exit_code, fail, line, ok, warn
from bot.settings import Settings, SettingsProblem, load_settings


def run_doctor() -> int:
    """Print one line per check on stdout as it is known; 0 when nothing needs fixing, else 1."""
    for quiet in ("telegram", "discord", "httpx", "alembic"):  # the report is the lines below
        logging.getLogger(quiet).setLevel(logging.ERROR)
    checks: list[Check] = []

    def found(check: Check) -> None:
        checks.append(check)
        print(line(check), flush=True)

    try:
        settings = load_settings()  # the same as `hearth run`, so the same line
    except SettingsProblem as problem:
        found(fail("settings", f"{problem}; nothing else was checked"))
        return exit_code(checks)
    try:
        asyncio.run(examine(settings, found=found))
    except KeyboardInterrupt:
        return 130
    except Exception as problem:  # never a traceback; its message could quote a secret
        found(fail("doctor", f"stopped by an unexpected error ({type(problem).__name__})"))
    return exit_code(checks)


async def examine(settings: Settings, *, found: Callable[[Check], None]) -> None:
    """Each check as soon as it is known, in order: settings, database, Telegram, Discord."""
    from storage.doctor import inspect_database

    telegram, discord = settings.telegram_token, settings.discord_token
    configured = [name for name, token in (("Telegram", telegram), ("Discord", discord)) if token]
    if configured:
        found(ok("settings", f"the HEARTH_* settings load ({' and '.join(configured)} set up)"))
    else:
        found(
            warn(
                "settings",
                "the HEARTH_* settings load, but no platform token is set"
                " (HEARTH_TELEGRAM_TOKEN, HEARTH_DISCORD_TOKEN): `hearth run` would start the"
                " console community",
            )
        )
    state = await inspect_database(settings.database)
    found(database_check(state))
    if telegram is not None:
        from adapters.telegram.doctor import known_groups, telegram_checks

        for check in await telegram_checks(
            telegram.get_secret_value(),
            base_url=settings.telegram_base_url,
            groups=known_groups(state.places),
        ):
            found(check)
    if discord is not None:
        from adapters.discord.doctor import discord_checks

        for check in await discord_checks(discord.get_secret_value()):
            found(check)

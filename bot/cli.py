"""The `hearth` command: run, console, commands, texts, backup and restore, each with --help."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bot.catalog import DEFAULT_LANGUAGE, Catalog
from bot.commands import Command
from bot.errors import PlatformsEnded, StartupProblem
from bot.hearth import Defaults
from bot.runtime import Adapter
from bot.settings import Settings, SettingsProblem, listen_address, load_settings

log = logging.getLogger("hearth")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth", description="Hearth: a community-facilitation bot for Discord and Telegram."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="start every adapter whose token is configured (the console when none is)",
        description="Start every platform adapter whose token is configured. With no token "
        "configured, say so and start the console community.",
    )
    console = sub.add_parser(
        "console",
        help="start the console community in this terminal",
        description="A whole community in the terminal, with a simulated clock.",
    )
    console.add_argument("--db", metavar="PATH", help="SQLite file (default: HEARTH_DATABASE)")
    console.add_argument(
        "--start",
        metavar="ISO-TIME",
        help="where the simulated clock starts, e.g. 2026-03-02T09:00 (UTC; default: now)",
    )
    commands = sub.add_parser(
        "commands",
        help="print every declared command",
        description="Print every command: name, description, parameters and minimum role.",
    )
    commands.add_argument("--json", action="store_true", help="print as JSON")
    commands.add_argument(
        "--language", default=DEFAULT_LANGUAGE, metavar="CODE", help="in this language (default en)"
    )
    texts = sub.add_parser(
        "texts",
        help="check a language's texts for translators",
        description="List the texts a language lacks (shown in English meanwhile) or that differ"
        " from English in placeholders or markup. Exits 1 when there is something to fix.",
    )
    texts.add_argument("--missing", metavar="CODE", required=True, help="the language, e.g. es")
    backup = sub.add_parser(
        "backup",
        help="copy the SQLite database to PATH, safe while Hearth runs",
        description="Copy HEARTH_DATABASE (SQLite) to PATH while Hearth may be running, check"
        " the copy, and say where it is. PostgreSQL: prints the pg_dump line instead.",
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    restore = sub.add_parser(
        "restore",
        help="put a backup in place of the SQLite database (Hearth stopped)",
        description="Replace HEARTH_DATABASE (SQLite) with the backup at PATH, keeping the"
        " current database beside it. Hearth must be stopped. PostgreSQL: prints the"
        " pg_restore line instead.",
    )
    restore.add_argument("path", metavar="PATH", help="the backup file to restore")
    sub.add_parser(
        "doctor",
        help="check the settings, the database and each platform's token and rights",
        description="Check the settings, the database and each configured platform (token,"
        " privacy mode or intents, Hearth's rights in each group, server and channel), one"
        " line each: ok, or what to do. Reads only, so it is safe beside a running Hearth."
        " Exits 1 when something needs fixing.",
    )
    return parser


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)


def _print_commands(as_json: bool, language: str) -> None:
    from bot.app import running_hearth
    from bot.clock import SystemClock

    async def declared() -> tuple[list[Command], Catalog]:
        # The features declare their commands as they install, on a Hearth with a store.
        async with running_hearth(":memory:", clock=SystemClock()) as hearth:
            return hearth.registry.all(), hearth.catalog

    commands, catalog = asyncio.run(declared())
    if as_json:
        found = [c.to_json(catalog, language) for c in commands]
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for command in commands:
        said = command.describe(catalog, language)
        print(f"{command.usage():<48} {command.role.label:<10} {said}")


def _check_texts(language: str) -> int:
    """`hearth texts --missing es`: what a translator still has to do, one key a line."""
    catalog = Catalog.load()
    if language not in catalog.languages:
        known = ", ".join(catalog.languages)
        print(f"hearth: there is no prompts/{language}/ yet (languages: {known})", file=sys.stderr)
        return 2
    problems = catalog.problems(language)
    for key, problem in problems.items():
        print(f"{key}: {problem}")
    english = catalog.keys()
    ready = sum(1 for key in english if key not in problems)
    print(f"{language}: {ready} of {len(english)} texts ready", file=sys.stderr)
    return 1 if problems else 0


def _back_up_or_restore(args: argparse.Namespace, database: str) -> int:
    """`hearth backup PATH` / `hearth restore PATH`: storage.backup does the work."""
    from storage.backup import BackupProblem, back_up, restore, size_label

    try:
        if args.command == "backup":
            made = back_up(database, args.path, force=args.force)
            print(
                f"backed up {database} to {made.path.resolve()}: {size_label(made.size)},"
                f" schema revision {made.revision}"
            )
            return 0
        done = restore(database, args.path)
    except BackupProblem as problem:
        print(f"hearth: {problem}", file=sys.stderr)
        return 2
    except OSError as problem:  # a full disk, a file we may not read or write
        print(f"hearth: {args.command} failed: {problem}", file=sys.stderr)
        return 1
    print(
        f"restored {done.database} from {args.path}: {size_label(done.size)},"
        f" schema revision {done.revision}"
    )
    if done.kept is not None:
        print(f"the database it replaced is kept as {done.kept}")
    if done.older:
        print(
            "the backup is from an older Hearth: its schema is brought up to date when Hearth"
            " next starts"
        )
    return 0


def _start_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _configured_adapters(settings: Settings) -> list[Adapter]:
    """One adapter per platform whose token is set; the adapters themselves import lazily."""
    adapters: list[Adapter] = []
    if settings.telegram_token is not None:
        from adapters.telegram import TelegramAdapter

        token = settings.telegram_token.get_secret_value()
        adapters.append(
            TelegramAdapter(token, base_url=settings.telegram_base_url, webhook=settings.webhook())
        )
    if settings.discord_token is not None:
        from adapters.discord import DiscordAdapter

        token = settings.discord_token.get_secret_value()
        adapters.append(
            DiscordAdapter(
                token,
                dev_guild=settings.discord_dev_guild,
                shards=settings.discord_shard_range,
            )
        )
    return adapters


async def _serve(settings: Settings, defaults: Defaults, adapters: list[Adapter]) -> None:
    from bot.app import running_hearth
    from bot.clock import SystemClock
    from bot.runtime import SharesWithWorkers, serve

    ops = None
    if settings.http_listen:  # the web and Prometheus code load only when asked for
        from adapters.ops import Metrics

        ops = (listen_address(settings.http_listen), Metrics())
    instrument = ops[1].timed if ops is not None else None
    async with (
        running_hearth(
            settings.database, clock=SystemClock(), defaults=defaults, instrument=instrument
        ) as hearth,
        contextlib.AsyncExitStack() as beside,
    ):
        if ops is not None:  # before the platforms: an address in use stops start-up at once
            from adapters.ops import operations_endpoints

            (host, port), metrics = ops
            await beside.enter_async_context(
                operations_endpoints(host, port, hearth, adapters, metrics)
            )
        web = settings.web()
        announce: Callable[[], None] | None = None
        if web is not None:  # before the platforms too, for the same reason
            from adapters.web import web_pages

            pages = await beside.enter_async_context(
                web_pages(hearth, *web, url=settings.web_url, adapters=adapters)
            )

            def announce() -> None:
                log.info("web pages at %s", pages.home)

        from storage.workers import shared_by_workers

        # Several workers on one PostgreSQL database send within one limit per bot, and only
        # one of them polls Telegram; on SQLite (one worker) the adapters keep both themselves.
        workers = await beside.enter_async_context(shared_by_workers(settings.database))
        if workers is not None:
            for adapter in adapters:
                if isinstance(adapter, SharesWithWorkers):
                    adapter.share(workers)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signame in ("SIGINT", "SIGTERM"):
            loop.add_signal_handler(getattr(signal, signame), stop.set)
        await serve(hearth, adapters, stop, on_started=announce)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command == "texts":
        return _check_texts(args.missing)
    if args.command == "doctor":
        from adapters.ops.doctor import run_doctor

        return run_doctor()
    if args.command == "commands":
        try:
            _print_commands(args.json, args.language)
        except ValueError as problem:  # e.g. a broken reflection deck, named with file and line
            print(f"hearth: {problem}", file=sys.stderr)
            return 2
        return 0
    try:
        settings = load_settings()
    except SettingsProblem as problem:
        print(f"hearth: {problem}", file=sys.stderr)
        return 2
    if args.command in ("backup", "restore"):
        return _back_up_or_restore(args, settings.database)
    _configure_logging(settings)
    from adapters.console.runner import run_console

    defaults = Defaults(timezone=settings.timezone, language=settings.language)
    try:
        if args.command == "console":
            start = _start_time(args.start)
            asyncio.run(
                run_console(
                    args.db or settings.database,
                    defaults,
                    start=start,
                    web=settings.web(),
                    web_url=settings.web_url,
                )
            )
            return 0
        configured = _configured_adapters(settings)
        if not configured:
            notice = (
                "No platform token is configured (HEARTH_TELEGRAM_TOKEN, HEARTH_DISCORD_TOKEN):"
                " starting the console community."
            )
            asyncio.run(
                run_console(
                    settings.database,
                    defaults,
                    notice=notice,
                    web=settings.web(),
                    web_url=settings.web_url,
                )
            )
            return 0
        asyncio.run(_serve(settings, defaults, configured))
        return 0
    except (StartupProblem, ValueError) as problem:
        print(f"hearth: {problem}", file=sys.stderr)
        return 2
    except PlatformsEnded as problem:
        print(f"hearth: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as problem:  # anything else still ends in one line; details when asked
        log.debug("stopped by an unexpected error", exc_info=True)
        print(
            f"hearth: stopped by an unexpected error ({type(problem).__name__}: {problem});"
            " run with HEARTH_LOG_LEVEL=DEBUG to see where",
            file=sys.stderr,
        )
        return 1

"""The command menus Telegram shows when someone types "/", generated from the core's commands.

Telegram shows the most specific menu that applies: a person's own in a group
(`BotCommandScopeChatMember`), then the one for administrators of every group
(`BotCommandScopeAllChatAdministrators`), then the default. So at start-up Hearth sets the
member menu as the default and the moderator menu for all groups' administrators at once: an
administrator of a quiet group sees the moderator commands from the first minute, without the
group having to say anything first. A group's own menu is set only for a moderator granted with
/mods, whom Telegram cannot know as one; it is deleted when they are removed or leave.

Every menu is set once in the bot's default language (for everyone whose Telegram language has
no menu of its own) and once per other language of the catalog (`language_code`), so a person
whose Telegram is in German reads German descriptions. Each menu's commands are hashed in
platform_state, so a restart (or a re-check after any event) with nothing changed sends nothing
to Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from adapters.telegram.session import PLATFORM
from bot.ports import Store
from bot.roles import Role
from bot.services.moderators import granted_on

STOP_GRACE = 5.0  # seconds a stopping adapter waits for a menu check under way
log = logging.getLogger("hearth.telegram.menus")

DEFAULT = "default"
ADMINISTRATORS = "all_chat_administrators"
Menu = Callable[[Role, str], list[BotCommand]]  # up to a role, in a language


def _scope(key: str) -> tuple[BotCommandScope, str | None]:
    """The scope and language a state key stands for: 'default', 'all_chat_administrators',
    'chat_member:<chat>:<user>' or (left by older versions) 'chat_administrators:<chat>',
    then '@<language>' for a language's own menu."""
    where, _, language = key.partition("@")
    return _scope_of(where), language or None


def _scope_of(key: str) -> BotCommandScope:
    kind, _, rest = key.partition(":")
    if kind == DEFAULT:
        return BotCommandScopeDefault()
    if kind == ADMINISTRATORS:
        return BotCommandScopeAllChatAdministrators()
    if kind == "chat_member":
        chat, _, user = rest.partition(":")
        return BotCommandScopeChatMember(int(chat), int(user))
    return BotCommandScopeChatAdministrators(int(rest))


def _digest(commands: list[BotCommand]) -> str:
    payload = json.dumps([[c.command, c.description] for c in commands])
    return hashlib.sha256(payload.encode()).hexdigest()


class Menus:
    def __init__(
        self, bot: Bot, store: Store, menu: Menu, languages: list[str], default: str
    ) -> None:
        self._bot = bot
        self._store = store
        self._menu = menu
        self._menus: dict[tuple[Role, str], tuple[list[BotCommand], str]] = {}
        self._languages = [language for language in languages if language != default]
        self._default = default
        self._key = f"command_menus:{bot.id}"
        self._lock = asyncio.Lock()
        self._failed: set[tuple[str, str]] = set()  # tried once this run; again after a restart
        self._known: dict[str, str] | None = None  # what the database says was sent, once read
        self._dirty = False
        self._catching_up: asyncio.Task[None] | None = None

    def _made(self, role: Role, language: str) -> tuple[list[BotCommand], str]:
        """A menu and its digest. The menus are fixed once Hearth has started, and the check
        after every event hashed each anew: 0.8% of the bot's time in the Telegram bench."""
        made = self._menus.get((role, language))
        if made is None:
            commands = self._menu(role, language)
            made = self._menus[(role, language)] = (commands, _digest(commands))
        return made

    async def _wanted(self) -> dict[str, tuple[list[BotCommand], str]]:
        scopes = {DEFAULT: Role.MEMBER, ADMINISTRATORS: Role.MODERATOR}
        for granted in await granted_on(self._store, PLATFORM):
            key = f"chat_member:{granted.community_ref}:{granted.user_ref}"
            scopes[key] = max(granted.role, Role.MODERATOR)
        wanted: dict[str, tuple[list[BotCommand], str]] = {}
        for key, role in scopes.items():
            wanted[key] = self._made(role, self._default)
            for language in self._languages:
                wanted[f"{key}@{language}"] = self._made(role, language)
        return wanted

    async def _legacy(self) -> dict[str, str]:
        """Menus older versions set per group for its administrators: they would outrank the
        menu for all administrators, so they are deleted once."""
        async with self._store.unit_of_work() as uow:
            groups = await uow.communities.links_on(PLATFORM)
        return {f"chat_administrators:{link.community_ref}": "" for link in groups}

    async def sync(self) -> int:
        """Set the menus that changed and delete those no longer wanted; returns the calls made."""
        async with self._lock:
            known, never_stored = self._known, False
            if known is None:
                async with self._store.unit_of_work() as uow:
                    stored = await uow.platform_state.get(PLATFORM, self._key)
                known = json.loads(stored) if stored else await self._legacy()
                never_stored = stored is None
            done = dict(known)
            calls = 0
            wanted = await self._wanted()
            for key, (commands, digest) in wanted.items():
                if known.get(key) == digest or (key, digest) in self._failed:
                    continue
                calls += 1
                scope, language = _scope(key)
                try:
                    await self._bot.set_my_commands(commands, scope=scope, language_code=language)
                except TelegramError as error:
                    self._failed.add((key, digest))
                    log.warning("could not set a command menu scope=%s: %s", key, error)
                    continue
                done[key] = digest
            for key in sorted(known.keys() - wanted.keys()):
                calls += 1
                scope, language = _scope(key)
                with contextlib.suppress(TelegramError):  # gone already (a group left, say)
                    await self._bot.delete_my_commands(scope=scope, language_code=language)
                del done[key]
            if never_stored or done != known:
                async with self._store.unit_of_work() as uow:
                    await uow.platform_state.put(PLATFORM, self._key, json.dumps(done))
                    await uow.commit()
            self._known = done
            if calls:
                log.info("command menus synced calls=%d", calls)
            return calls

    async def changed(self) -> None:
        """After any event or scheduled work: a moderator may have been granted or removed.
        Checked in the background, one check at a time, so no reply waits for it."""
        self._dirty = True
        if self._catching_up is None or self._catching_up.done():
            self._catching_up = asyncio.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self.sync()
            except Exception:
                log.exception("checking the command menus failed; will check after the next event")

    async def stop(self) -> None:
        """Let a check under way finish (for a while) rather than cut it off: cut off between
        setting a menu and saving what was set, the menu would be set again after a restart.
        (On PostgreSQL every statement is a real wait, so a cancel would land there.)"""
        self._dirty = False  # no further round
        task = self._catching_up
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

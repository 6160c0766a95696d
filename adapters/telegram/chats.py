"""What the adapter knows about groups: who administers them, and their forum topics."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable

from bot.numbers import whole_number

log = logging.getLogger("hearth.telegram.chats")
Fetch = Callable[[int], Awaitable[dict[int, str] | None]]  # None: could not be fetched
_TOPIC_LINK = re.compile(r"^(?:https?://)?t\.me/c/\d+/(\d+)(?:/\d+)?/?$")


class AdminCache:
    """Administrators of each group, fetched with getChatAdministrators and kept briefly.

    A chat_member update in a group forgets its entry, so promotions and demotions count from
    the next message on; otherwise an entry lives `ttl` seconds. A failed fetch counts nobody
    as an administrator for that message only: it is not kept.
    """

    def __init__(
        self, fetch: Fetch, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[int, tuple[float, dict[int, str]]] = {}

    async def statuses(self, chat_id: int) -> dict[int, str]:
        """user id -> "creator" or "administrator", for every administrator of the chat."""
        now = self._clock()
        cached = self._entries.get(chat_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        found = await self._fetch(chat_id)
        if found is None:
            return {}
        self._entries[chat_id] = (now, found)
        return found

    def forget(self, chat_id: int) -> None:
        self._entries.pop(chat_id, None)


class Topics:
    """Forum topics by name, learned from the topics' service messages as they pass by.

    Telegram has no method to list a group's topics, so a name is known once Hearth has seen
    the topic created, renamed or used; a topic id or a topic link always works.
    """

    def __init__(self) -> None:
        self._names: dict[int, dict[str, int]] = {}

    def learn(self, chat_id: int, name: str, thread_id: int) -> None:
        self._names.setdefault(chat_id, {})[_key(name)] = thread_id

    def resolve(self, chat_id: int, channel_ref: str | None) -> int | None:
        """The topic (message thread) a channel ref names in this group; None for General."""
        if channel_ref is None:
            return None
        ref = channel_ref.strip()
        if ref in ("", str(chat_id)):
            return None
        link = _TOPIC_LINK.match(ref)
        if link:
            return int(link.group(1))
        number = ref.removeprefix("#")
        if whole_number(number) is not None:
            return int(number)
        found = self._names.get(chat_id, {}).get(_key(ref))
        if found is None:
            log.warning("unknown topic in a channel setting; posting in General instead")
        return found


def _key(name: str) -> str:
    return name.strip().removeprefix("#").strip().casefold()

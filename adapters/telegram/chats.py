"""What the adapter knows about groups: who administers them, and their forum topics."""

from __future__ import annotations

import asyncio
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

    Messages that miss the cache at once share one fetch: after a start, the first burst in a
    busy group (50 people writing) made 50 getChatAdministrators calls, 3.4% of the bot's
    time over the 2,000 updates of the Telegram bench.
    """

    def __init__(
        self, fetch: Fetch, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[int, tuple[float, dict[int, str]]] = {}
        self._fetching: dict[int, asyncio.Future[dict[int, str] | None]] = {}

    async def statuses(self, chat_id: int) -> dict[int, str]:
        """user id -> "creator" or "administrator", for every administrator of the chat."""
        now = self._clock()
        cached = self._entries.get(chat_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        fetching = self._fetching.get(chat_id)
        if fetching is None:
            fetching = asyncio.ensure_future(self._fetch(chat_id))
            self._fetching[chat_id] = fetching
            fetching.add_done_callback(lambda done: self._fetched(chat_id, now, done))
        # shielded: one waiter cancelled (its update stopped) leaves the fetch to the others
        found = await asyncio.shield(fetching)
        return found if found is not None else {}

    def _fetched(
        self, chat_id: int, asked: float, done: asyncio.Future[dict[int, str] | None]
    ) -> None:
        if self._fetching.get(chat_id) is not done:
            return  # forgotten meanwhile: the list may be from before a promotion
        del self._fetching[chat_id]
        if done.cancelled() or done.exception() is not None:
            return
        found = done.result()
        if found is not None:
            self._entries[chat_id] = (asked, found)

    def forget(self, chat_id: int) -> None:
        self._entries.pop(chat_id, None)
        self._fetching.pop(chat_id, None)  # later messages fetch anew

    async def stop(self) -> None:
        """Stop the fetches in flight (their updates were stopped already)."""
        fetching = list(self._fetching.values())
        self._fetching.clear()
        for each in fetching:
            each.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)


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

"""What the adapter remembers about private chats, in memory: platform bookkeeping only.

Which group each person's chat is about is the core's to remember (Hearth.wrote_privately,
Hearth.community_for_private), across restarts. Here: which group each message with buttons
came from, whom Telegram refused to let the bot message, and what waits for a person to pick a
group. After a restart this is empty: a press on an old button says it is stale.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

Waiting = Callable[[str], Awaitable[None]]


class PrivateChats:
    def __init__(self, remembered_buttons: int = 5000) -> None:
        self.refused: set[int] = set()  # people Telegram would not let the bot message
        self.waiting: dict[int, Waiting] = {}  # what to run once a person picks a group
        self._buttons: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._remembered = remembered_buttons

    def sent(self, user_id: int, group: str, message_id: int | None = None) -> None:
        """The bot wrote to this person about `group` (a message with buttons, if given)."""
        self.refused.discard(user_id)
        if message_id is not None:
            self._buttons[(user_id, message_id)] = group
            while len(self._buttons) > self._remembered:
                self._buttons.popitem(last=False)

    def group_of(self, chat_id: int, message_id: int) -> str | None:
        """The group a message with buttons in a private chat was about."""
        return self._buttons.get((chat_id, message_id))

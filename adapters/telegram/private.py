"""What the adapter remembers about private chats, in memory.

A private chat with the bot is not tied to a group, so the adapter keeps which group each
person's chat is about (the one that last wrote to them there, or that they picked), which
group each message with buttons came from, and whom Telegram refused to let it message. After
a restart this is empty: a person in one group is unaffected, one in several is asked again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

Waiting = Callable[[str], Awaitable[None]]


class PrivateChats:
    def __init__(self, remembered_buttons: int = 5000) -> None:
        self.current: dict[int, str] = {}  # person -> the group their private chat is about
        self.refused: set[int] = set()  # people Telegram would not let the bot message
        self.waiting: dict[int, Waiting] = {}  # what to run once a person picks a group
        self._buttons: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._remembered = remembered_buttons

    def sent(self, user_id: int, group: str, message_id: int | None = None) -> None:
        """The bot wrote to this person about `group` (a message with buttons, if given)."""
        self.current[user_id] = group
        self.refused.discard(user_id)
        if message_id is not None:
            self._buttons[(user_id, message_id)] = group
            while len(self._buttons) > self._remembered:
                self._buttons.popitem(last=False)

    def group_of(self, chat_id: int, message_id: int) -> str | None:
        """The group a message with buttons in a private chat was about."""
        return self._buttons.get((chat_id, message_id))

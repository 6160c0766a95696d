"""`hearth doctor` for Telegram: the token, privacy mode, and Hearth's rights in each group it
knows, asked of Telegram through python-telegram-bot's `Bot` on Hearth's own transport (the
same requests `hearth run` makes), and read only: nothing is sent, set or deleted.

What Hearth needs in a group (README, "Running Hearth in Telegram"): to be an administrator,
since Telegram tells only administrators when members join or leave; with the "Delete messages"
right, so it can remove a command typed in the group that holds words meant for it alone
(`/reflect private …`, `/need …`; incoming.py). Privacy mode matters only where Hearth is not
an administrator: Telegram shows administrators every message anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatMemberOwner, User
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)

from adapters.telegram.adapter import api_base_url
from adapters.telegram.session import PLATFORM
from adapters.telegram.transport import Transport
from bot.doctor import Check, KnownPlace, fail, ok, warn

TIMEOUT = 10.0  # seconds per request: an unreachable Telegram is one line, never a hang
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
NAME = "Telegram"
ADMIN_HOW = (
    'in the group, open its settings → Administrators → Add Admin, choose Hearth and keep "Delete'
    ' messages" on'
)


@dataclass(frozen=True)
class _Standing:
    """Hearth in one group, as Telegram answered; `check` is its line."""

    administrator: bool
    check: Check


async def telegram_checks(
    token: str,
    *,
    base_url: str | None,
    groups: Sequence[KnownPlace],
    patience: float = TIMEOUT,
) -> list[Check]:
    """The token, privacy mode, then one line per known Telegram group."""
    transports = (Transport(timeout=patience, connections=4), Transport(timeout=patience))
    bot = Bot(
        token,
        base_url=api_base_url(base_url) or DEFAULT_BASE_URL,
        request=transports[0],
        get_updates_request=transports[1],
    )
    try:
        try:
            await bot.initialize()  # getMe
        except InvalidToken:  # its message may quote the token: never shown
            return [
                fail(
                    NAME,
                    "Telegram refused HEARTH_TELEGRAM_TOKEN; copy the token @BotFather gave you"
                    " (send /mybots to @BotFather, choose the bot, then API Token)",
                )
            ]
        except NetworkError as error:
            return [fail(NAME, _unreachable(error, token))]
        except TelegramError as error:  # e.g. asked to wait (429): Telegram's own words
            reason = error.message.replace(token, "***")
            return [fail(NAME, f"Telegram did not answer as expected ({reason}); try again soon")]
        me = bot.bot
        standings = [await _standing(bot, me, place, token) for place in groups]
        return [
            ok(NAME, f"the token works: the bot is @{me.username}"),
            _privacy(me, standings),
            *(standing.check for standing in standings),
        ]
    finally:
        for transport in transports:  # also when initialize failed (PTB leaves them open)
            await transport.shutdown()


def _unreachable(error: TelegramError, token: str) -> str:
    reason = error.message.replace(token, "***")
    return (
        f"could not reach the Telegram Bot API ({reason}); check this machine's network"
        " connection (and HEARTH_TELEGRAM_BASE_URL if set)"
    )


def _privacy(me: User, standings: Sequence[_Standing]) -> Check:
    name = "Telegram privacy mode"
    if me.can_read_all_group_messages:
        return ok(name, "off: Hearth sees what members type in groups, so they can answer there")
    if standings and all(standing.administrator for standing in standings):
        return ok(
            name,
            "on, which is fine: Hearth is an administrator in every group it knows, and Telegram"
            " shows administrators every message",
        )
    return warn(
        name,
        "on: in a group where Hearth is not an administrator it sees only commands, buttons and"
        " replies to its own messages, so members there cannot answer it by typing. If they"
        " should, make Hearth an administrator there, or send /setprivacy to @BotFather, choose"
        " this bot and Disable, then remove Hearth from the group and add it again",
    )


async def _standing(bot: Bot, me: User, place: KnownPlace, token: str) -> _Standing:
    name = f'Telegram group "{place.name}"'
    removed = (
        "Hearth was removed from this group; its community is paused until someone adds Hearth"
        " again"
    )

    def gone(what: str) -> _Standing:
        # Hearth noticed it was removed and paused the community: worth knowing, not a fault.
        found = warn(name, removed) if place.away else fail(name, what)
        return _Standing(False, found)

    try:
        chat_id = int(place.ref)
    except ValueError:
        return _Standing(False, fail(name, f"the database holds {place.ref!r}, not a chat id"))
    try:
        member = await bot.get_chat_member(chat_id, me.id)
    except Forbidden:
        return gone(
            "Hearth is no longer in this group (Telegram says it was removed); add it again as an"
            " administrator if the community should go on"
        )
    except ChatMigrated:
        return _Standing(
            False,
            warn(
                name,
                "this group became a supergroup with a new id; Hearth moves its community there"
                " when the next message comes",
            ),
        )
    except BadRequest as error:
        return gone(
            f"Telegram cannot find this group ({error.message}); it may have been deleted, or"
            " Hearth removed from it"
        )
    except NetworkError as error:
        return _Standing(False, fail(name, _unreachable(error, token)))
    except TelegramError as error:
        return _Standing(False, fail(name, f"Telegram did not answer about it ({error.message})"))
    return _rights(name, member, gone)


def _rights(name: str, member: ChatMember, gone: Callable[[str], _Standing]) -> _Standing:
    if isinstance(member, ChatMemberOwner):
        return _Standing(True, ok(name, "Hearth owns this group, so it may do all it needs"))
    if isinstance(member, ChatMemberAdministrator):
        if member.can_delete_messages:
            return _Standing(True, ok(name, "Hearth is an administrator and may delete messages"))
        return _Standing(
            True,
            fail(
                name,
                "Hearth is an administrator but may not delete messages, so a command typed"
                " there with words meant for Hearth alone (such as /reflect private …) stays"
                " visible to everyone; in the group's settings → Administrators → Hearth, turn"
                ' on "Delete messages"',
            ),
        )
    if member.status in (ChatMember.LEFT, ChatMember.BANNED):
        return gone(
            "Hearth is no longer in this group; add it again as an administrator if the"
            " community should go on"
        )
    return _Standing(
        False,
        fail(
            name,
            "Hearth is not an administrator, so Telegram does not tell it when members join or"
            " leave, and it cannot delete a command typed there with words meant for it alone"
            f" (such as /reflect private …); {ADMIN_HOW}",
        ),
    )


def known_groups(places: Sequence[KnownPlace]) -> list[KnownPlace]:
    return [place for place in places if place.platform == PLATFORM]

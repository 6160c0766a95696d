"""The HTTP transport to the Bot API, and which failed requests may be sent again.

PTB turns every answer it has no special class for (500, 502, 503, ...) into a plain
NetworkError, the same class as "the connection dropped": the transport tells Telegram's own
5xx answers apart (ServerError), and `may_send_again` decides from what is known about a
failure whether resending can only help or might duplicate a message:

- Telegram answered 5xx: it says the request failed. Sent again. (A 502/504 from the proxy in
  front of the Bot API could, rarely, hide a message that went through anyway: a possible
  duplicate is accepted there, since the alternative is a member silently missing it.)
- the request never left (no connection could be made, or none was free in the pool): safe.
- the request left and no answer came (a read or write timeout, a dropped connection): for
  methods that post a message this is ambiguous, since Telegram may have delivered it. Those
  are NOT resent here; the caller decides (an outbox delivery is retried later by the core,
  an interactive reply is kept in the outbox). Reads and edits are idempotent: resent.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.request import HTTPXRequest

# Methods whose repetition makes a second message; everything else may simply be asked again.
_POSTS = ("send", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ServerError(NetworkError):
    """Telegram answered 5xx: it could not handle the request right now."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{description} ({status})")
        self.status = status


class Transport(HTTPXRequest):
    """PTB's httpx transport, with Telegram's 5xx answers raised as ServerError."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status >= 500:
            raise ServerError(status, _description(payload))
        return status, payload


def _description(payload: bytes) -> str:
    try:
        found = json.loads(payload).get("description")
    except (ValueError, AttributeError):
        found = None
    return found if isinstance(found, str) and found else "server error"


def posts_a_message(endpoint: str) -> bool:
    return endpoint.startswith(_POSTS)


def never_sent(error: BaseException) -> bool:
    """The request did not reach Telegram at all (PTB keeps httpx's error as the cause)."""
    return isinstance(error.__cause__, _NEVER_SENT)


def is_transient(error: TelegramError) -> bool:
    """A failure a later try may overcome (the network, Telegram's servers), unlike a refusal."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def may_send_again(error: TelegramError, endpoint: str) -> bool:
    """Whether resending this request now cannot make Telegram show a message twice."""
    if not is_transient(error):
        return False
    if isinstance(error, ServerError) or never_sent(error):
        return True
    return not posts_a_message(endpoint)


def failure_kind(error: BaseException) -> str:
    """A short name for logs. A network failure's message may quote a URL holding the token,
    so only its class is named; a refusal's message is Telegram's own description."""
    if isinstance(error, ServerError):
        return f"HTTP {error.status}"
    if isinstance(error, TelegramError) and not is_transient(error):
        return f"{type(error).__name__}: {error.message}"
    cause = error.__cause__
    return type(cause).__name__ if cause is not None else type(error).__name__

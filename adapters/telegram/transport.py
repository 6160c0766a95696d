"""The HTTP transport to the Bot API, and which failed requests may be sent again.

PTB's default transport (httpx, pure Python) costs about 2.5 ms of CPU per request; this one
hands PTB's requests to aiohttp (C-accelerated, and already installed for discord.py) at about
a third of that, which is what lets one process keep up with Telegram's message rate during a
large fan-out (see `make bench`). It also tells Telegram's own 5xx answers apart (ServerError;
PTB makes every unknown status a plain NetworkError, like a dropped connection).

`may_send_again` decides from what is known about a failure whether resending can only help
or might duplicate a message:

- Telegram answered 5xx: it says the request failed. Sent again. (A 502/504 from the proxy in
  front of the Bot API could, rarely, hide a message that went through anyway: a possible
  duplicate is accepted there, since the alternative is a member silently missing it.)
- the request never left (no connection could be made, or none was free in time): safe.
- the request left and no answer came (a read timeout, a dropped connection): for methods that
  post a message this is ambiguous, since Telegram may have delivered it. Those are NOT resent
  here; the caller decides (an outbox delivery is retried later by the core, an interactive
  reply is kept in the outbox). Reads and edits are idempotent: resent.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

# Methods whose repetition makes a second message; everything else may simply be asked again.
_POSTS = ("send", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
# Failures before any byte of the request reached Telegram.
_NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


class ServerError(NetworkError):
    """Telegram answered 5xx: it could not handle the request right now."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{description} ({status})")
        self.status = status


class Transport(BaseRequest):
    """PTB's requests over one aiohttp session, with Telegram's 5xx raised as ServerError."""

    def __init__(self, *, timeout: float | None = 5.0, connections: int = 256) -> None:
        self._timeout = timeout  # connecting (including waiting for a free connection), reading
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _or_default(self, value: ODVInput[float]) -> float | None:
        return self._timeout if isinstance(value, DefaultValue) else value

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("the Telegram transport is not initialized")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._or_default(connect_timeout),
            sock_read=self._or_default(read_timeout),
        )
        try:
            body, content_type = _body(request_data)
            headers = {"User-Agent": self.USER_AGENT}
            if content_type is not None:
                headers["Content-Type"] = content_type
            async with self._session.request(
                method, url, data=body, timeout=timeout, headers=headers
            ) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error
        if status >= 500:
            raise ServerError(status, _description(payload))
        return status, payload


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, str | None]:
    """The request's body and its content type: PTB's JSON payload (its fields as it encodes
    them for a form, JSON for non-strings), or multipart when there are files.

    JSON, not a form: URL-encoding a long message byte by byte in Python, through aiohttp's
    FormData, cost more than the rest of sending it (the Bot API takes either)."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.json_payload, "application/json"
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None


def _description(payload: bytes) -> str:
    try:
        found = json.loads(payload).get("description")
    except (ValueError, AttributeError):
        found = None
    return found if isinstance(found, str) and found else "server error"


def posts_a_message(endpoint: str) -> bool:
    return endpoint.startswith(_POSTS)


def never_sent(error: BaseException) -> bool:
    """The request did not reach Telegram at all (the transport keeps aiohttp's error as the
    cause)."""
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

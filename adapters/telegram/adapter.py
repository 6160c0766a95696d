"""The Telegram adapter: python-telegram-bot's Application, started by `hearth run`; it polls
(intake.py), or with a webhook configured takes the updates Telegram posts (webhook.py).

A group (or supergroup) is a community: its chat id is the community_ref and the main
channel_ref; a forum topic is a thread. See incoming.py for how updates become core events,
outgoing.py for how replies reach people, and pacing.py for Telegram's rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from telegram import BotCommand, ChatMember
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from adapters.telegram.chats import AdminCache, Topics
from adapters.telegram.incoming import Incoming
from adapters.telegram.intake import Intake
from adapters.telegram.menus import Menus
from adapters.telegram.ordering import PerPersonOrder
from adapters.telegram.outgoing import NotDelivered, Outgoing
from adapters.telegram.pacing import Pacer, Pacing
from adapters.telegram.people import People, person_with_status
from adapters.telegram.presence import Presence
from adapters.telegram.private import PrivateChats
from adapters.telegram.session import PLATFORM, Session
from adapters.telegram.transport import Transport, failure_kind
from adapters.telegram.webhook import FINISH_GRACE, WebhookBindFailed, WebhookReceiver
from bot.events import Person
from bot.hearth import Hearth
from bot.replies import Reply
from bot.roles import Role
from bot.settings import Webhook
from bot.workers import SoleRole, Workers

log = logging.getLogger("hearth.telegram")

# chat_member updates only come when asked for; they are half of how joins are seen.
ALLOWED_UPDATES = ("message", "callback_query", "chat_member", "my_chat_member")
MAX_COMMANDS = 100  # Telegram's limit per menu
# Seconds a worker that took over polling answers a 409 by asking again: the previous poller
# (which lost its turn, may still be finishing its updates) may make one last call.
TAKEOVER_GRACE = FINISH_GRACE + 5.0
WEBHOOK_CONNECTIONS = 40  # posts Telegram makes at once, over all workers (its default)


class TelegramStartFailed(ValueError):
    """Telegram refused the token or could not be reached: one clear line, no traceback."""


def api_base_url(url: str | None) -> str | None:
    """A Bot API server's URL as PTB wants it: ending in /bot (the token follows)."""
    if not url or not url.strip():
        return None
    cleaned = url.strip().rstrip("/")
    if "{token}" in cleaned or cleaned.endswith("/bot"):
        return cleaned
    return cleaned + "/bot"


class TelegramAdapter:
    platform = PLATFORM

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        pacing: Pacing | None = None,
        admin_ttl: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        poll_timeout: float = 10.0,
        request_timeout: float = 5.0,
        webhook: Webhook | None = None,
        webhook_grace: float = FINISH_GRACE,
    ) -> None:
        self._token = token
        self._base_url = api_base_url(base_url)
        self._pacing = pacing
        self._poll_timeout = poll_timeout
        self._request_timeout = request_timeout  # connecting, sending, and awaiting an answer
        self.admins = AdminCache(self._fetch_admins, admin_ttl, monotonic)
        self.topics = Topics()
        self.chats = PrivateChats()
        self._menus: Menus | None = None
        # Menus by role and language: the commands and texts are fixed once Hearth has started,
        # and the menus are looked at after every event.
        self._menu_cache: dict[tuple[Role, str], list[BotCommand]] = {}
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._session: Session | None = None
        self._outgoing: Outgoing | None = None
        self._intake: Intake | None = None
        self._webhook = webhook
        self._webhook_grace = webhook_grace
        self._receiver: WebhookReceiver | None = None
        self._workers: Workers | None = None
        self._role: SoleRole | None = None  # polling Telegram, one worker of the bot at a time
        self._in_turn: asyncio.Task[None] | None = None  # polling when this worker's turn comes
        self._ended: asyncio.Future[str] | None = None  # polling in turn ended on its own

    def share(self, workers: Workers) -> None:
        """Before start: pace sends within the bot's limits together with its other workers,
        and (when polling) poll only while no other worker does."""
        self._workers = workers

    @property
    def polling(self) -> bool:
        """This worker polls Telegram now (with several workers, one of them does)."""
        return self._intake is not None

    @property
    def bot_id(self) -> str:
        """The bot's id: the token's first part, which alone grants nothing."""
        return self._token.partition(":")[0]

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self._application is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._application

    @property
    def webhook_port(self) -> int:
        """The port this worker takes Telegram's posts on (a listen port of 0 picks one)."""
        if self._receiver is None:
            raise RuntimeError("the Telegram adapter takes no webhook posts")
        return self._receiver.port

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._session

    async def standing(self, community_ref: str, user_ref: str) -> Person | None:
        """The web's check of a moderator, asked of Telegram on each page (getChatMember: an
        administrator or the owner of the group now); None once they left or were removed."""
        try:
            chat_id, user_id = int(community_ref), int(user_ref)
        except ValueError:
            return None
        if self._session is None:
            raise LookupError(community_ref)  # not started yet: it cannot tell
        try:
            found = await self._session.bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            log.warning("could not check a member's standing (%s)", failure_kind(error))
            raise LookupError(community_ref) from error
        if found.status in (ChatMember.LEFT, ChatMember.BANNED):
            return None
        return person_with_status(found.user, found.status)

    # -- the Adapter protocol -------------------------------------------------------------

    async def start(self, hearth: Hearth) -> None:
        # Request logs carry the token in their URLs, and PTB's debug logs carry message texts.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        logging.getLogger("telegram").setLevel(logging.INFO)
        transports = (
            Transport(timeout=self._request_timeout),
            Transport(timeout=self._request_timeout, connections=1),
        )
        budget = self._workers.budget if self._workers is not None else None
        builder = (
            Application.builder()
            .token(self._token)
            .request(transports[0])
            .get_updates_request(transports[1])
            .rate_limiter(Pacer(self._pacing, budget=budget, bot=self.bot_id))
            .concurrent_updates(PerPersonOrder())
            .job_queue(None)  # Hearth has its own scheduler
            .updater(None)  # Hearth polls itself (intake.py)
        )
        if self._base_url:
            builder = builder.base_url(self._base_url)
        app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        if self._webhook is not None:  # a taken port stops start-up before Telegram is asked
            await self._listen(app, self._webhook)
        self._application = app
        try:
            await app.initialize()  # calls getMe
        except BaseException as failed:
            for transport in transports:  # PTB leaves them open when initialize fails
                await transport.shutdown()
            if self._receiver is not None:
                await self._receiver.close()
                self._receiver = None
            if isinstance(failed, InvalidToken):  # its message quotes the token: never show it
                raise TelegramStartFailed(
                    "Telegram refused HEARTH_TELEGRAM_TOKEN; check the token @BotFather gave you"
                ) from None
            if isinstance(failed, NetworkError):
                reason = failed.message.replace(self._token, "***")
                raise TelegramStartFailed(
                    f"could not reach the Telegram Bot API ({reason}); check this machine's"
                    " network connection (and HEARTH_TELEGRAM_BASE_URL if set), then start"
                    " Hearth again"
                ) from None
            raise
        session = self._session = Session(hearth, app.bot, app.bot.username)
        self._outgoing = Outgoing(session, self.topics, self.chats)
        incoming = Incoming(session, People(self.admins), self._outgoing, self.chats, self.topics)
        incoming.register(app)
        languages, default = hearth.catalog.languages, hearth.defaults.language
        self._menu_cache.clear()
        menus = self._menus = Menus(app.bot, hearth.store, self._menu, languages, default)
        await menus.sync()  # before polling: every group's administrators see theirs at once
        hearth.listeners.append(menus.changed)  # a moderator granted or removed with /mods
        Presence(session).register(app)  # moved, removed or added again
        if self._webhook is not None:
            await self._take_posts(app, self._webhook)
            return
        await app.bot.delete_webhook(drop_pending_updates=False)  # polling and a webhook exclude
        await app.start()
        if self._workers is not None:
            self._ended = asyncio.get_running_loop().create_future()
            self._role = self._workers.role(f"telegram-poller:{self.bot_id}")
            self._in_turn = asyncio.create_task(
                self._poll_in_turn(app, self._role), name="hearth-telegram-turn"
            )
            return
        self._intake = self._intake_for(app)
        self._intake.start()
        log.info("Telegram adapter polling as @%s", session.username)

    def _intake_for(
        self, app: Application[Any, Any, Any, Any, Any, Any], *, taking_over: bool = False
    ) -> Intake:
        # Not PTB's Updater, which confirms updates before they are handled: see intake.py.
        return Intake(
            app,
            poll_timeout=self._poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
            conflict_grace=TAKEOVER_GRACE if taking_over else 0.0,
        )

    async def _poll_in_turn(
        self, app: Application[Any, Any, Any, Any, Any, Any], role: SoleRole
    ) -> None:
        """Poll while this worker holds the bot's poller role; the others only send (their
        outbox) and wait for the role, which comes free when the poller's session ends."""
        assert self._workers is not None and self._ended is not None
        worker, username = self._workers.worker, self.session.username
        while True:
            taking = asyncio.create_task(role.take())
            try:
                done, _ = await asyncio.wait({taking}, timeout=0.5)
                if not done:
                    log.info("worker %s sends for @%s; another worker polls", worker, username)
                await taking
            finally:
                taking.cancel()
            intake = self._intake = self._intake_for(app, taking_over=True)
            intake.start()
            log.info("worker %s polls Telegram for @%s", worker, username)
            lost = asyncio.create_task(role.lost())
            ending = asyncio.create_task(intake.ended())
            try:
                await asyncio.wait({lost, ending}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                lost.cancel()
                ending.cancel()
            if not lost.done() or lost.cancelled():  # another poller outside these workers
                self._ended.set_result(await intake.ended())  # (or a revoked token)
                return
            log.warning(
                "worker %s stopped polling Telegram for @%s (%s); another worker takes over",
                worker,
                username,
                lost.result(),
            )
            self._intake = None
            await intake.stop()  # confirms exactly the updates handled

    async def _listen(
        self, app: Application[Any, Any, Any, Any, Any, Any], webhook: Webhook
    ) -> None:
        receiver = WebhookReceiver(app, webhook.secret, finish_grace=self._webhook_grace)
        try:
            await receiver.open(webhook.host, webhook.port)  # answers 503 until it takes posts
        except WebhookBindFailed as failed:
            raise TelegramStartFailed(str(failed)) from None
        self._receiver = receiver

    async def _take_posts(
        self, app: Application[Any, Any, Any, Any, Any, Any], webhook: Webhook
    ) -> None:
        """Take posts, then tell Telegram where to send them: every worker of the bot sets the
        same webhook, which is harmless. Stopping leaves it set for the workers still up."""
        assert self._receiver is not None
        await app.start()
        self._receiver.take_posts()
        try:
            await app.bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=WEBHOOK_CONNECTIONS,
            )
        except TelegramError as failed:
            await self.stop()
            reason = failed.message.replace(self._token, "***")
            raise TelegramStartFailed(
                f"Telegram refused HEARTH_TELEGRAM_WEBHOOK_URL ({reason}); check the URL, or"
                " unset it to poll instead"
            ) from None
        log.info(
            "Telegram adapter taking updates for @%s on a webhook (listening on %s:%d)",
            self.session.username,
            webhook.host,
            self._receiver.port,
        )

    @property
    def connected(self) -> bool:
        """Started and taking updates: polling and not ended on its own, or taking the
        webhook's posts (read by /healthz)."""
        if self._receiver is not None:
            return self._receiver.taking
        if self._intake is None and self._in_turn is not None:  # another worker polls
            return not self._in_turn.done()
        return self._intake is not None and self._intake.connected

    async def ended(self) -> str:
        """Wait until the adapter stopped taking updates on its own (another instance polls
        this bot); why, in one line. Taking webhook posts never ends on its own."""
        if self._receiver is not None:
            never: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            return await never
        if self._ended is not None:
            return f"Telegram: {await asyncio.shield(self._ended)}"
        if self._intake is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return f"Telegram: {await self._intake.ended()}"

    async def stop(self) -> None:
        app = self._application
        if app is None:
            return
        if self._menus is not None:
            with contextlib.suppress(ValueError):
                self.session.hearth.listeners.remove(self._menus.changed)
            await self._menus.stop()
        if self._in_turn is not None:
            self._in_turn.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._in_turn
        if self._intake is not None:
            await self._intake.stop()  # confirms exactly the updates handled to Telegram
            self._intake = None
        if self._role is not None:  # the next worker may poll now
            await self._role.give_up()
            self._role = None
        self._in_turn = None
        if self._receiver is not None:
            await self._receiver.close()  # answers 200 exactly for the updates handled
            self._receiver = None
        await self.admins.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def deliver(self, replies: Sequence[Reply]) -> None:
        """Replies from the core's outbox: raises NotDelivered for the ones to try again later
        (the outbox hands over one reply at a time, so a retry repeats nothing else)."""
        if self._outgoing is None:
            raise RuntimeError("the Telegram adapter has not been started")
        failed = await self._outgoing.deliver(replies, None)
        mine = [r for r in failed if any(r is given for given in replies)]
        others = [r for r in failed if not any(r is given for given in replies)]
        if others:  # what the core said instead of a refused message: kept on its own
            await self.session.hearth.keep(others)
        if mine:
            raise NotDelivered(mine)

    # -- command menus and group administrators -------------------------------------------

    def _menu(self, most: Role, language: str) -> list[BotCommand]:
        """Every core command up to a role, from the core's own declarations, described in a
        language (Telegram allows 256 characters; the catalog keeps them within Discord's 100)."""
        cached = self._menu_cache.get((most, language))
        if cached is not None:
            return cached
        hearth = self.session.hearth
        commands = [
            BotCommand(c.name, c.describe(hearth.catalog, language))
            for c in hearth.registry.all()
            if c.role <= most
        ]
        if len(commands) > MAX_COMMANDS:
            log.warning("more than %d commands; the menu shows the first ones", MAX_COMMANDS)
        shown = self._menu_cache[(most, language)] = commands[:MAX_COMMANDS]
        return shown

    async def _fetch_admins(self, chat_id: int) -> dict[int, str] | None:
        try:
            found = await self.session.bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            log.warning("could not list a group's administrators (%s)", failure_kind(error))
            return None
        return {member.user.id: member.status for member in found}

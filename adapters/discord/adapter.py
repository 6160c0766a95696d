"""The Discord adapter: the client's lifecycle, gateway events, and where replies go.

- Interactions (slash commands, components, modals) are answered in `interactions.py`.
- Public replies go to their channel; private replies are direct messages, sent at a steady
  pace from a queue (Discord quarantines bots that mass-DM).
- A refused direct message (error 50007) is reported to the core, kept for the member, and when
  the core says the public notice is due (bot/reach.py: once per server and flow for a while),
  the community channel gets one button that shows it to them, ephemerally, right there.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import discord

from adapters.discord.components import (
    HearthClient,
    ResumeButton,
)
from adapters.discord.interactions import Interactions
from adapters.discord.pacing import Pacer, Sleep
from adapters.discord.places import (
    Places,
    member_person,
    place,
    snowflake,
)
from adapters.discord.render import NO_MENTIONS, to_discord
from adapters.discord.sending import Send, send_reply
from adapters.discord.sharding import (
    IDENTIFY_INTERVAL,
    make_client,
    syncs_here,
    warn_if_too_few,
)
from adapters.discord.slash import PLATFORM, install_commands, sync_if_changed
from adapters.discord.translator import CatalogTranslator
from bot.errors import StartupProblem
from bot.events import (
    Event,
    HearthAdded,
    HearthRemoved,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Person,
    Unreachable,
)
from bot.hearth import Hearth
from bot.replies import Reply, Target, Visibility, settle_removal
from bot.shards import ShardRange
from bot.workers import Workers

log = logging.getLogger("hearth.discord")

CANNOT_DM = 50007  # Discord: "Cannot send messages to this user"
DEFAULT_DM_INTERVAL = 1.0  # seconds between direct messages of a fan-out
DEFAULT_DEFER_AFTER = 1.5  # seconds before an interaction is deferred (Discord allows 3)
HELD_PER_MEMBER = 10  # undelivered private messages kept per member for the channel button
DEFAULT_READY_TIMEOUT = 120.0  # seconds the gateway has to say it is ready at start-up
STOP_GRACE = 5.0  # seconds to finish sending queued direct messages on shutdown
_FLOW = re.compile(r"[a-z0-9_:.-]{0,80}")


def intents() -> discord.Intents:
    """Servers (channels, roles), members (joins and leaves: a privileged intent to enable in
    the developer portal), server messages that mention Hearth, and direct messages (answers
    to a private flow: Discord includes the text of DMs without the message-content intent)."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.members = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    return chosen


class DiscordAdapter:
    platform = PLATFORM

    def __init__(
        self,
        token: str,
        *,
        dev_guild: int | None = None,
        dm_interval: float = DEFAULT_DM_INTERVAL,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        defer_after: float = DEFAULT_DEFER_AFTER,
        client_options: dict[str, Any] | None = None,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        shards: ShardRange | None = None,
    ) -> None:
        self._token = token
        self.dev_guild = dev_guild
        self.shards = shards
        self._pacer = Pacer(dm_interval, sleep=sleep, clock=clock)
        self._defer_after = defer_after
        self._client_options = dict(client_options or {})
        self._ready_timeout = ready_timeout
        self._hearth: Hearth | None = None
        self._client: HearthClient | None = None
        self._gateway: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._private: asyncio.Queue[Reply] = asyncio.Queue()
        self._held: dict[tuple[str, str], list[Reply]] = {}
        self._places: Places | None = None
        self._interactions: Interactions | None = None

    @property
    def hearth(self) -> Hearth:
        if self._hearth is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._hearth

    @property
    def places(self) -> Places:
        if self._places is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._places

    @property
    def interactions(self) -> Interactions:
        if self._interactions is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._interactions

    @property
    def client(self) -> HearthClient:
        if self._client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._client

    def share(self, workers: Workers) -> None:
        """Pace DMs with the bot's other workers: Discord counts them per bot."""
        bot = hashlib.blake2b(self._token.encode(), digest_size=6).hexdigest()  # not the token
        self._pacer.share(workers.budget, bot)

    async def standing(self, community_ref: str, user_ref: str) -> Person | None:
        """The web's check of a moderator: Manage Server, Administrator or owning the server
        now; None when they are not in it. LookupError for a server this process does not run
        (another shard's), where only roles granted in Hearth count."""
        client = self._client
        guild = client.get_guild(int(community_ref)) if client is not None else None
        if guild is None:
            raise LookupError(community_ref)
        member = guild.get_member(int(user_ref))
        if member is None:
            try:
                member = await guild.fetch_member(int(user_ref))
            except discord.NotFound:
                return None
            except discord.HTTPException as error:
                raise LookupError(community_ref) from error
        return member_person(member, guild)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, hearth: Hearth) -> None:
        """Log in, sync the slash commands if they changed, and wait until the gateway is ready
        (with shards: every shard of this process)."""
        self._hearth = hearth
        options: dict[str, Any] = {
            "chunk_guilds_at_startup": False,
            "intents": intents(),
            "allowed_mentions": NO_MENTIONS,
            **self._client_options,
        }
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
        logging.getLogger("discord").setLevel(logging.WARNING)  # Hearth logs what matters
        client = make_client(self, self.shards, options)
        self._client = client
        self._places = Places(client, hearth, self.shards)
        hearth.channel_directories[PLATFORM] = self._places
        self._interactions = Interactions(hearth, self._places, self, defer_after=self._defer_after)
        client.answers = self._interactions
        try:
            await client.login(self._token)
        except discord.LoginFailure:
            await client.close()
            raise ValueError("Discord refused the token in HEARTH_DISCORD_TOKEN") from None
        except (OSError, aiohttp.ClientError, discord.HTTPException) as unreachable:
            await client.close()
            raise StartupProblem(
                f"could not reach Discord ({unreachable}); check this machine's network"
                " connection, then start Hearth again"
            ) from None
        except BaseException:
            await client.close()
            raise
        if self.shards is not None and self.shards.holds_direct_messages:
            await warn_if_too_few(client, self.shards)
        self._gateway = asyncio.create_task(client.connect(), name="hearth-discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        patience = self._ready_patience()
        await asyncio.wait({ready, self._gateway}, timeout=patience, return_when=FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            if not self._gateway.done():  # discord.py keeps retrying an unreachable gateway
                await client.close()
                raise StartupProblem(
                    f"Discord's gateway did not answer within {patience:.0f} seconds;"
                    " check this machine's network connection, then start Hearth again"
                )
            problem = None if self._gateway.cancelled() else self._gateway.exception()
            await client.close()
            if isinstance(problem, discord.PrivilegedIntentsRequired):
                raise ValueError(
                    "Discord refused the Server Members intent: enable it for the bot in the"
                    " developer portal (Bot → Privileged Gateway Intents)"
                ) from None
            raise RuntimeError("the Discord gateway closed before it was ready") from problem
        self._worker = asyncio.create_task(self._send_queued(), name="hearth-discord-dms")

    def _ready_patience(self) -> float:
        """Shards of one process identify one after another, IDENTIFY_INTERVAL apart."""
        later_shards = len(self.shards.ids) - 1 if self.shards is not None else 0
        return self._ready_timeout + IDENTIFY_INTERVAL * later_shards

    @property
    def connected(self) -> bool:
        """The gateway said it is ready, its socket is open (not reconnecting) and the client is
        not closed (read by /healthz)."""
        client, gateway = self._client, self._gateway
        if client is None or gateway is None or gateway.done():
            return False
        socket_open = client.ws is not None and client.ws.open
        return client.is_ready() and socket_open and not client.is_closed()

    async def setup(self, client: HearthClient) -> None:
        """Called by the client once logged in: generate the slash commands, sync on change.
        Every process answers every command; with shards only one writes them to Discord
        (sharding.syncs_here: shard 0's process for the global ones)."""
        guild = discord.Object(self.dev_guild) if self.dev_guild else None
        answers = self.interactions
        catalog, base = self.hearth.catalog, self.hearth.defaults.language
        install_commands(
            client.tree,
            self.hearth.registry.all(),
            answers.on_slash,
            answers.suggest,
            guild,
            catalog,
            base,
        )
        await client.tree.set_translator(CatalogTranslator(catalog, base))
        client.tree.error(answers.on_tree_error)
        if not syncs_here(self.shards, guild):
            log.info("slash commands are synced by another process (shards %s)", self.shards)
            return
        application_id = client.application_id or 0
        await sync_if_changed(client.tree, self.hearth.store, application_id, guild)

    async def stop(self) -> None:
        if self._worker is not None:
            try:
                await asyncio.wait_for(self._private.join(), timeout=STOP_GRACE)
            except TimeoutError:
                unsent = self._private.qsize()
                log.warning("%d private messages were not sent before stopping", unsent)
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self._client is not None:
            await self._client.close()
        if self._gateway is not None:
            await asyncio.gather(self._gateway, return_exceptions=True)
            self._gateway = None

    async def idle(self) -> None:
        """Wait until every queued private message has been sent (or found unreachable)."""
        await self._private.join()

    # -- the Outbox port: replies nobody is waiting for right now -----------------------------

    async def deliver(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if reply.target.platform != PLATFORM:
                continue
            if reply.visibility is Visibility.PUBLIC:
                await self.post(reply)
            else:  # private, or ephemeral with no interaction to answer: a paced direct message
                self.enqueue(reply)

    def enqueue(self, reply: Reply) -> None:
        self._private.put_nowait(reply)

    async def _send_queued(self) -> None:
        while True:
            reply = await self._private.get()
            try:
                await self._pacer.wait()
                if not await self.send_private(reply):
                    await self._unreachable(reply)
            except Exception:
                log.exception("a private message failed unexpectedly")
            finally:
                self._private.task_done()

    async def post(self, reply: Reply) -> None:
        guild_id = snowflake(reply.target.community_ref)
        channel_id = await self.places.channel_id(reply.target)
        if channel_id is None:
            log.warning("no channel to post in guild=%s; a public message was dropped", guild_id)
            return
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            await self._send_reply(channel.send, reply)
        except discord.HTTPException as error:
            log.warning(
                "public message refused guild=%s channel=%s status=%s code=%s",
                guild_id,
                channel_id,
                error.status,
                error.code,
            )

    async def send_private(self, reply: Reply) -> bool:
        """A direct message; False only when Discord refused it (closed DMs, no shared server).
        Other failures (after discord.py's own retries) are logged, not blamed on the member."""
        user_id = snowflake(reply.target.user_ref)
        if user_id is None:
            log.warning("a private message had no Discord user; dropped")
            return True
        try:
            channel = await self.client.create_dm(discord.Object(user_id))
            await self._send_reply(channel.send, reply)
        except discord.Forbidden as error:
            if error.code != CANNOT_DM:
                log.warning("private message forbidden code=%s", error.code)
            return False
        except discord.HTTPException as error:
            log.error("private message NOT delivered status=%s code=%s", error.status, error.code)
            return True
        await self.hearth.wrote_privately(PLATFORM, str(user_id), reply.target.community_ref)
        return True

    async def _send_reply(self, send: Send, reply: Reply) -> None:
        placeholder = self.hearth.catalog.text("discord_pick")
        await send_reply(send, reply, pick_placeholder=placeholder)

    # -- private reach: direct messages Discord refuses ---------------------------------------

    async def report_unreachable(self, reply: Reply, *, present: bool = True) -> list[Reply]:
        """Tell the core; deliver what it answers, except what is for that member: the flow's
        own version for the channel, returned so it can be shown to them there. Someone not
        present (no interaction to answer them in) brings the channel button, when the core
        says the public notice is due."""
        target = reply.target
        person = (target.community_ref, target.user_ref)
        reach = await self.hearth.handle_unreachable(
            Unreachable(
                PLATFORM,
                target.community_ref,
                target.user_ref or "",
                reason="direct messages closed",
                payload={"resume": reply.resume or ""},
                present=present,
            )
        )
        theirs = [
            f
            for f in reach.replies
            if f.visibility is not Visibility.PUBLIC
            and (f.target.community_ref, f.target.user_ref) == person
        ]
        await self.deliver([f for f in reach.replies if f not in theirs])
        if reach.notice:
            where = next((r.target.channel_ref for r in theirs if r.target.channel_ref), None)
            await self._offer(reply, where or reach.channel_ref, reach.language)
        return theirs

    async def _unreachable(self, reply: Reply) -> None:
        """Nobody is waiting right now: keep what they should see (the flow's channel version,
        else the message itself) and offer a button in the community channel that shows it to
        them, ephemerally."""
        person = (reply.target.community_ref, reply.target.user_ref or "")
        held = self._held.setdefault(person, [])
        held.append(reply)  # kept before the button is offered, so it is there when pressed
        theirs = await self.report_unreachable(reply, present=False)
        if theirs and reply in held:  # the flow's own version for the channel instead
            at = len(held) - 1 - held[::-1].index(reply)
            held[at : at + 1] = theirs
        del held[:-HELD_PER_MEMBER]

    def take_held(self, community_ref: str, user_ref: str) -> list[Reply]:
        return self._held.pop((community_ref, user_ref), [])

    async def _offer(self, refused: Reply, where: str | None, language: str) -> None:
        """The core's public notice: a button in the channel the flow chose, else the
        community's main channel, that opens what could not be delivered; nobody is named."""
        flow = refused.resume or ""
        flow = flow if _FLOW.fullmatch(flow) else ""
        community_ref = refused.target.community_ref
        guild_id = snowflake(community_ref)
        channel_id = await self.places.channel_id(Target(PLATFORM, community_ref, where))
        if channel_id is None:
            log.warning("no channel to offer undelivered messages in guild=%s", guild_id)
            return
        catalog = self.hearth.catalog
        view = discord.ui.View(timeout=None)
        view.add_item(ResumeButton(flow, catalog.text("discord_open_here", language)))
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            await channel.send(
                to_discord(catalog.text("discord_dms_closed_offer", language)),
                view=view,
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.warning("could not offer the channel button guild=%s code=%s", guild_id, error.code)

    # -- gateway events -----------------------------------------------------------------------

    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        guild = member.guild
        origin = Origin(
            PLATFORM,
            str(guild.id),
            member_person(member, guild),
            str(guild.system_channel.id) if guild.system_channel else None,
            community_name=guild.name,
        )
        joined = int(member.joined_at.timestamp()) if member.joined_at else 0
        event_ref = f"join:{guild.id}:{member.id}:{joined}"
        await self._handle_and_deliver(MemberJoined(origin, event_ref))

    async def on_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.bot:
            return
        self._held.pop((str(payload.guild_id), str(payload.user.id)), None)
        person = Person(str(payload.user.id), "")
        await self._handle_and_deliver(MemberLeft(Origin(PLATFORM, str(payload.guild_id), person)))

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Hearth was removed from a server (not an outage, which discord.py reports apart):
        its community pauses until Hearth is added again."""
        await self.hearth.follow(HearthRemoved(PLATFORM, str(guild.id)))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.hearth.follow(HearthAdded(PLATFORM, str(guild.id)))

    async def on_message(self, message: discord.Message) -> None:
        """Plain answers to a flow: in a direct message, or in a channel addressed to Hearth."""
        me = self.client.user
        if message.author.bot or me is None or not message.content.strip():
            return
        if message.guild is None:
            community = await self.places.community_of_dm(message.author.id)
            if community is None:
                await self._tell_which_community(message)
                return
            origin = self.places.dm_origin(message.author, community, None)
            replies = await self.hearth.handle(
                MessagePosted(origin, message.content, event_ref=str(message.id))
            )
            await self._deliver_now(settle_removal(replies, removed=False))
            return
        if me not in message.mentions:
            return
        text = re.sub(rf"<@!?{me.id}>", "", message.content).strip()
        channel_ref, thread_ref = place(message.channel, message.channel.id)
        author = message.author
        person = (
            member_person(author, message.guild)
            if isinstance(author, discord.Member)
            else Person(str(author.id), author.display_name)
        )
        origin = Origin(
            PLATFORM,
            str(message.guild.id),
            person,
            channel_ref,
            thread_ref,
            community_name=message.guild.name,
        )
        await self._handle_and_deliver(MessagePosted(origin, text, event_ref=str(message.id)))

    async def _tell_which_community(self, message: discord.Message) -> None:
        text = self.hearth.catalog.text("discord_which_community", self.hearth.defaults.language)
        await message.channel.send(content=to_discord(text), allowed_mentions=NO_MENTIONS)

    async def _handle_and_deliver(self, event: Event) -> None:
        # Hearth cannot delete members' messages here (it is not given Manage Messages), so a
        # note about private words typed in a channel says honestly that they are still there.
        await self.deliver(settle_removal(await self.hearth.handle(event), removed=False))

    async def _deliver_now(self, replies: Sequence[Reply]) -> None:
        """A conversation's replies go out at once, not behind a fan-out in the queue."""
        for reply in replies:
            if reply.target.platform != PLATFORM:
                continue
            if reply.visibility is Visibility.PUBLIC:
                await self.post(reply)
            elif not await self.send_private(reply):
                await self._unreachable(reply)

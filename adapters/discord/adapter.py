"""The Discord adapter: Discord events in, core events out; core replies back as messages.

- Slash commands, buttons, select menus and modal answers become core events, and every
  interaction is answered within Discord's 3 seconds (deferred when the core takes longer).
- Replies for the asker are ephemeral interaction responses; public replies go to their
  channel; private replies are direct messages, sent at a steady pace from a queue.
- A refused direct message (error 50007) is reported to the core, kept for the member, and the
  community channel gets one button that shows it to them, ephemerally, right there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import discord

from adapters.discord.components import (
    ANSWER_ID,
    HearthClient,
    ResumeButton,
    answer_modal,
    choices_view,
    submitted_text,
)
from adapters.discord.pacing import Pacer, Sleep
from adapters.discord.render import NO_MENTIONS, split, to_discord
from adapters.discord.slash import PLATFORM, install_commands, option_value, sync_if_changed
from bot.commands import Suggestion
from bot.events import (
    ChoicePressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Origin,
    Person,
    Unreachable,
)
from bot.hearth import Hearth
from bot.replies import Reply, Target, Visibility

log = logging.getLogger("hearth.discord")

CANNOT_DM = 50007  # Discord: "Cannot send messages to this user"
DEFAULT_DM_INTERVAL = 1.0  # seconds between direct messages of a fan-out
DEFAULT_DEFER_AFTER = 1.5  # seconds before an interaction is deferred (Discord allows 3)
DEFAULT_OFFER_EVERY = 6 * 3600.0  # seconds before the channel button is offered again
HELD_PER_MEMBER = 10  # undelivered private messages kept per member for the channel button
STOP_GRACE = 5.0  # seconds to finish sending queued direct messages on shutdown
_CHANNEL_MENTION = re.compile(r"^<#(\d{1,20})>$")
_FLOW = re.compile(r"[a-z0-9_:.-]{0,80}")

Send = Callable[..., Awaitable[Any]]


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


def _snowflake(ref: str | None) -> int | None:
    if ref is None:
        return None
    found = _CHANNEL_MENTION.match(ref.strip())
    text = found.group(1) if found else ref.strip()
    return int(text) if text.isdigit() else None


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
        offer_every: float = DEFAULT_OFFER_EVERY,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self._token = token
        self.dev_guild = dev_guild
        self._pacer = Pacer(dm_interval, sleep=sleep, clock=clock)
        self._clock = clock
        self._defer_after = defer_after
        self._offer_every = offer_every
        self._client_options = dict(client_options or {})
        self._hearth: Hearth | None = None
        self._client: HearthClient | None = None
        self._gateway: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._private: asyncio.Queue[Reply] = asyncio.Queue()
        self._held: dict[tuple[str, str], list[Reply]] = {}
        self._offered: dict[tuple[str, str], float] = {}
        self._dm_community: dict[int, str] = {}

    @property
    def hearth(self) -> Hearth:
        if self._hearth is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._hearth

    @property
    def client(self) -> HearthClient:
        if self._client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._client

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, hearth: Hearth) -> None:
        """Log in, sync the slash commands if they changed, and wait until the gateway is ready."""
        self._hearth = hearth
        options: dict[str, Any] = {"chunk_guilds_at_startup": False, **self._client_options}
        client = HearthClient(self, intents=intents(), allowed_mentions=NO_MENTIONS, **options)
        self._client = client
        try:
            await client.login(self._token)
        except discord.LoginFailure:
            await client.close()
            raise ValueError("Discord refused the token in HEARTH_DISCORD_TOKEN") from None
        except BaseException:
            await client.close()
            raise
        self._gateway = asyncio.create_task(client.connect(), name="hearth-discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        await asyncio.wait({ready, self._gateway}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            problem = None if self._gateway.cancelled() else self._gateway.exception()
            await client.close()
            if isinstance(problem, discord.PrivilegedIntentsRequired):
                raise ValueError(
                    "Discord refused the Server Members intent: enable it for the bot in the"
                    " developer portal (Bot → Privileged Gateway Intents)"
                ) from None
            raise RuntimeError("the Discord gateway closed before it was ready") from problem
        self._worker = asyncio.create_task(self._send_queued(), name="hearth-discord-dms")

    async def setup(self, client: HearthClient) -> None:
        """Called by the client once logged in: generate the slash commands, sync on change."""
        guild = discord.Object(self.dev_guild) if self.dev_guild else None
        install_commands(
            client.tree, self.hearth.registry.all(), self.on_slash, self.suggest, guild
        )
        client.tree.error(self._on_tree_error)
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
                await self._post(reply)
            else:  # private, or ephemeral with no interaction to answer: a paced direct message
                self._private.put_nowait(reply)

    async def _send_queued(self) -> None:
        while True:
            reply = await self._private.get()
            try:
                await self._pacer.wait()
                if not await self._send_private(reply):
                    await self._unreachable(reply)
            except Exception:
                log.exception("a private message failed unexpectedly")
            finally:
                self._private.task_done()

    async def _post(self, reply: Reply) -> None:
        guild_id = _snowflake(reply.target.community_ref)
        channel_id = self._channel_id(guild_id, reply.target)
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

    async def _send_private(self, reply: Reply) -> bool:
        """A direct message; False only when Discord refused it (closed DMs, no shared server).
        Other failures (after discord.py's own retries) are logged, not blamed on the member."""
        user_id = _snowflake(reply.target.user_ref)
        if user_id is None:
            log.warning("a private message had no Discord user; dropped")
            return True
        try:
            channel = await self.client.create_dm(discord.Object(user_id))
            await self._send_reply(channel.send, reply, dm=True)
        except discord.Forbidden as error:
            if error.code != CANNOT_DM:
                log.warning("private message forbidden code=%s", error.code)
            return False
        except discord.HTTPException as error:
            log.error("private message NOT delivered status=%s code=%s", error.status, error.code)
            return True
        self._dm_community[user_id] = reply.target.community_ref
        return True

    async def _unreachable(
        self,
        reply: Reply,
        *,
        interaction: discord.Interaction | None = None,
        origin: Origin | None = None,
    ) -> None:
        """Tell the core, then let the member see the flow in the channel, only to them: right
        away when they are using Hearth there, else behind a button in the community channel.
        What the flow answers to "unreachable" for them (its own channel version) is shown;
        failing that, the message that could not be delivered."""
        target = reply.target
        person = (target.community_ref, target.user_ref or "")
        followups = await self.hearth.handle_unreachable(
            Unreachable(
                PLATFORM,
                target.community_ref,
                target.user_ref or "",
                reason="direct messages closed",
                payload={"resume": reply.resume or ""},
            )
        )
        theirs = [
            f
            for f in followups
            if f.visibility is not Visibility.PUBLIC
            and (f.target.community_ref, f.target.user_ref) == person
        ]
        await self.deliver([f for f in followups if f not in theirs])
        if interaction is not None and origin is not None:
            send = self._asker(interaction, True)
            if not theirs:
                language = self._language_of(interaction)
                await self._send_reply(send, self._note(origin, "discord_dm_closed_here", language))
            for shown in theirs or [reply]:
                await self._send_reply(send, shown)
            return
        for held in theirs or [reply]:
            self._hold(person, held)
        await self._offer(target.community_ref, reply.resume or "")

    def _hold(self, person: tuple[str, str], reply: Reply) -> None:
        held = self._held.setdefault(person, [])
        held.append(reply)
        del held[:-HELD_PER_MEMBER]

    async def _offer(self, community_ref: str, flow: str) -> None:
        """One button in the community channel (at most every few hours per flow) that opens
        what could not be delivered; nobody is named."""
        flow = flow if _FLOW.fullmatch(flow) else ""
        offered = self._offered.get((community_ref, flow))
        now = self._clock()
        if offered is not None and now - offered < self._offer_every:
            return
        language, main_channel = await self._community_facts(community_ref)
        guild_id = _snowflake(community_ref)
        channel_id = self._channel_id(guild_id, Target(PLATFORM, community_ref, main_channel))
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
            return
        self._offered[(community_ref, flow)] = now

    # -- gateway events -----------------------------------------------------------------------

    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        guild = member.guild
        origin = Origin(
            PLATFORM,
            str(guild.id),
            self._person(member, guild),
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

    async def on_message(self, message: discord.Message) -> None:
        """Plain answers to a flow: in a direct message, or in a channel addressed to Hearth."""
        me = self.client.user
        if message.author.bot or me is None or not message.content.strip():
            return
        if message.guild is None:
            community = self._community_of_dm(message.author.id)
            if community is None:
                await self._tell_which_community(message)
                return
            origin = Origin(
                PLATFORM,
                community,
                self._dm_person(message.author, community, None),
                community_name=self._guild_name(community),
            )
            replies = await self.hearth.handle(
                MessagePosted(origin, message.content, event_ref=str(message.id))
            )
            await self._deliver_now(replies)
            return
        if me not in message.mentions:
            return
        text = re.sub(rf"<@!?{me.id}>", "", message.content).strip()
        channel_ref, thread_ref = self._place(message.channel, message.channel.id)
        author = message.author
        person = (
            self._person(author, message.guild)
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
        await self.deliver(await self.hearth.handle(event))

    async def _deliver_now(self, replies: Sequence[Reply]) -> None:
        """A conversation's replies go out at once, not behind a fan-out in the queue."""
        for reply in replies:
            if reply.target.platform != PLATFORM:
                continue
            if reply.visibility is Visibility.PUBLIC:
                await self._post(reply)
            elif not await self._send_private(reply):
                await self._unreachable(reply)

    # -- interactions -------------------------------------------------------------------------

    async def on_slash(
        self, interaction: discord.Interaction, name: str, values: dict[str, Any]
    ) -> None:
        command = self.hearth.registry.get(name)
        origin = self._origin(interaction)
        if command is None or origin is None:
            return
        options = tuple(
            (param.name, option_value(param, values[param.name]))
            for param in command.params
            if values.get(param.name) is not None
        )
        event = CommandInvoked(origin, name, options=options, event_ref=str(interaction.id))
        await self._answer(interaction, origin, event)

    async def suggest(
        self, interaction: discord.Interaction, command: str, param: str, typed: str
    ) -> list[Suggestion]:
        origin = self._origin(interaction)
        if origin is None:
            return []
        return await self.hearth.suggest(origin, command, param, typed)

    async def on_choice(
        self, interaction: discord.Interaction, key: str, guild_id: int | None
    ) -> None:
        origin = self._origin(interaction, guild_id)
        if origin is None:
            await self._which_community(interaction)
            return
        event = ChoicePressed(origin, key, event_ref=str(interaction.id))
        await self._answer(interaction, origin, event)

    async def on_resume(self, interaction: discord.Interaction, flow: str) -> None:
        """The channel button for members whose direct messages are closed."""
        origin = self._origin(interaction)
        if origin is None:
            await self._which_community(interaction)
            return
        held = self._held.pop((origin.community_ref, origin.person.user_ref), [])
        if held:
            here = self._asker_target(origin)
            shown = [replace(r, target=here, visibility=Visibility.EPHEMERAL) for r in held]
            await self._answer_with(interaction, origin, shown)
        elif self.hearth.registry.get(flow) is not None:
            event = CommandInvoked(origin, flow, options=(), event_ref=str(interaction.id))
            await self._answer(interaction, origin, event)
        else:
            language = self._language_of(interaction)
            await self._answer_with(
                interaction, origin, [self._note(origin, "discord_nothing_waiting", language)]
            )

    async def _which_community(self, interaction: discord.Interaction) -> None:
        text = self.hearth.catalog.text("discord_which_community", self._language_of(interaction))
        await self._asker(interaction, True)(content=to_discord(text), allowed_mentions=NO_MENTIONS)

    async def on_answer(self, interaction: discord.Interaction) -> None:
        catalog, language = self.hearth.catalog, self._language_of(interaction)
        modal = answer_modal(
            catalog.text("discord_answer_title", language),
            catalog.text("discord_answer_label", language),
        )
        await interaction.response.send_modal(modal)

    async def on_modal_submit(self, interaction: discord.Interaction) -> None:
        data: Any = interaction.data or {}
        if data.get("custom_id") != ANSWER_ID:
            return
        text = submitted_text(interaction)
        origin = self._origin(interaction)
        if origin is None or text is None:
            return
        await self._answer(
            interaction, origin, MessagePosted(origin, text, event_ref=str(interaction.id))
        )

    async def _answer(self, interaction: discord.Interaction, origin: Origin, event: Event) -> None:
        """Hand the event to the core and answer. A free-text answer (the modal) is offered when
        a flow waits for this member's words: after a command only if it started or moved the
        flow, so that other commands used meanwhile do not carry the button."""

        async def handled() -> tuple[list[Reply], bool]:
            before = await self._waiting_flow(origin) if isinstance(event, CommandInvoked) else None
            replies = await self.hearth.handle(event)
            after = await self._waiting_flow(origin)
            return replies, after is not None and after != before

        quiet = "discord_answer_not_taken" if isinstance(event, MessagePosted) else "discord_done"
        await self._answer_with(interaction, origin, handled(), quiet=quiet)

    async def _answer_with(
        self,
        interaction: discord.Interaction,
        origin: Origin,
        work: Awaitable[tuple[list[Reply], bool]] | list[Reply],
        *,
        quiet: str = "discord_done",
    ) -> None:
        """Answer within Discord's 3 seconds: the asker's replies through the interaction,
        everything else to its channel or person."""

        async def prepare() -> tuple[list[Reply], bool]:
            if isinstance(work, list):
                return work, False
            return await work

        task = asyncio.ensure_future(prepare())
        deferred = False
        try:
            done, _ = await asyncio.wait({task}, timeout=self._defer_after)
            if not done:
                await interaction.response.defer(ephemeral=not origin.is_private, thinking=True)
                deferred = True
            replies, waiting = await task
            mine = [r for r in replies if self._for_asker(r, origin)]
            others = [r for r in replies if not self._for_asker(r, origin)]
            answer_label = None
            if waiting and not origin.is_private:
                answer_label = self.hearth.catalog.text(
                    "discord_answer_button", self._language_of(interaction)
                )
            for index, reply in enumerate(mine):
                last = index == len(mine) - 1
                await self._send_reply(
                    self._asker(interaction, not origin.is_private),
                    reply,
                    dm=origin.is_private,
                    answer_label=answer_label if last else None,
                )
            if not mine and not deferred:
                public = self._public_here(others, origin)
                if public is not None:
                    others.remove(public)
                    await self._send_reply(self._asker(interaction, False), public)
            if not interaction.response.is_done() or (deferred and not mine):
                await self._acknowledge(interaction, origin, deferred, quiet)
            await self._deliver_around(interaction, origin, others)
        except Exception:  # the core's work, if still running, finishes and commits on its own
            error_id = secrets.token_hex(4)
            log.exception("answering an interaction failed id=%s", error_id)
            await self._apologise(interaction, error_id)

    async def _acknowledge(
        self, interaction: discord.Interaction, origin: Origin, deferred: bool, quiet: str
    ) -> None:
        """Nothing to say to the asker: close a button press silently, else say `quiet`."""
        if interaction.type is discord.InteractionType.component:
            if deferred:
                await interaction.delete_original_response()
            else:
                await interaction.response.defer()
        else:
            note = self._note(origin, quiet, self._language_of(interaction))
            await self._send_reply(self._asker(interaction, not origin.is_private), note)

    async def _deliver_around(
        self, interaction: discord.Interaction, origin: Origin, others: Iterable[Reply]
    ) -> None:
        asker = (origin.community_ref, origin.person.user_ref)
        for reply in others:
            if reply.target.platform != PLATFORM:
                continue
            if reply.visibility is Visibility.PUBLIC:
                await self._post(reply)
            elif (reply.target.community_ref, reply.target.user_ref) == asker:
                if not await self._send_private(reply):
                    await self._unreachable(reply, interaction=interaction, origin=origin)
            else:
                self._private.put_nowait(reply)

    async def _apologise(self, interaction: discord.Interaction, error_id: str) -> None:
        text = self.hearth.catalog.text(
            "unexpected_error", self._language_of(interaction), error_id=error_id
        )
        try:
            await self._asker(interaction, True)(
                content=to_discord(text), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException:
            log.warning("could not tell the asker about error id=%s", error_id)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        error_id = secrets.token_hex(4)
        log.error("slash command failed id=%s: %s", error_id, type(error).__name__)
        await self._apologise(interaction, error_id)

    # -- helpers ------------------------------------------------------------------------------

    def _asker(self, interaction: discord.Interaction, ephemeral: bool) -> Send:
        """Sends to the person who used the interaction: its response first, then follow-ups."""

        async def send(**kwargs: Any) -> None:
            if not interaction.response.is_done():
                await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
            else:
                await interaction.followup.send(ephemeral=ephemeral, **kwargs)

        return send

    async def _send_reply(
        self, send: Send, reply: Reply, *, dm: bool = False, answer_label: str | None = None
    ) -> None:
        guild_id = _snowflake(reply.target.community_ref) if dm else None
        if not reply.text.strip() and not reply.choices and answer_label is None:
            return  # Discord refuses empty messages, and there is nothing to show
        pieces = split(to_discord(reply.text))
        view = choices_view(
            reply.choices,
            guild_id=guild_id,
            answer_label=answer_label,
            pick_placeholder=self.hearth.catalog.text("discord_pick"),
        )
        for index, piece in enumerate(pieces):
            kwargs: dict[str, Any] = {"content": piece, "allowed_mentions": NO_MENTIONS}
            if index == len(pieces) - 1 and view is not None:
                kwargs["view"] = view
            await send(**kwargs)

    def _for_asker(self, reply: Reply, origin: Origin) -> bool:
        target = reply.target
        return (
            target.platform == PLATFORM
            and target.community_ref == origin.community_ref
            and target.user_ref == origin.person.user_ref
            and (
                reply.visibility is Visibility.EPHEMERAL
                or (reply.visibility is Visibility.PRIVATE and origin.is_private)
            )
        )

    def _public_here(self, replies: Sequence[Reply], origin: Origin) -> Reply | None:
        """A public reply to the channel the command was used in can be its visible answer."""
        for reply in replies:
            target = reply.target
            if (
                reply.visibility is Visibility.PUBLIC
                and target.platform == PLATFORM
                and target.community_ref == origin.community_ref
                and _snowflake(target.channel_ref) == _snowflake(origin.channel_ref)
                and _snowflake(target.thread_ref) == _snowflake(origin.thread_ref)
            ):
                return reply
        return None

    def _note(self, origin: Origin, key: str, language: str) -> Reply:
        return Reply(
            self.hearth.catalog.text(key, language),
            self._asker_target(origin),
            Visibility.PRIVATE if origin.is_private else Visibility.EPHEMERAL,
        )

    def _asker_target(self, origin: Origin) -> Target:
        return Target(
            PLATFORM,
            origin.community_ref,
            origin.channel_ref,
            origin.person.user_ref,
            origin.thread_ref,
        )

    async def _waiting_flow(self, origin: Origin) -> tuple[str, str] | None:
        """The flow (and its state) waiting for this member's words in a channel, if any."""
        if origin.is_private:
            return None
        async with self.hearth.store.unit_of_work() as uow:  # reads only; rolled back
            link = await uow.communities.find_link(PLATFORM, origin.community_ref)
            if link is None:
                return None
            member = await uow.members.find(link.community_id, PLATFORM, origin.person.user_ref)
            if member is None:
                return None
            conversation = await uow.conversations.get(member.id)
        if conversation is None or conversation.flow not in self.hearth.flows:
            return None
        return conversation.flow, json.dumps(conversation.state, sort_keys=True, default=str)

    async def _community_facts(self, community_ref: str) -> tuple[str, str | None]:
        """The community's language and main channel, as the core knows them."""
        async with self.hearth.store.unit_of_work() as uow:  # reads only; rolled back
            link = await uow.communities.find_link(PLATFORM, community_ref)
            if link is None:
                return self.hearth.defaults.language, None
            community = await uow.communities.get(link.community_id)
            return community.language, link.main_channel

    def _language_of(self, interaction: discord.Interaction) -> str:
        code = str(interaction.locale.value).split("-")[0].lower()
        return code if code in self.hearth.catalog.languages else self.hearth.defaults.language

    def _origin(
        self, interaction: discord.Interaction, guild_id: int | None = None
    ) -> Origin | None:
        user = interaction.user
        language = str(interaction.locale.value).split("-")[0].lower()
        if interaction.guild_id is not None:
            guild = interaction.guild
            permissions = interaction.permissions
            person = Person(
                str(user.id),
                user.display_name,
                is_platform_admin=permissions.manage_guild or permissions.administrator,
                is_platform_owner=getattr(guild, "owner_id", None) == user.id,
                language=language,
            )
            channel_ref, thread_ref = self._place(interaction.channel, interaction.channel_id)
            return Origin(
                PLATFORM,
                str(interaction.guild_id),
                person,
                channel_ref,
                thread_ref,
                community_name=getattr(guild, "name", ""),
            )
        community = str(guild_id) if guild_id else self._community_of_dm(user.id)
        if community is None:
            return None
        self._dm_community[user.id] = community
        return Origin(
            PLATFORM,
            community,
            self._dm_person(user, community, language),
            community_name=self._guild_name(community),
        )

    @staticmethod
    def _place(channel: object, channel_id: int | None) -> tuple[str | None, str | None]:
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            return str(channel.parent_id), str(channel.id)
        return (str(channel_id) if channel_id is not None else None), None

    @staticmethod
    def _person(member: discord.Member, guild: discord.Guild) -> Person:
        permissions = member.guild_permissions
        return Person(
            str(member.id),
            member.display_name,
            is_platform_admin=permissions.manage_guild or permissions.administrator,
            is_platform_owner=guild.owner_id == member.id,
        )

    def _dm_person(
        self, user: discord.User | discord.Member, community: str, language: str | None
    ) -> Person:
        """In a direct message Discord says nothing about the server; use what the cache knows
        (an empty name leaves the member's known name as it is)."""
        guild = self.client.get_guild(int(community))
        member = guild.get_member(user.id) if guild else None
        if member is None or guild is None:
            return Person(str(user.id), "", language=language)
        person = self._person(member, guild)
        return replace(person, language=language)

    def _guild_name(self, community: str) -> str:
        guild = self.client.get_guild(int(community))
        return guild.name if guild else ""

    def _community_of_dm(self, user_id: int) -> str | None:
        """Which server a direct message belongs to: the last one Hearth wrote about, else the
        only server they share with Hearth."""
        known = self._dm_community.get(user_id)
        if known is not None:
            return known
        guilds = self.client.guilds
        shared = [g for g in guilds if g.get_member(user_id) is not None]
        if len(shared) == 1:
            return str(shared[0].id)
        if len(guilds) == 1:
            return str(guilds[0].id)
        return None

    def _channel_id(self, guild_id: int | None, target: Target) -> int | None:
        """A thread or channel id, a `<#id>` mention or a `#name`; else the server's system
        channel or the first text channel Hearth may write in."""
        guild = self.client.get_guild(guild_id) if guild_id else None
        for ref in (target.thread_ref, target.channel_ref):
            if not ref:
                continue
            found = _snowflake(ref)
            if found is not None:
                return found
            if guild is not None:
                wanted = ref.strip().lstrip("#").lower()
                for channel in guild.text_channels:
                    if channel.name.lower() == wanted:
                        return channel.id
        if guild is None:
            return None
        if guild.system_channel is not None:
            return guild.system_channel.id
        for channel in guild.text_channels:
            if channel.permissions_for(guild.me).send_messages:
                return channel.id
        return None

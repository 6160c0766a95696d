"""Slash commands, autocomplete, buttons, select menus and modal answers: each becomes a core
event, and each is answered within Discord's 3 seconds (deferred when the core takes longer).

The asker's own replies go back through the interaction (ephemeral in a channel); everything
else goes where it belongs, through the adapter.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import Any, Protocol

import discord

from adapters.discord.components import ANSWER_ID, answer_modal, submitted_text
from adapters.discord.places import Places, locale_language, snowflake
from adapters.discord.render import NO_MENTIONS, to_discord
from adapters.discord.sending import asker, send_reply
from adapters.discord.slash import PLATFORM, option_value
from bot.commands import Suggestion
from bot.events import ChoicePressed, CommandInvoked, Event, MessagePosted, Origin
from bot.hearth import Hearth
from bot.replies import Reply, Target, Visibility, settle_removal

log = logging.getLogger("hearth.discord")


class Delivery(Protocol):
    """What the adapter does with replies that are not for the asker."""

    async def post(self, reply: Reply) -> None: ...

    async def send_private(self, reply: Reply) -> bool: ...

    async def report_unreachable(self, reply: Reply) -> list[Reply]: ...

    def enqueue(self, reply: Reply) -> None: ...

    def take_held(self, community_ref: str, user_ref: str) -> list[Reply]: ...


class Interactions:
    def __init__(
        self, hearth: Hearth, places: Places, delivery: Delivery, *, defer_after: float
    ) -> None:
        self.hearth = hearth
        self.places = places
        self.delivery = delivery
        self.defer_after = defer_after

    # -- what people do -------------------------------------------------------------------------

    async def on_slash(
        self, interaction: discord.Interaction, name: str, values: dict[str, Any]
    ) -> None:
        command = self.hearth.registry.get(name)
        origin = await self.places.origin(interaction)
        if command is None or origin is None:
            return
        options = tuple(
            (param.name, option_value(param, values[param.name]))
            for param in command.params
            if values.get(param.name) is not None
        )
        event = CommandInvoked(
            origin, name, options=options, event_ref=str(interaction.id), confidential=True
        )  # a slash command's options are seen by the asker and Hearth alone
        await self._answer(interaction, origin, event)

    async def suggest(
        self, interaction: discord.Interaction, command: str, param: str, typed: str
    ) -> list[Suggestion]:
        origin = await self.places.origin(interaction)
        if origin is None:
            return []
        return await self.hearth.suggest(origin, command, param, typed)

    async def on_choice(self, interaction: discord.Interaction, key: str) -> None:
        origin = await self.places.origin(interaction)
        if origin is None:
            await self._which_community(interaction)
            return
        event = ChoicePressed(origin, key, event_ref=str(interaction.id))
        await self._answer(interaction, origin, event)

    async def on_resume(self, interaction: discord.Interaction, flow: str) -> None:
        """The channel button for members whose direct messages are closed: what was kept for
        them, else the flow's command afresh (after a restart), else a kind note."""
        origin = await self.places.origin(interaction)
        if origin is None:
            await self._which_community(interaction)
            return
        held = self.delivery.take_held(origin.community_ref, origin.person.user_ref)
        if held:
            here = self._asker_target(origin)
            shown = [replace(r, target=here, visibility=Visibility.EPHEMERAL) for r in held]
            await self._answer_with(interaction, origin, shown)
        elif self.hearth.registry.get(flow) is not None:
            event = CommandInvoked(
                origin, flow, options=(), event_ref=str(interaction.id), confidential=True
            )
            await self._answer(interaction, origin, event)
        else:
            language = self._language_of(interaction)
            await self._answer_with(
                interaction, origin, [self._note(origin, "discord_nothing_waiting", language)]
            )

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
        origin = await self.places.origin(interaction)
        if origin is None or text is None:
            return
        typed = MessagePosted(origin, text, event_ref=str(interaction.id), confidential=True)
        await self._answer(interaction, origin, typed)  # a modal is seen by the member alone

    async def on_tree_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        error_id = secrets.token_hex(4)
        log.error("slash command failed id=%s: %s", error_id, type(error).__name__)
        await self._apologise(interaction, error_id)

    # -- answering ----------------------------------------------------------------------------

    async def _answer(self, interaction: discord.Interaction, origin: Origin, event: Event) -> None:
        """Hand the event to the core and answer. A free-text answer (the modal) is offered when
        the core says a flow now waits for this member's words (Reply.awaits_answer)."""

        async def handled() -> tuple[list[Reply], bool]:
            # Nothing typed here can be deleted: an interaction is seen by the asker alone.
            replies = settle_removal(await self.hearth.handle(event), removed=False)
            return replies, any(r.awaits_answer for r in replies)

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
            replies, waiting = await work
            return await self._own_private_first(interaction, origin, replies), waiting

        task = asyncio.ensure_future(prepare())
        deferred = False
        try:
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
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
                await self._send(
                    interaction,
                    reply,
                    ephemeral=not origin.is_private,
                    answer_label=answer_label if last else None,
                )
            if not mine and not deferred:
                public = self._public_here(others, origin)
                if public is not None:
                    others.remove(public)
                    await self._send(interaction, public, ephemeral=False)
            if not interaction.response.is_done() or (deferred and not mine):
                await self._acknowledge(interaction, origin, deferred, quiet)
            await self._deliver_around(interaction, origin, others)
        except Exception:  # the core's work, if still running, finishes and commits on its own
            error_id = secrets.token_hex(4)
            log.exception(
                "answering an interaction failed id=%s", error_id, extra={"error_id": error_id}
            )
            await self._apologise(interaction, error_id)

    async def _send(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        *,
        ephemeral: bool,
        answer_label: str | None = None,
    ) -> None:
        await send_reply(
            asker(interaction, ephemeral),
            reply,
            answer_label=answer_label,
            pick_placeholder=self.hearth.catalog.text("discord_pick"),
        )

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
            await self._send(interaction, note, ephemeral=not origin.is_private)

    async def _own_private_first(
        self, interaction: discord.Interaction, origin: Origin, replies: list[Reply]
    ) -> list[Reply]:
        """Send the asker's own private replies (a channel's /checkin) before answering, so
        the answer says only what happened: that they are on their way, or, when Discord
        refuses them, that they could not be sent, followed by them, right here."""
        if origin.is_private:
            return replies
        person = (origin.community_ref, origin.person.user_ref)
        kept: list[Reply] = []
        shown: list[Reply] = []
        for reply in replies:
            target = reply.target
            if (
                reply.visibility is not Visibility.PRIVATE
                or target.platform != PLATFORM
                or (target.community_ref, target.user_ref) != person
            ):
                kept.append(reply)
            elif not await self.delivery.send_private(reply):
                theirs = await self.delivery.report_unreachable(reply)
                if not theirs and not shown:
                    language = self._language_of(interaction)
                    shown.append(self._note(origin, "discord_dm_closed_here", language))
                here = self._asker_target(origin)
                shown += [
                    replace(r, target=here, visibility=Visibility.EPHEMERAL)
                    for r in theirs or [reply]
                ]
        if shown:  # a note that they went privately would now be untrue
            kept = [r for r in kept if not r.confirms_private]
        return kept + shown

    async def _deliver_around(
        self, interaction: discord.Interaction, origin: Origin, others: Sequence[Reply]
    ) -> None:
        """Public replies to their channels, private ones as DMs (the asker's own were sent
        before answering)."""
        for reply in others:
            if reply.target.platform != PLATFORM:
                continue
            if reply.visibility is Visibility.PUBLIC:
                await self.delivery.post(reply)
            else:
                self.delivery.enqueue(reply)

    async def _apologise(self, interaction: discord.Interaction, error_id: str) -> None:
        text = self.hearth.catalog.text(
            "unexpected_error", self._language_of(interaction), error_id=error_id
        )
        try:
            await asker(interaction, True)(content=to_discord(text), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not tell the asker about error id=%s", error_id)

    async def _which_community(self, interaction: discord.Interaction) -> None:
        text = self.hearth.catalog.text("discord_which_community", self._language_of(interaction))
        await asker(interaction, True)(content=to_discord(text), allowed_mentions=NO_MENTIONS)

    # -- helpers ------------------------------------------------------------------------------

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
                and snowflake(target.channel_ref) == snowflake(origin.channel_ref)
                and snowflake(target.thread_ref) == snowflake(origin.thread_ref)
            ):
                return reply
        return None

    def _note(self, origin: Origin, key: str, language: str) -> Reply:
        return Reply(
            self.hearth.catalog.text(key, language),
            self._asker_target(origin),
            Visibility.PRIVATE if origin.is_private else Visibility.EPHEMERAL,
        )

    @staticmethod
    def _asker_target(origin: Origin) -> Target:
        return Target(
            PLATFORM,
            origin.community_ref,
            origin.channel_ref,
            origin.person.user_ref,
            origin.thread_ref,
        )

    def _language_of(self, interaction: discord.Interaction) -> str:
        code = locale_language(interaction)
        return code if code in self.hearth.catalog.languages else self.hearth.defaults.language

"""What a service sees while it runs: the unit of work, the clock, the texts, and ways to speak."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.channels import ChannelDirectory
from bot.clock import Clock
from bot.domain import Community, CommunityLink, Member
from bot.events import Origin
from bot.ports import UnitOfWork
from bot.replies import Attachment, Choice, Reply, SourceMessage, Target, Visibility
from bot.roles import Role


@dataclass(kw_only=True)
class CommunityContext:
    """A service's view of one community, for scheduled jobs and commands alike."""

    uow: UnitOfWork
    clock: Clock
    catalog: Catalog
    community: Community
    links: list[CommunityLink]
    replies: list[Reply] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.community.timezone)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    async def beside(self, community_id: int) -> CommunityContext:
        """Another community's context (linked, or split off) whose replies go out with these."""
        return CommunityContext(
            uow=self.uow,
            clock=self.clock,
            catalog=self.catalog,
            community=await self.uow.communities.get(community_id),
            links=await self.uow.communities.links(community_id),
            replies=self.replies,
        )

    def text(self, key: str, language: str | None = None, /, **params: Any) -> str:
        return self.catalog.text(key, language or self.community.language, **params)

    def announce(
        self,
        channel_role: str,
        key: str,
        /,
        *,
        choices: tuple[Choice, ...] = (),
        files: tuple[Attachment, ...] = (),
        **params: Any,
    ) -> None:
        """Post publicly in the community's channel for that role, on every platform it spans."""
        body = self.text(key, **params)
        for link in self.links:
            self.replies.append(
                Reply(
                    body,
                    Target(link.platform, link.community_ref, link.channel_for(channel_role)),
                    Visibility.PUBLIC,
                    choices,
                    files=files,
                )
            )

    def tell(
        self,
        member: Member,
        key: str,
        /,
        *,
        choices: tuple[Choice, ...] = (),
        resume: str | None = None,
        files: tuple[Attachment, ...] = (),
        **params: Any,
    ) -> None:
        """A private message to one member, in their language."""
        body = self.text(key, member.speaks, **params)
        self.replies.append(
            Reply(
                body,
                Target(member.platform, self._ref_for(member), user_ref=member.user_ref),
                Visibility.PRIVATE,
                choices,
                resume,
                files=files,
            )
        )

    def _ref_for(self, member: Member) -> str:
        for link in self.links:
            if link.platform == member.platform:
                return link.community_ref
        return ""

    async def audit(
        self,
        key: str,
        /,
        *,
        actor: Member | None = None,
        subject: Member | None = None,
        **params: Any,
    ) -> None:
        """Record what happened as a catalog key (`audit_…`, read after the actor's name) and its
        parameters, never as a sentence, so /audit says it in its reader's language. A member as
        subject is linked so /forgetme can unname them; a `reason` is shown after a dash."""
        await self.uow.audit.add(
            community_id=self.community.id,
            at=self.now,
            actor_id=actor.id if actor else None,
            actor_name=actor.display_name if actor else "Hearth",
            key=key,
            params=params,
            subject=subject.display_name if subject else "",
            subject_id=subject.id if subject else None,
        )


@dataclass(kw_only=True)
class CommandContext(CommunityContext):
    """A service's view while answering one person."""

    member: Member
    role: Role
    origin: Origin
    member_is_new: bool = False
    confidential: bool = False  # what they just typed was seen by Hearth alone
    channels: ChannelDirectory | None = None  # the platform's channels, where it can list them

    @property
    def language(self) -> str:
        return self.member.speaks or self.community.language

    @property
    def in_confidence(self) -> bool:
        """Whether what the person says now reaches Hearth alone: in a private chat, or in a
        channel through something only Hearth reads (a flow may take it as a private answer)."""
        return self.origin.is_private or self.confidential

    @property
    def words_in_public(self) -> bool:
        """Whether what the person just typed could be read by others where they typed it
        (a group's command text, a channel message), so must not be called private."""
        return not self.in_confidence

    def say(
        self,
        key: str,
        /,
        *,
        choices: tuple[Choice, ...] = (),
        confidential: bool = False,
        files: tuple[Attachment, ...] = (),
        **params: Any,
    ) -> None:
        """Answer the person where they asked: privately in a private chat, else only to them.
        A confidential answer (their private words, a promise that only they see it) is never
        shown where others read, even on a platform without replies only the asker sees."""
        self.answer(
            self.text(key, self.language, **params),
            choices=choices,
            confidential=confidential,
            files=files,
        )

    def words_seen(
        self, removed: str, visible: str, /, *, choices: tuple[Choice, ...] = (), **params: Any
    ) -> None:
        """The person's private words arrived where others read them: ask the adapter to
        delete their message, and say honestly what became of it (one of the two texts is
        sent, never a promise that nobody saw it)."""
        for key, fate in ((removed, SourceMessage.REMOVED), (visible, SourceMessage.VISIBLE)):
            self.answer(self.text(key, self.language, **params), choices=choices, only_if=fate)

    def confirm_private(self, key: str, /, **params: Any) -> None:
        """Tell the asker where they asked that a private message is on its way; adapters drop
        this note when the platform refuses that message (and say how to open the chat)."""
        self.answer(self.text(key, self.language, **params), confirms_private=True)

    def answer(
        self,
        body: str,
        *,
        choices: tuple[Choice, ...] = (),
        confirms_private: bool = False,
        only_if: SourceMessage | None = None,
        confidential: bool = False,
        files: tuple[Attachment, ...] = (),
    ) -> None:
        origin = self.origin
        visibility = Visibility.PRIVATE if origin.is_private else Visibility.EPHEMERAL
        self.replies.append(
            Reply(
                body,
                Target(
                    origin.platform,
                    origin.community_ref,
                    origin.channel_ref,
                    origin.person.user_ref,
                    origin.thread_ref,
                ),
                visibility,
                choices,
                confirms_private=confirms_private,
                only_if=only_if,
                confidential=confidential,
                files=files,
            )
        )

    async def audit_action(
        self, key: str, /, *, subject: Member | None = None, **params: Any
    ) -> None:
        await self.audit(key, actor=self.member, subject=subject, **params)

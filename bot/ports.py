"""The ports the services depend on; storage/ provides the SQL implementation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from bot.domain import (
    AuditEntry,
    Community,
    CommunityLink,
    Conversation,
    Job,
    Member,
    OutboxMessage,
    Renumbered,
    Schedule,
)
from bot.domain_reflections import CommunityPrompt, Reflection, ReflectionRound
from bot.identity import Account, Person
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.services.linking.port import LinkCodeRepository
    from bot.services.needs.port import (
        AidRequestRepository,
        CheckinRepository,
        OfferRepository,
        RequestSnapshotRepository,
    )
    from bot.services.proposals.port import ProposalRepository
    from bot.services.web.port import WebLoginRepository, WebSessionRepository
    from bot.services.welcome.port import BuddyRepository, WelcomeRepository


class PersonalData(Protocol):
    """A repository that holds something about a person implements this for /mydata, /forgetme.

    No wording here: `section` is a catalog key (`mydata_section_…`), an exported row maps field
    names (each shown as `mydata_field_<name>`) to moments, numbers, a person's own words or
    `Phrase`s, so the privacy feature says it all in the reader's language."""

    section: str

    async def export_member(self, member_id: int) -> list[dict[str, Any]]: ...

    async def erase_member(self, member_id: int) -> int: ...


class CommunityRepository(Protocol):
    async def find_link(
        self, platform: str, community_ref: str, *, with_member: str | None = None
    ) -> CommunityLink | None:
        """`with_member`: that account's member there is read along, for `members.find` next
        (one read instead of two where each costs a round trip)."""

    async def add(self, *, name: str, timezone: str, language: str, now: datetime) -> Community: ...

    async def add_link(self, link: CommunityLink) -> None: ...

    async def get(self, community_id: int) -> Community: ...

    async def save(self, community: Community) -> None: ...

    async def links(self, community_id: int) -> list[CommunityLink]: ...

    async def save_link(self, link: CommunityLink) -> None: ...

    async def links_on(self, platform: str) -> list[CommunityLink]:
        """Every community's links on one platform (e.g. the Telegram groups Hearth serves)."""
        ...

    async def move_link(self, platform: str, old_ref: str, new_ref: str) -> None:
        """The place got a new id: its link, and every channel setting naming the old id,
        name the new one."""
        ...

    async def absorb(self, keep_id: int, drop_id: int) -> None:
        """Merge a community that appeared at a place's new id into the one with history:
        members the kept one lacks move over; the rest of the dropped one is deleted."""
        ...

    async def merge(self, home_id: int, joining_id: int) -> list[Renumbered]:
        """Two places become one community (/link): the joining community's places and all its
        history move to home, then the joining community is deleted. What exists once (name,
        timezone, language, settings, schedules, the reflection deck's cycle) is home's, so
        nothing home's people rely on changes. Joining's proposals and reflection rounds are
        numbered after home's highest (#k -> #(max+k), order kept), so numbers cited at home
        stay true; those whose number changed are returned for the feature to tell. Joining's
        pending jobs of kinds home has pending once per community are dropped; a person with a
        member row on both sides keeps home's row (one person, one member)."""
        ...

    async def split(
        self, community_id: int, platform: str, community_ref: str, *, name: str, now: datetime
    ) -> Community:
        """One place leaves its community (/unlink) for a new community named `name`, with
        the old one's timezone, language and settings (not its place names) and no schedules;
        the new one remembers the old one and the moment (`history_of`, `history_until`) and
        its highest proposal and round numbers then, and numbers its own after them. Nothing
        of the history is copied. Every active member whose person has an account on the
        leaving platform is a member of the new one through it; in the old one, a member no
        remaining platform reaches has left, and one reached through the leaving platform is
        reached through another of their accounts (not chosen)."""
        ...


class MemberRepository(PersonalData, Protocol):
    async def find(self, community_id: int, platform: str, user_ref: str) -> Member | None:
        """The member of this community whose person owns the account: any of a person's
        linked accounts finds their one member row."""
        ...

    async def add(
        self,
        *,
        community_id: int,
        platform: str,
        user_ref: str,
        display_name: str,
        language: str | None = None,
        reported_language: str | None = None,
        now: datetime,
    ) -> Member: ...

    async def get(self, member_id: int) -> Member: ...

    async def save(self, member: Member) -> None: ...

    async def active(self, community_id: int) -> list[Member]: ...

    async def granted(self, community_id: int) -> list[Member]: ...

    async def granted_on(self, platform: str) -> list[Member]:
        """Active members of any community granted a role with /mods who have an account on one
        platform, each with that account as `platform`/`user_ref` (a platform's menus are set
        per account of its own, wherever the member is reached)."""
        ...

    async def find_by_name(self, community_id: int, name: str) -> list[Member]: ...

    async def memberships(self, platform: str, user_ref: str) -> list[Member]:
        """The active memberships, across communities, of the person behind an account (any of
        their linked accounts finds them): what a private chat may be about."""
        ...

    async def reach_through(
        self, member: Member, platform: str, user_ref: str, *, chosen: bool
    ) -> None:
        """Private messages for this member go to this account (one of their person's) from now
        on, and `reach_chosen` records whether they chose it (/link me here) or it followed where
        they last wrote. Storage applies no rule: the core decides when to move it."""
        ...


class PeopleRepository(PersonalData, Protocol):
    """Who is behind an account. `MemberRepository.add` gives a new membership the person of its
    account, so the same account in two communities is one person.

    Erasing a member (/forgetme, one community) takes the person, with all their accounts, once
    they have no membership left anywhere (one /forgetme on a member whose accounts were linked
    erases every one of them); it must run before the member's own row goes."""

    async def find_or_create_for_account(
        self, platform: str, user_ref: str, now: datetime
    ) -> Person: ...

    async def account(self, platform: str, user_ref: str) -> Account | None: ...

    async def accounts_of(self, person_id: int) -> list[Account]: ...

    async def person(self, person_id: int) -> Person | None: ...

    async def merge(self, keep_id: int, drop_id: int) -> None:
        """Two accounts were proven one person's (/link me): drop's accounts belong to keep, and
        in each community where both have a member row the rows are folded into keep's
        (everything that named drop's row, proposal voices included, names keep's; the higher
        role, the earlier join), so check-ins ask once, totals count once and a voice counts
        once. Drop's other memberships become keep's and the drop person is deleted."""
        ...


class AuditRepository(PersonalData, Protocol):
    async def add(
        self,
        *,
        community_id: int,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        key: str,
        params: Mapping[str, Any],
        subject: str = "",
        subject_id: int | None = None,
    ) -> AuditEntry: ...

    async def latest(
        self, community_id: int, limit: int, *, through: int | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first (only up to entry `through`, if given)."""
        ...

    async def every(self, community_id: int) -> list[AuditEntry]:
        """The whole log of a community, oldest first (an export)."""
        ...


class ScheduleRepository(Protocol):
    async def put(self, schedule: Schedule) -> None: ...

    async def get(self, community_id: int, kind: str) -> Schedule | None: ...

    async def remove(self, community_id: int, kind: str) -> bool: ...

    async def for_community(self, community_id: int) -> list[Schedule]: ...

    async def due(self, now: datetime, limit: int) -> list[Schedule]:
        """Schedules due now, except those of paused communities."""
        ...

    async def earliest(self) -> datetime | None:
        """The next run of any schedule of a community that is not paused."""
        ...


class JobRepository(PersonalData, Protocol):
    async def add(
        self,
        *,
        community_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        member_id: int | None = None,
    ) -> Job: ...

    async def due(self, now: datetime, limit: int) -> list[Job]:
        """Jobs due now, except those of paused communities (held until they resume)."""
        ...

    async def remove(self, job_id: int) -> bool: ...

    async def earliest(self) -> datetime | None:
        """When the next job of a community that is not paused falls due."""
        ...

    async def pending(self, community_id: int, kind: str | None = None) -> list[Job]: ...


class ConversationRepository(PersonalData, Protocol):
    # Members whose conversation this unit of work put or cleared (so the core can tell, with
    # no extra read, whether a command started or moved a flow).
    written: set[int]

    async def get(self, member_id: int) -> Conversation | None: ...

    async def put(self, conversation: Conversation) -> None: ...

    async def clear(self, member_id: int) -> None: ...


class ProcessedEventRepository(Protocol):
    async def claim(self, platform: str, event_ref: str, now: datetime) -> bool:
        """Record an incoming update; False when it was seen before (a re-delivery)."""
        ...


class ReflectionPromptRepository(PersonalData, Protocol):
    """A community's own reflection prompts; erasing a member only unlinks their authorship."""

    async def add(
        self,
        *,
        community_id: int,
        text: str,
        theme: str | None,
        author_id: int | None,
        suggested: bool,
        now: datetime,
    ) -> CommunityPrompt: ...

    async def get(self, community_id: int, prompt_id: int) -> CommunityPrompt | None: ...

    async def for_community(self, community_id: int) -> list[CommunityPrompt]: ...

    async def remove(self, community_id: int, prompt_id: int) -> bool: ...


class ReflectionRepository(PersonalData, Protocol):
    """Reflection rounds and the answers members give; answers are erased with their author."""

    async def add_round(
        self,
        *,
        community_id: int,
        prompt_key: str,
        prompt_text: str,
        theme: str | None,
        cycle: int,
        now: datetime,
    ) -> ReflectionRound: ...

    async def latest_round(self, community_id: int) -> ReflectionRound | None:
        """The current round: the open one (at most one), else the highest numbered."""
        ...

    async def rounds(self, community_id: int) -> list[ReflectionRound]:
        """Every round of the community, in number order (open or closed)."""
        ...

    async def round_by_number(self, community_id: int, number: int) -> ReflectionRound | None: ...

    async def get_round(self, round_id: int) -> ReflectionRound | None: ...

    async def close_round(self, round_id: int, now: datetime) -> bool:
        """Mark an open round closed; False when it was already closed (the digest went out)."""
        ...

    async def keys_in_cycle(self, community_id: int, cycle: int) -> set[str]: ...

    async def answer(
        self, *, round_id: int, member_id: int, text: str, shared: bool, now: datetime
    ) -> tuple[Reflection, bool]:
        """Record a member's answer to a round, replacing theirs; True when it replaced one."""
        ...

    async def get_answer(self, community_id: int, reflection_id: int) -> Reflection | None: ...

    async def set_shared(self, reflection_id: int, shared: bool) -> None: ...

    async def answers(self, round_id: int) -> list[Reflection]: ...

    async def shared_in(self, community_id: int) -> list[Reflection]:
        """The answers their authors chose to share, in the community, oldest first; private
        ones are never read, so nothing built from this can leak one."""
        ...

    async def by_member(self, community_id: int, member_id: int) -> list[Reflection]: ...


class PlatformStateRepository(Protocol):
    """Small facts an adapter keeps about its platform between runs (e.g. what it last synced).

    Never personal data: values here are not part of /mydata or /forgetme.
    """

    async def get(self, platform: str, key: str) -> str | None: ...

    async def put(self, platform: str, key: str, value: str) -> None: ...

    async def keep_first(self, platform: str, key: str, value: str) -> str:
        """Store `value` unless the key has one already; the value kept."""
        ...


class ReachRepository(PersonalData, Protocol):
    """What Hearth remembers about reaching people privately, so a restart repeats nothing.

    When it last wrote to a member privately is theirs: shown in /mydata, erased by /forgetme."""

    async def last_notice(self, community_id: int, platform: str, flow: str) -> datetime | None:
        """When the community's place on this platform was last told that someone could not be
        reached privately for this flow."""

    async def note_notice(
        self, community_id: int, platform: str, flow: str, at: datetime
    ) -> None: ...

    async def wrote_privately(self, member_id: int, at: datetime) -> None:
        """Hearth wrote to this member privately: their private chat is about its community."""

    async def last_written(self, member_ids: Sequence[int]) -> int | None:
        """Of these members, the one Hearth last wrote to privately (None if none)."""


class OutboxRepository(PersonalData, Protocol):
    """Messages that scheduled work decided to send, kept until the platform has taken them.

    They are written in the same transaction as the work that decided them, so a crash never
    loses one, and removed one by one as they are delivered, so a restart does not resend. A
    sender claims what it is about to send, so two senders on one database never send the same
    message; a claim lapses after its lease, or at once when its sender's process is gone and
    the engine can tell (PostgreSQL), so a dead sender's messages still go out.
    """

    async def add(self, reply: Reply, now: datetime) -> int: ...

    async def pending(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Due messages, claimed or not, except those for a paused community's place (held, not
        lost): a look at what waits; sending goes through `claim`."""
        ...

    async def claim(
        self, now: datetime, *, batch: int, lease: timedelta, owner: str
    ) -> list[OutboxMessage]:
        """Up to `batch` due messages nobody holds (or whose holder's lease ran out) and not for
        a paused community, oldest first, now held by `owner` until now + lease. Choosing and
        claiming are one atomic step of this unit of work, which must commit before anything is
        sent."""
        ...

    async def release(self, owner: str) -> None:
        """Let go of what `owner` still holds (a sender stopping), so it is due again at once."""
        ...

    async def remove(self, message_id: int) -> None: ...

    async def postpone(self, message_id: int, until: datetime) -> None:
        """Try again at `until`: one more attempt counted, and no longer claimed by anyone."""
        ...

    async def earliest(self, look_again: datetime | None = None) -> datetime | None:
        """When the next message may be claimed: due, not held under a running lease, and not
        for a paused community. Where other processes send too, one holding a claim may die,
        which gives its messages back at once: then the answer is `look_again` at the latest."""
        ...

    async def depth(self) -> int:
        """How many messages wait to be sent, due or retried later, claimed or not; those held
        for a paused community are not counted (they wait for it, not for a sender)."""
        ...

    async def move_place(self, platform: str, old_ref: str, new_ref: str) -> int:
        """Waiting messages for a place that got a new id go to the new id; how many."""
        ...


class UnitOfWork(Protocol):
    """One transaction: the writes of a command commit together, before its reply is sent."""

    @property
    def communities(self) -> CommunityRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def people(self) -> PeopleRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def events(self) -> ProcessedEventRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def reflection_prompts(self) -> ReflectionPromptRepository: ...

    @property
    def reflections(self) -> ReflectionRepository: ...

    @property
    def welcome(self) -> WelcomeRepository: ...

    @property
    def buddies(self) -> BuddyRepository: ...

    @property
    def platform_state(self) -> PlatformStateRepository: ...

    @property
    def reach(self) -> ReachRepository: ...

    @property
    def checkins(self) -> CheckinRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def aid_requests(self) -> AidRequestRepository: ...

    @property
    def request_snapshots(self) -> RequestSnapshotRepository: ...

    @property
    def web_logins(self) -> WebLoginRepository: ...

    @property
    def web_sessions(self) -> WebSessionRepository: ...

    @property
    def link_codes(self) -> LinkCodeRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    def personal_data(self) -> Sequence[PersonalData]:
        """Every repository that holds personal data, for /mydata and /forgetme."""
        ...


class Store(Protocol):
    def unit_of_work(self, *, turn: str | None = None) -> UnitOfWork:
        """A unit of work. Units given the same `turn` (a community, say) run one after
        another, in every process on the database, instead of side by side: work that would
        only collide waits rather than being refused (StoreConflict) and run again."""
        ...

    async def close(self) -> None: ...

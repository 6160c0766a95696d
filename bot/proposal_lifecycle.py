"""The proposal lifecycle as a pure state machine: no storage, no clock, no platform.

Nothing is ever rejected here. A proposal incubates until it has had both time and the
perspectives of people other than its author, then goes to a consent round; from there it is
adopted, or it goes back to incubate with the objections as concerns. Its author may revise or
withdraw it; a moderator may park it (only once incubation is over, or once it rests) with a date
it comes back.

Nothing nags either. While a proposal waits (for perspectives, or for answers to its consent
round) it is raised at most MAX_REMINDERS times per quiet stretch, further apart each time; then
it rests, without public posts, until someone engages again, which starts a new stretch. A
resting proposal was heard and nobody came: that is why a moderator may park it.

Every operation appends `Event`s; those marked `audit` are state changes or moderator actions,
which the service mirrors into the community's public audit log. Refusals carry raw values
(datetimes, states) that the service renders in the community's timezone and language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.catalog import Phrase
from bot.errors import Refusal
from bot.proposal_records import (
    DETAILS_LIMIT,
    MAX_REMINDERS,
    NOTE_LIMIT,
    REMINDERS_AFTER,
    STANCE_ACTION,
    TITLE_LIMIT,
    UNDECIDED,
    Action,
    Actor,
    Contribution,
    Event,
    Kind,
    Position,
    Rules,
    Stance,
    State,
    Support,
    Version,
    reflection_number,
)
from bot.text_input import is_blank


@dataclass
class Proposal:
    community_id: int
    number: int
    title: str
    author: str  # the author's voice
    author_id: int | None
    author_name: str
    created_at: datetime
    state: State
    state_since: datetime
    incubation_until: datetime
    stage: int = 0  # grows with every state change, so stale timers know to do nothing
    consent_until: datetime | None = None
    round: int = 0
    parked_until: datetime | None = None
    park_reason: str = ""
    last_raised_at: datetime | None = None
    nudges: int = 0  # reminders posted in the current quiet stretch
    quiet_since: datetime | None = None  # the latest engagement or stage change (None: state_since)
    resting_since: datetime | None = None  # reminders ran out; it waits for someone to engage
    hidden: bool = False
    hidden_reason: str = ""
    merged_into: int | None = None
    origin: str = ""  # where it came from, e.g. proposal_records.from_reflection(7)
    versions: list[Version] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    id: int | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def from_reflection(self) -> int | None:
        """The shared reflection it grew out of, when it was opened from one."""
        return reflection_number(self.origin)

    @property
    def resting(self) -> bool:
        return self.resting_since is not None

    @property
    def version(self) -> Version:
        return self.versions[-1]

    def perspective_voices(self) -> set[str]:
        """The distinct people other than the author who added a build or a concern."""
        return {c.voice for c in self.contributions if c.voice != self.author}

    @property
    def perspectives(self) -> int:
        return len(self.perspective_voices())

    def count(self, kind: Kind) -> int:
        return sum(1 for c in self.contributions if c.kind is kind)

    def positions_now(self) -> dict[str, Position]:
        """Each person's latest position in the current consent round."""
        latest: dict[str, Position] = {}
        for position in self.positions:
            if position.round == self.round:
                latest[position.voice] = position
        return latest

    def stance_count(self, stance: Stance) -> int:
        if self.state is not State.CONSENT:
            return 0
        return sum(1 for p in self.positions_now().values() if p.stance is stance)

    def standing_objections(self) -> list[Position]:
        if self.state is not State.CONSENT:
            return []
        return [p for p in self.positions_now().values() if p.stance is Stance.OBJECT]

    def ready(self, now: datetime, rules: Rules) -> bool:
        """Incubation is over: its minimum time has passed AND enough others have spoken."""
        return (
            self.state is State.INCUBATING
            and now >= self.incubation_until
            and self.perspectives >= rules.perspectives
        )

    def timers(self, rules: Rules) -> list[tuple[str, datetime]]:
        """The timed work this stage needs: (kind, due). Called whenever the stage changes."""
        if self.hidden:
            return []
        if self.state is State.INCUBATING and not self.resting:
            return [("incubation", self.incubation_until)]
        if self.state is State.CONSENT and self.consent_until is not None:
            return [
                ("reminder", self.consent_until - rules.reminder_lead),
                ("close", self.consent_until),
            ]
        if self.state is State.PARKED and self.parked_until is not None:
            return [("revisit", self.parked_until)]
        return []

    # -- guards ----------------------------------------------------------------------------

    def _visible(self) -> None:
        if self.hidden:
            raise Refusal("proposal_hidden", number=self.number)
        if self.state is State.MERGED:
            raise Refusal("proposal_merged", number=self.number, into=self.merged_into or 0)

    def _undecided(self) -> None:
        self._visible()
        if self.state not in UNDECIDED:
            raise Refusal("proposal_decided", number=self.number, state=self.state)

    def _incubating(self) -> None:
        """Builds, concerns and support belong to incubation; say what to do instead."""
        self._undecided()
        if self.state is State.CONSENT and self.resting:
            raise Refusal("proposal_in_consent_resting", number=self.number)
        if self.state is State.CONSENT:
            raise Refusal("proposal_in_consent", number=self.number, closes=self.consent_until)
        if self.state is State.PARKED:
            raise Refusal("proposal_parked_now", number=self.number, until=self.parked_until)

    def _too_early(self, key: str, rules: Rules) -> Refusal:
        """A refusal that says when incubation can be over, in time and in voices."""
        return Refusal(
            key,
            number=self.number,
            until=self.incubation_until,
            need=rules.perspectives,
            have=self.perspectives,
        )

    def _moderator(self, actor: Actor) -> None:
        """The dispatcher checks roles first; the lifecycle holds the rule on its own too."""
        if not actor.moderator:
            raise Refusal("proposal_moderators_only", number=self.number)

    def _author(self, actor: Actor) -> None:
        if actor.voice != self.author:
            raise Refusal("proposal_not_author", number=self.number)

    # -- recording -------------------------------------------------------------------------

    def _event(
        self,
        now: datetime,
        action: Action,
        actor: Actor | None,
        detail: str = "",
        *,
        state: State | None = None,
        audit: bool = False,
    ) -> None:
        self.events.append(
            Event(
                at=now,
                action=action,
                actor_id=actor.member_id if actor else None,
                actor_name=actor.name if actor else "",
                automatic=actor is None,
                detail=detail,
                state=state,
                audit=audit or state is not None,
            )
        )

    def _enter(
        self, state: State, now: datetime, action: Action, actor: Actor | None, detail: str = ""
    ) -> None:
        self.state = state
        self.state_since = now
        self.stage += 1
        self._quiet_from(now)
        self.resting_since = None
        self._event(now, action, actor, detail, state=state)

    def _quiet_from(self, now: datetime) -> None:
        """A new quiet stretch starts: its reminders are counted afresh."""
        self.quiet_since = now
        self.nudges = 0

    def _engaged(self, now: datetime) -> None:
        """Someone engaged: a new quiet stretch starts, and a resting proposal wakes up."""
        self._quiet_from(now)
        if self.resting:
            self.resting_since = None
            self.stage += 1  # its timers start again

    def _next_reminder(self, eligible: datetime) -> datetime | None:
        """When the next reminder of this quiet stretch is due, if it has any left."""
        if self.nudges >= MAX_REMINDERS:
            return None
        start = max(eligible, self.quiet_since or self.state_since)
        return start + REMINDERS_AFTER[self.nudges]

    def _nudged(self, now: datetime, action: Action, detail: str = "") -> None:
        self.nudges += 1
        self._event(now, action, None, detail)

    def _rest(self, now: datetime) -> None:
        """Reminders ran out and nobody came: no more posts until someone engages."""
        self.resting_since = now
        self._event(now, Action.RESTED, None, str(self.nudges), audit=True)

    def _incubate(self, now: datetime, length: timedelta) -> None:
        self.incubation_until = now + length
        self.consent_until = None
        self.parked_until = None
        self.last_raised_at = None

    def _objections_become_concerns(self, now: datetime) -> int:
        """Standing objections stay with the version they answered, as concerns to work on."""
        objections = self.standing_objections()
        for objection in objections:
            self.contributions.append(
                Contribution(
                    Kind.CONCERN,
                    self.version.number,
                    objection.voice,
                    objection.member_id,
                    objection.name,
                    objection.reason,
                    now,
                    from_objection=True,
                )
            )
        return len(objections)

    def _start_consent_if_ready(self, now: datetime, rules: Rules) -> bool:
        if not self.ready(now, rules):
            return False
        self.round += 1
        self.consent_until = now + rules.consent_round
        self._enter(State.CONSENT, now, Action.CONSENT_STARTED, None)
        return True

    # -- what members do -------------------------------------------------------------------

    def contribute(self, actor: Actor, kind: Kind, text: str, now: datetime, rules: Rules) -> None:
        self._incubating()
        text = text.strip()
        if not text:
            raise Refusal(f"proposal_{kind}_empty", number=self.number)
        _limit(text, NOTE_LIMIT, f"proposal_{kind}_too_long")
        self.contributions.append(
            Contribution(
                kind, self.version.number, actor.voice, actor.member_id, actor.name, text, now
            )
        )
        action = Action.BUILT if kind is Kind.BUILD else Action.CONCERNED
        self._event(now, action, actor, text)
        self._engaged(now)
        # Time may already be up, waiting only for voices: this one may complete incubation.
        self._start_consent_if_ready(now, rules)

    def support(self, actor: Actor, now: datetime) -> None:
        self._incubating()
        if actor.voice == self.author:
            raise Refusal("proposal_support_own", number=self.number)
        if any(s.voice == actor.voice for s in self.supports):
            raise Refusal("proposal_support_again", number=self.number)
        self.supports.append(Support(actor.voice, actor.member_id, actor.name, now))
        self._event(now, Action.SUPPORTED, actor)
        self._engaged(now)

    def revise(self, actor: Actor, details: str, now: datetime, rules: Rules) -> None:
        self._undecided()
        self._author(actor)
        details = check_details(details)
        was_in_consent = self.state is State.CONSENT
        moved = self._objections_become_concerns(now) if was_in_consent else 0
        self.versions.append(Version(self.version.number + 1, details, now))
        self._event(now, Action.REVISED, actor, str(self.version.number))
        self._engaged(now)
        if was_in_consent:
            # People deserve time to read the new version before they are asked again.
            self._incubate(now, rules.reincubation)
            self._enter(State.INCUBATING, now, Action.REOPENED, actor, str(moved))

    def take_position(
        self, actor: Actor, stance: Stance, reason: str, now: datetime, rules: Rules
    ) -> None:
        self._undecided()
        if self.state is State.INCUBATING:
            raise self._too_early("proposal_position_too_early", rules)
        if self.state is State.PARKED:
            raise Refusal("proposal_parked_now", number=self.number, until=self.parked_until)
        reason = reason.strip()
        if stance is Stance.OBJECT and not reason:
            raise Refusal("proposal_objection_needs_reason", number=self.number)
        _limit(reason, NOTE_LIMIT, "proposal_reason_too_long")
        self.positions.append(
            Position(self.round, actor.voice, actor.member_id, actor.name, stance, reason, now)
        )
        self._event(now, STANCE_ACTION[stance], actor, reason)
        self._engaged(now)
        if self.consent_until is None:  # it was resting: the round runs again from this answer
            self.consent_until = now + rules.consent_round

    def withdraw(self, actor: Actor, reason: str, now: datetime) -> None:
        self._undecided()
        self._author(actor)
        reason = reason.strip()
        _limit(reason, NOTE_LIMIT, "proposal_reason_too_long")
        self._enter(State.WITHDRAWN, now, Action.WITHDRAWN, actor, reason)

    # -- what moderators do ----------------------------------------------------------------

    def park(self, actor: Actor, reason: str, until: datetime, now: datetime, rules: Rules) -> None:
        self._moderator(actor)
        self._undecided()
        if self.state is State.PARKED:
            raise Refusal("proposal_already_parked", number=self.number, until=self.parked_until)
        if self.state is State.INCUBATING and not (self.ready(now, rules) or self.resting):
            raise self._too_early("proposal_park_too_early", rules)
        reason = reason.strip()
        if not reason:
            raise Refusal("proposal_park_needs_reason", number=self.number)
        _limit(reason, NOTE_LIMIT, "proposal_reason_too_long")
        if until <= now:
            raise Refusal("proposal_revisit_in_past", number=self.number)
        self.parked_until = until
        self.park_reason = reason
        self.consent_until = None
        self._enter(State.PARKED, now, Action.PARKED, actor, reason)

    def adopt(self, actor: Actor, note: str, now: datetime, rules: Rules) -> None:
        self._moderator(actor)
        self._undecided()
        if self.state is State.INCUBATING:
            raise self._too_early("proposal_adopt_too_early", rules)
        if self.state is State.PARKED:
            raise Refusal("proposal_adopt_parked", number=self.number, until=self.parked_until)
        objections = self.standing_objections()
        if objections:
            raise Refusal("proposal_adopt_objections", number=self.number, count=len(objections))
        note = note.strip()
        if not note:
            raise Refusal("proposal_adopt_needs_note", number=self.number)
        _limit(note, NOTE_LIMIT, "proposal_reason_too_long")
        self._enter(State.ADOPTED, now, Action.ADOPTED, actor, note)

    def hide(self, actor: Actor, reason: str, now: datetime) -> None:
        self._moderator(actor)
        if self.hidden:
            raise Refusal("proposal_already_hidden", number=self.number)
        reason = reason.strip()
        if not reason:
            raise Refusal("proposal_hide_needs_reason", number=self.number)
        _limit(reason, NOTE_LIMIT, "proposal_reason_too_long")
        self.hidden = True
        self.hidden_reason = reason
        self.stage += 1  # its timers stop: a hidden proposal is frozen where it was
        self._event(now, Action.HIDDEN, actor, reason, audit=True)

    def merge_into(self, other: Proposal, actor: Actor, now: datetime, rules: Rules) -> None:
        """Link a duplicate to the proposal that carries on; its builds and support go along."""
        self._moderator(actor)
        if other.number == self.number:
            raise Refusal("proposal_merge_self", number=self.number)
        self._undecided()
        other._undecided()
        for contribution in self.contributions:
            other.contributions.append(
                Contribution(
                    contribution.kind,
                    contribution.version,
                    contribution.voice,
                    contribution.member_id,
                    contribution.name,
                    contribution.text,
                    contribution.at,
                    contribution.from_objection,
                    merged_from=contribution.merged_from or self.number,
                )
            )
        known = {s.voice for s in other.supports} | {other.author}
        for support in self.supports:
            if support.voice not in known:
                other.supports.append(
                    Support(support.voice, support.member_id, support.name, support.at)
                )
                known.add(support.voice)
        self.merged_into = other.number
        self._enter(State.MERGED, now, Action.MERGED, actor, str(other.number))
        other._event(now, Action.MERGED_IN, actor, str(self.number))
        other._engaged(now)
        other._start_consent_if_ready(now, rules)

    # -- what time does --------------------------------------------------------------------

    def incubation_due(self, now: datetime, rules: Rules) -> datetime | None:
        """Time is up: start the consent round, or raise it again while reminders remain.

        Returns when to look again: None once its round started, or once it rests.
        """
        if self.hidden or self.state is not State.INCUBATING or self.resting:
            return None
        if now < self.incubation_until or self._start_consent_if_ready(now, rules):
            return None
        due = self._next_reminder(self.incubation_until)
        if due is not None and now >= due:
            self.last_raised_at = now
            self._nudged(now, Action.RERAISED, str(rules.perspectives - self.perspectives))
            due = self._next_reminder(self.incubation_until)
        if due is None:
            self._rest(now)
        return due

    def remind(self, now: datetime) -> bool:
        """The round closes soon; said only while this quiet stretch has reminders left."""
        if self.hidden or self.state is not State.CONSENT or self.resting:
            return False
        if self.nudges >= MAX_REMINDERS:
            return False
        self._nudged(now, Action.REMINDED)
        return True

    def close_round(self, now: datetime, rules: Rules) -> None:
        """Adopted with consent and no standing objection; back to incubate with objections;
        with no answers at all, the round stays open longer while reminders remain, then rests
        (neither adopted nor turned down) until someone answers."""
        if self.hidden or self.state is not State.CONSENT:
            return
        if self.standing_objections():
            moved = self._objections_become_concerns(now)
            self._incubate(now, rules.reincubation)
            self._enter(State.INCUBATING, now, Action.RETURNED, None, str(moved))
        elif self.stance_count(Stance.CONSENT) >= 1:
            self.consent_until = None
            consents = self.stance_count(Stance.CONSENT)
            self._enter(State.ADOPTED, now, Action.ADOPTED, None, str(consents))
        elif self.nudges < MAX_REMINDERS:
            self.consent_until = now + rules.consent_round
            self.stage += 1
            self.nudges += 1
            self._event(now, Action.EXTENDED, None, audit=True)
        else:
            self.consent_until = None
            self.stage += 1
            self._rest(now)

    def revisit(self, now: datetime, rules: Rules) -> None:
        if self.hidden or self.state is not State.PARKED:
            return
        self._incubate(now, rules.incubation)
        self._enter(State.INCUBATING, now, Action.REVISITED, None, self.park_reason)


def _limit(text: str, limit: int, key: str) -> None:
    if len(text) > limit:
        raise Refusal(key, limit=limit, length=len(text))


def check_title(title: str) -> str:
    title = title.strip()
    if is_blank(title):  # e.g. only a direction mark was left beside the "|"
        raise Refusal("proposal_title_empty", limit=TITLE_LIMIT)
    _limit(title, TITLE_LIMIT, "proposal_title_too_long")
    return title


def check_details(details: str) -> str:
    details = details.strip()
    if is_blank(details):
        raise Refusal("proposal_details_empty", limit=DETAILS_LIMIT)
    _limit(details, DETAILS_LIMIT, "proposal_details_too_long")
    return details


def open_proposal(
    community_id: int,
    author: Actor,
    title: str,
    details: str,
    now: datetime,
    rules: Rules,
    origin: str = "",
) -> Proposal:
    """A new proposal, incubating; the store gives it its number in the community.

    `origin` says where it came from (proposal_records.from_reflection), kept on the opening
    event so the history shows it."""
    proposal = Proposal(
        community_id=community_id,
        number=0,
        title=check_title(title),
        author=author.voice,
        author_id=author.member_id,
        author_name=author.name,
        created_at=now,
        state=State.INCUBATING,
        state_since=now,
        incubation_until=now + rules.incubation,
        versions=[Version(1, check_details(details), now)],
        origin=origin,
    )
    proposal._event(now, Action.PROPOSED, author, origin, state=State.INCUBATING)
    return proposal


def member_record(proposals: Iterable[Proposal], member_id: int) -> list[dict[str, Any]]:
    """What these proposals hold about one person, for /mydata (same on every store), in
    catalog words (`mydata_value_…`) so it reads in the person's language."""
    rows: list[dict[str, Any]] = []
    for proposal in sorted(proposals, key=lambda p: (p.community_id, p.number)):
        label = f"#{proposal.number}"
        if proposal.author_id == member_id:
            rows.append(
                {"proposal": label, "what": Phrase("mydata_value_proposed"), "text": proposal.title}
            )
            rows.extend(
                {
                    "proposal": label,
                    "what": Phrase("mydata_value_version", number=v.number),
                    "text": v.details,
                }
                for v in proposal.versions
            )
        rows.extend(
            {"proposal": label, "what": c.kind.value, "text": c.text}
            for c in proposal.contributions
            if c.member_id == member_id and c.merged_from is None
        )
        rows.extend(
            {"proposal": label, "what": Phrase("mydata_value_support"), "text": ""}
            for s in proposal.supports
            if s.member_id == member_id
        )
        rows.extend(
            {
                "proposal": label,
                "what": Phrase("mydata_value_position", round=p.round, stance=p.stance.value),
                "text": p.reason,
            }
            for p in proposal.positions
            if p.member_id == member_id
        )
    return rows


@dataclass(frozen=True)
class Tally:
    """What a listing shows of a proposal: its header and counts, without its parts.

    `tally()` is its one rule: storage feeds it proposals read with only the parts it counts
    (who built, raised a concern, supported, or took which position this round), so listing
    many proposals does not read every text and history.
    """

    number: int
    title: str
    created_at: datetime
    state: State
    incubation_until: datetime
    consent_until: datetime | None
    parked_until: datetime | None
    merged_into: int | None
    hidden: bool
    resting_since: datetime | None
    builds: int
    concerns: int
    support: int
    perspectives: int
    consents: int
    objections: int


def tally(p: Proposal) -> Tally:
    return Tally(
        number=p.number,
        title=p.title,
        created_at=p.created_at,
        state=p.state,
        incubation_until=p.incubation_until,
        consent_until=p.consent_until,
        parked_until=p.parked_until,
        merged_into=p.merged_into,
        hidden=p.hidden,
        resting_since=p.resting_since,
        builds=p.count(Kind.BUILD),
        concerns=p.count(Kind.CONCERN),
        support=len(p.supports),
        perspectives=p.perspectives,
        consents=p.stance_count(Stance.CONSENT),
        objections=len(p.standing_objections()),
    )

"""What a proposal holds, what can be read off it, and the guards and bookkeeping that its moves
share. The moves themselves (what members, moderators and time do) are `Proposal` in lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.errors import Refusal
from bot.services.proposals.records import (
    MAX_REMINDERS,
    REMINDERS_AFTER,
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


@dataclass
class ProposalBase:
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
    origin: str = ""  # where it came from, e.g. records.from_reflection(7)
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

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

from dataclasses import dataclass
from datetime import datetime

from bot.errors import Refusal
from bot.services.proposals.proposal import ProposalBase
from bot.services.proposals.records import (
    DETAILS_LIMIT,
    MAX_REMINDERS,
    NOTE_LIMIT,
    STANCE_ACTION,
    TITLE_LIMIT,
    Action,
    Actor,
    Contribution,
    Kind,
    Position,
    Rules,
    Stance,
    State,
    Support,
    Version,
)
from bot.text_input import is_blank


@dataclass
class Proposal(ProposalBase):
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

    `origin` says where it came from (records.from_reflection), kept on the opening
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

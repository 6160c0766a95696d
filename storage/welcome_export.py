"""How welcome and buddy records appear in /mydata, shared by both stores so they agree.

Field names and words are catalog keys (`mydata_field_…`, `mydata_value_…`), not English."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.catalog import Phrase
from bot.services.welcome.records import (
    BuddyRequest,
    Contribution,
    Intro,
    Onboarding,
    Pairing,
    Volunteer,
)

WELCOME_SECTION = "mydata_section_welcome"
BUDDY_SECTION = "mydata_section_buddies"
_YES = Phrase("mydata_value_yes")
_NO = Phrase("mydata_value_no")


def _when(value: datetime | None) -> datetime | str:
    return value if value else ""


def join_row(
    joined_at: datetime, welcomed_at: datetime | None, followup_answered_at: datetime | None
) -> dict[str, Any]:
    return {
        "joined": _when(joined_at),
        "welcomed_publicly": _when(welcomed_at),
        "followup_answered": _when(followup_answered_at),
    }


def onboarding_row(onboarding: Onboarding) -> dict[str, Any]:
    wants = onboarding.wants_buddy
    return {
        "onboarding_started": _when(onboarding.started_at),
        "at_step": onboarding.step.value,
        "brings": onboarding.brings or "",
        "could_bring": Phrase("mydata_value_unsure") if onboarding.unsure else "",
        "wants_buddy": "" if wants is None else (_YES if wants else _NO),
        "onboarding_completed": _when(onboarding.completed_at),
    }


def contribution_row(contribution: Contribution) -> dict[str, Any]:
    return {"you_could_bring": contribution.text, "said": _when(contribution.created_at)}


def intro_row(intro: Intro) -> dict[str, Any]:
    return {
        "intro": intro.text,
        "posted": _when(intro.posted_at) or Phrase("mydata_value_not_posted"),
    }


def volunteer_row(volunteer: Volunteer) -> dict[str, Any]:
    row: dict[str, Any] = {
        "buddy_volunteer": _YES if volunteer.active else _NO,
        "at_most_at_once": volunteer.open_limit,
        "since": _when(volunteer.since),
    }
    if volunteer.paused_at is not None:
        row["buddy_requests_paused"] = _when(volunteer.paused_at)
        row["paused_until"] = _when(volunteer.paused_until) or Phrase(
            "mydata_value_until_you_resume"
        )
    return row


def pairing_row(pairing: Pairing, member_id: int) -> dict[str, Any]:
    role = "mydata_value_as_buddy" if pairing.buddy_id == member_id else "mydata_value_as_newcomer"
    return {
        "buddy_pairing_as": Phrase(role),
        "status": pairing.status.value,
        "started": _when(pairing.created_at),
        "ended": _when(pairing.ended_at),
    }


def request_row(request: BuddyRequest) -> dict[str, Any]:
    return {"asked_for_a_buddy": _when(request.requested_at)}

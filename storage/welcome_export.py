"""How welcome and buddy records appear in /mydata, shared by both stores so they agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.welcome_records import BuddyRequest, Contribution, Intro, Onboarding, Pairing, Volunteer

WELCOME_SECTION = "welcome and onboarding"
BUDDY_SECTION = "buddies"


def _when(value: datetime | None) -> datetime | str:
    return value if value else ""


def join_row(joined_at: datetime, welcomed_at: datetime | None) -> dict[str, Any]:
    return {"joined": _when(joined_at), "welcomed publicly": _when(welcomed_at)}


def onboarding_row(onboarding: Onboarding) -> dict[str, Any]:
    wants = onboarding.wants_buddy
    return {
        "onboarding started": _when(onboarding.started_at),
        "at step": onboarding.step.value,
        "what brings you here": onboarding.brings or "",
        "what you could bring": "I don't know yet" if onboarding.unsure else "",
        "wants a buddy": "" if wants is None else ("yes" if wants else "no"),
        "onboarding completed": _when(onboarding.completed_at),
    }


def contribution_row(contribution: Contribution) -> dict[str, Any]:
    return {"you could bring": contribution.text, "said": _when(contribution.created_at)}


def intro_row(intro: Intro) -> dict[str, Any]:
    return {"intro": intro.text, "posted": _when(intro.posted_at) or "not posted"}


def volunteer_row(volunteer: Volunteer) -> dict[str, Any]:
    row: dict[str, Any] = {
        "buddy volunteer": "yes" if volunteer.active else "no",
        "at most at once": volunteer.open_limit,
        "since": _when(volunteer.since),
    }
    if volunteer.paused_at is not None:
        row["buddy requests paused"] = _when(volunteer.paused_at)
        row["paused until"] = _when(volunteer.paused_until) or "you resume"
    return row


def pairing_row(pairing: Pairing, member_id: int) -> dict[str, Any]:
    return {
        "buddy pairing as": "buddy" if pairing.buddy_id == member_id else "newcomer",
        "status": pairing.status.value,
        "started": _when(pairing.created_at),
        "ended": _when(pairing.ended_at),
    }


def request_row(request: BuddyRequest) -> dict[str, Any]:
    return {"asked for a buddy": _when(request.requested_at)}

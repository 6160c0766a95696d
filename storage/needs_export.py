"""How check-in and mutual-aid rows read in /mydata, apart from how storage/needs.py reads them.

Field names and words are catalog keys (`mydata_field_…`, `mydata_value_…`), not English."""

from __future__ import annotations

from typing import Any

from bot.catalog import Phrase
from bot.services.needs.records import (
    AidRequest,
    CheckinAnswer,
    CheckinRound,
    Invitation,
    Offer,
    Pause,
)

_YES = Phrase("mydata_value_yes")
_NO = Phrase("mydata_value_no")


def _round_name(checkin_round: CheckinRound) -> Phrase:
    key = "mydata_value_own_checkin" if checkin_round.is_personal else "mydata_value_checkin_round"
    return Phrase(key, day=checkin_round.opened_at.date().isoformat())


def _need_names(checkin_round: CheckinRound) -> dict[str, str]:
    return {need.key: need.label or need.key for need in checkin_round.needs}


def export_pause(pause: Pause) -> dict[str, Any]:
    return {"checkins_paused_until": pause.until or Phrase("mydata_value_until_you_resume")}


def export_invitation(checkin_round: CheckinRound, invitation: Invitation) -> dict[str, Any]:
    return {
        "invited_to": _round_name(checkin_round),
        "reminded": invitation.reminded_at if invitation.reminded_at else "",
        "unreachable": _YES if invitation.unreachable_at else "",
    }


def export_answer(checkin_round: CheckinRound, answer: CheckinAnswer) -> dict[str, Any]:
    names = _need_names(checkin_round)
    return {
        "answers_in": _round_name(checkin_round),
        "when": answer.answered_at,
        "needs": ", ".join(f"{names.get(k, k)}: {v.value}" for k, v in answer.answers.items()),
        "asked_a_hand_with": ", ".join(names.get(k, k) for k in answer.hands),
        "offered_help_with": ", ".join(names.get(k, k) for k in answer.offered),
        "note": answer.note,
    }


def export_offer(offer: Offer) -> dict[str, Any]:
    return {
        "category": offer.category,
        "offer": offer.what,
        "public": _YES if offer.public else _NO,
        "since": offer.created_at,
    }


def export_request(request: AidRequest) -> dict[str, Any]:
    return {
        "category": request.category,
        "details": request.details,
        "opened": request.opened_at,
        "open_until": request.expires_at,
        "state": request.state.value.replace("_", " "),
    }

"""How check-in and mutual-aid rows read in /mydata; shared so both stores say the same."""

from __future__ import annotations

from typing import Any

from bot.domain_needs import AidRequest, CheckinAnswer, CheckinRound, Invitation, Offer, Pause


def _round_name(checkin_round: CheckinRound) -> str:
    kind = "your own check-in" if checkin_round.is_personal else "check-in round"
    return f"{kind} of {checkin_round.opened_at.date().isoformat()}"


def _need_names(checkin_round: CheckinRound) -> dict[str, str]:
    return {need.key: need.label or need.key for need in checkin_round.needs}


def export_pause(pause: Pause) -> dict[str, Any]:
    return {"check-ins paused until": pause.until if pause.until else "you resume"}


def export_invitation(checkin_round: CheckinRound, invitation: Invitation) -> dict[str, Any]:
    return {
        "invited to": _round_name(checkin_round),
        "reminded": invitation.reminded_at if invitation.reminded_at else "",
        "could not be reached": "yes" if invitation.unreachable_at else "",
    }


def export_answer(checkin_round: CheckinRound, answer: CheckinAnswer) -> dict[str, Any]:
    names = _need_names(checkin_round)
    return {
        "answers in": _round_name(checkin_round),
        "when": answer.answered_at,
        "needs": ", ".join(f"{names.get(k, k)}: {v.value}" for k, v in answer.answers.items()),
        "asked a hand with": ", ".join(names.get(k, k) for k in answer.hands),
        "offered help with": ", ".join(names.get(k, k) for k in answer.offered),
        "note": answer.note,
    }


def export_offer(offer: Offer) -> dict[str, Any]:
    return {
        "category": offer.category,
        "offer": offer.what,
        "public": "yes" if offer.public else "no",
        "since": offer.created_at,
    }


def export_request(request: AidRequest) -> dict[str, Any]:
    return {
        "category": request.category,
        "details": request.details,
        "opened": request.opened_at,
        "open until": request.expires_at,
        "state": request.state.value.replace("_", " "),
    }

"""The needs check-ins, mutual aid and their report, installed together by the app."""

from __future__ import annotations

from bot.services import (
    checkin_questions,
    checkins,
    mutual_aid,
    needs_report,
    needs_snapshot,
)

needs_features = (
    checkins.feature,
    checkin_questions.feature,
    mutual_aid.feature,
    needs_report.feature,
    needs_snapshot.feature,
)

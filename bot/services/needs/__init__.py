"""Needs: check-in rounds and mutual aid, installed together by the app.

A check-in asks each member privately, one question at a time, how they are and what they could
use a hand with or offer; the group sees only counts that protect who answered. Mutual aid puts a
request for a hand to one offerer at a time and introduces the two only when both say yes.

What is where:
- `records.py`, `port.py`: the records (rounds, answers, offers, requests, pauses, snapshots) and
  the repository ports `bot.ports.UnitOfWork` refers to (written in `storage/needs.py`).
- `config.py`: the community's needs settings (`/setup needs …`): needs, categories, timings.
- `privacy.py`: the pure rules for what a count may show; `report.py` renders them for `/report
  needs`, `snapshot.py` takes the once-a-day count of open requests.
- `checkins.py`: rounds on a schedule or on a moderator's word, reminders, closing, retention;
  `questions.py`: the private questions and their answers; `pause.py`: pausing check-ins.
- `mutual_aid.py`: offers, requests, matching and the introductions.
"""

from __future__ import annotations

from bot.services.needs import (
    checkins,
    mutual_aid,
    questions,
    report,
    snapshot,
)

needs_features = (
    checkins.feature,
    questions.feature,
    mutual_aid.feature,
    report.feature,
    snapshot.feature,
)

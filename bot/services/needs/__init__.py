"""Needs: check-in rounds and mutual aid, installed together by the app.

A check-in asks each member privately, one question at a time, how they are and what they could
use a hand with or offer; the group sees only counts that protect who answered. Mutual aid puts a
request for a hand to one offerer at a time and introduces the two only when both say yes.

What is where:
- `records.py`, `port.py`: the records (rounds, answers, offers, requests, pauses, snapshots) and
  the repository ports `bot.ports.UnitOfWork` refers to (written in `storage/needs.py`).
- `config.py`: the community's needs settings (`/setup needs …`): needs, categories, timings.
- `privacy.py`: the pure rules for what a count may show; `report.py` renders them for `/report
  needs`, `snapshot.py` takes the once-a-day count of open requests; `cells.py` says a figure in
  words; `trends.py` turns closed rounds into charts (the dashboard, the image with the report).
- `checkins.py`: rounds on a schedule or on a moderator's word, reminders, closing, retention;
  `questions.py`: the private questions and their answers; `pause.py`: pausing check-ins.
- Mutual aid: `aid_matching.py` the rules and use cases (recording an offer, opening a request,
  seeking the next helper, the private questions, closing, the jobs that time them);
  `aid_offers.py` /offer and /offers; `aid_requests.py` /need and /need done; `aid_answers.py`
  the answers to their buttons. All four add to one feature, `aid_matching.feature`.
"""

from __future__ import annotations

from bot.services.needs import (
    aid_answers,
    aid_matching,
    aid_offers,
    aid_requests,
    checkins,
    questions,
    report,
    snapshot,
)

# aid_offers, aid_requests and aid_answers are imported for what they add to aid_matching.feature
__all__ = ["aid_answers", "aid_offers", "aid_requests", "needs_features"]

needs_features = (
    checkins.feature,
    questions.feature,
    aid_matching.feature,
    report.feature,
    snapshot.feature,
)

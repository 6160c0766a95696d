"""The proposals feature as one bundle: its commands, timers, report and `/setup proposals` key.

Each command loads a proposal, lets the lifecycle change it (or refuse) and hands it to
news.apply, which stores it and mirrors what happened: the audit log, the proposals channel and
the timers of a new stage.
"""

from __future__ import annotations

from bot.feature import Feature
from bot.services.proposals.moderation import install_moderation
from bot.services.proposals.opening import install_opening
from bot.services.proposals.report import install_report
from bot.services.proposals.settings import setup_key
from bot.services.proposals.taking_part import install_taking_part
from bot.services.proposals.timers import install_timers


def proposals_feature() -> Feature:
    feature = Feature("proposals")
    feature.setup_keys.append(setup_key)
    install_opening(feature)
    install_taking_part(feature)
    install_moderation(feature)
    install_timers(feature)
    install_report(feature)
    return feature

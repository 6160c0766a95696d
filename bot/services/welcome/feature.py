"""The welcome and the buddies as the two features they install: every command, button, flow,
job, setup key and report of the package is wired here, in the order the help lists them."""

from __future__ import annotations

from bot.commands import Param, ParamType
from bot.feature import Feature, SetupKey
from bot.roles import Role
from bot.services.welcome.buddy_pause import PAUSE_END, pause_ended
from bot.services.welcome.buddy_period import buddy_left, buddy_unreachable, close, nudge, pressed
from bot.services.welcome.followups import (
    BRING_FLOW,
    FOLLOWUP,
    bring_answered,
    change_followups,
    follow_up,
    followup_pressed,
    show_followups,
)
from bot.services.welcome.intros import intro, intro_pressed
from bot.services.welcome.joins import POST, joined, left, post_welcome, welcome_set
from bot.services.welcome.onboarding import (
    FLOW,
    answered,
    onboarding_pressed,
    onboarding_unreachable,
    welcome,
)
from bot.services.welcome.pairing import CLOSE, NUDGE, RESUME
from bot.services.welcome.report import welcome_report
from bot.services.welcome.volunteering import buddy


def welcome_feature() -> Feature:
    """The public welcome, the onboarding, /intro, the follow-ups and the welcome report."""
    feature = Feature("welcome")
    feature.job(POST)(post_welcome)
    feature.on_join.append(joined)
    feature.on_leave.append(left)
    feature.command(
        "welcome_set",
        Param("text", ParamType.TEXT),
        role=Role.MODERATOR,
    )(welcome_set)
    feature.flow(FLOW)(answered)
    feature.choice("onb")(onboarding_pressed)
    feature.command("welcome")(welcome)
    feature.on_unreachable[FLOW] = onboarding_unreachable
    feature.resumes[FLOW] = "welcome"  # a deep link's `/start onboarding` picks it up again
    feature.command(
        "intro",
        Param("text", ParamType.TEXT, required=True),
    )(intro)
    feature.choice("intro")(intro_pressed)
    feature.job(FOLLOWUP)(follow_up)
    feature.choice("fup")(followup_pressed)
    feature.flow(BRING_FLOW)(bring_answered)
    feature.setup_keys.append(SetupKey("followups", show_followups, change_followups))
    feature.report("welcome")(welcome_report)
    return feature


def buddies_feature() -> Feature:
    """Buddy volunteering (/buddy), its pause, and the buddy period's buttons and jobs."""
    feature = Feature("buddies")
    feature.job(PAUSE_END)(pause_ended)
    feature.command(
        "buddy",
        Param(
            "action",
            ParamType.CHOICE,
            choices=("on", "off", "status"),
        ),
        Param("limit", ParamType.INTEGER),
    )(buddy)
    feature.choice("bud")(pressed)
    feature.job(NUDGE)(nudge)
    feature.job(CLOSE)(close)
    feature.on_leave.append(buddy_left)
    feature.on_unreachable[RESUME] = buddy_unreachable
    return feature

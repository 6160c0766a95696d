"""A community's needs and check-in settings, kept in its settings and changed with /setup.

The needs asked about are the defaults, minus the ones moderators retired, plus their own.
Retired needs only leave future check-ins: closed rounds keep the needs they asked about.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import wording
from bot.commands import Suggestion
from bot.context import CommandContext, CommunityContext
from bot.domain import Community, Member
from bot.errors import Refusal
from bot.feature import SetupKey
from bot.numbers import whole_number
from bot.scheduling import parse_duration
from bot.services.needs.records import Need

DEFAULT_NEEDS = ("food", "rest", "housing", "health", "connection", "access")
OTHER = "other"  # a mutual-aid category for anything that is not a need asked about
RESERVED = frozenset({OTHER, "done"})  # words with a meaning of their own in /need and /offer
MAX_NEEDS = 12
MAX_LABEL = 40
MIN_THRESHOLD = 2


@dataclass(frozen=True)
class Limits:
    default: timedelta
    least: timedelta
    most: timedelta


REMINDER = Limits(timedelta(hours=24), timedelta(hours=1), timedelta(days=6))
WINDOW = Limits(timedelta(hours=72), timedelta(hours=2), timedelta(days=7))
RETENTION = Limits(timedelta(days=90), timedelta(days=1), timedelta(days=3650))
REQUEST_EXPIRY = Limits(timedelta(days=14), timedelta(days=1), timedelta(days=90))
DEFAULT_THRESHOLD = 3
MAX_THRESHOLD = 50


def _squash(text: str) -> str:
    """What a name is compared by: letters and digits only, without regard to case."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _slug(label: str) -> str:
    return re.sub(r"[^\w]+", "_", label.casefold()).strip("_")[:24]


def _added(community: Community) -> list[Need]:
    return [Need(str(n["key"]), str(n["label"])) for n in community.settings.get("needs_added", [])]


def _retired(community: Community) -> set[str]:
    return set(community.settings.get("needs_retired", []))


def all_needs(community: Community) -> list[Need]:
    """Every need the community ever asked about, retired ones included."""
    return [Need(key) for key in DEFAULT_NEEDS] + _added(community)


def active_needs(community: Community) -> list[Need]:
    retired = _retired(community)
    return [need for need in all_needs(community) if need.key not in retired]


def need_label(ctx: CommunityContext, need: Need, language: str | None = None) -> str:
    return need.label or ctx.text(f"need_{need.key}", language)


def category_label(ctx: CommunityContext, category: str, language: str | None = None) -> str:
    if category == OTHER:
        return ctx.text("need_other", language)
    for need in all_needs(ctx.community):
        if need.key == category:
            return need_label(ctx, need, language)
    return category


def _matches(ctx: CommunityContext, need: Need, name: str) -> bool:
    wanted = _squash(name)
    return bool(wanted) and wanted in (_squash(need.key), _squash(need_label(ctx, need)))


def categories(community: Community) -> list[str]:
    """The mutual-aid categories: the needs asked about now, and 'other'."""
    return [need.key for need in active_needs(community)] + [OTHER]


def find_category(ctx: CommunityContext, name: str) -> str | None:
    if _squash(name) == OTHER:
        return OTHER
    for need in active_needs(ctx.community):
        if _matches(ctx, need, name):
            return need.key
    return None


async def suggest_category(ctx: CommandContext, typed: str) -> list[Suggestion]:
    """Kinds of help matching what is typed so far (Discord autocomplete)."""
    wanted = _squash(typed)
    found = []
    for key in categories(ctx.community):
        label = category_label(ctx, key, ctx.language)
        if wanted in _squash(key) or wanted in _squash(label):
            found.append(Suggestion(label, key))
    return found


def category_list(ctx: CommunityContext) -> str:
    return ", ".join(categories(ctx.community))


def _minutes(community: Community, name: str, limits: Limits) -> timedelta:
    value = community.settings.get(name)
    return timedelta(minutes=int(value)) if value is not None else limits.default


def reminder_delay(community: Community) -> timedelta:
    return _minutes(community, "checkin_reminder_minutes", REMINDER)


def window(community: Community) -> timedelta:
    return _minutes(community, "checkin_window_minutes", WINDOW)


def retention(community: Community) -> timedelta:
    return _minutes(community, "needs_retention_minutes", RETENTION)


def request_expiry(community: Community) -> timedelta:
    return _minutes(community, "need_expiry_minutes", REQUEST_EXPIRY)


def threshold(community: Community) -> int:
    return max(MIN_THRESHOLD, int(community.settings.get("privacy_threshold", DEFAULT_THRESHOLD)))


def format_when(
    ctx: CommunityContext,
    moment: datetime,
    language: str | None = None,
    reader: Member | None = None,
) -> str:
    """A moment short enough for a phone, 'Thu 5 Mar, 18:00', in the reader's language and
    on their clock (see wording.zone_of)."""
    return wording.moment(ctx, moment, language, reader=reader)


def format_duration(delta: timedelta) -> str:
    """A duration the way /setup accepts it: '3d', '24h', '90m'."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        return f"{minutes // (60 * 24)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _duration(value: str, limits: Limits) -> timedelta:
    text = value.strip()
    if whole_number(text) is not None:
        text += "d" if limits.least >= timedelta(days=1) else "h"
    try:
        found = parse_duration(text)
    except ValueError:
        raise Refusal("needs_bad_duration", value=value) from None
    if not limits.least <= found <= limits.most:
        raise Refusal(
            "needs_duration_range",
            value=value,
            least=format_duration(limits.least),
            most=format_duration(limits.most),
        )
    return found


# -- /setup keys ---------------------------------------------------------------------------


async def _show_needs(ctx: CommunityContext) -> str:
    active = ", ".join(need_label(ctx, n) for n in active_needs(ctx.community))
    retired = [n for n in all_needs(ctx.community) if n.key in _retired(ctx.community)]
    if not retired:
        return active
    return ctx.text(
        "needs_show_retired", active=active, retired=", ".join(need_label(ctx, n) for n in retired)
    )


async def _change_needs(ctx: CommandContext, value: str) -> None:
    action, _, name = value.strip().partition(" ")
    action, name = action.lower(), name.strip()
    if action not in ("add", "retire") or not name:
        raise Refusal("needs_setup_usage")
    settings = ctx.community.settings
    retired = _retired(ctx.community)
    if action == "retire":
        found = next((n for n in active_needs(ctx.community) if _matches(ctx, n, name)), None)
        if found is None:
            raise Refusal("needs_not_asked", name=name, needs=_names(ctx))
        if len(active_needs(ctx.community)) == 1:
            raise Refusal("needs_keep_one")
        settings["needs_retired"] = sorted(retired | {found.key})
        return
    earlier = next((n for n in all_needs(ctx.community) if _matches(ctx, n, name)), None)
    if earlier is not None and earlier.key not in retired:
        raise Refusal("needs_already_asked", name=need_label(ctx, earlier))
    if len(active_needs(ctx.community)) >= MAX_NEEDS:
        raise Refusal("needs_too_many", limit=MAX_NEEDS)
    if earlier is not None:  # a retired need comes back, with its history
        settings["needs_retired"] = sorted(retired - {earlier.key})
        return
    key = _slug(name)
    if len(name) > MAX_LABEL or not key or _squash(key) in RESERVED:
        raise Refusal("needs_bad_name", limit=MAX_LABEL)
    if key in {n.key for n in all_needs(ctx.community)}:
        raise Refusal("needs_already_asked", name=name)
    settings["needs_added"] = [*settings.get("needs_added", []), {"key": key, "label": name}]


def _names(ctx: CommunityContext) -> str:
    return ", ".join(need_label(ctx, n) for n in active_needs(ctx.community))


def _duration_key(name: str, setting: str, limits: Limits) -> SetupKey:
    async def show(ctx: CommunityContext) -> str:
        return format_duration(_minutes(ctx.community, setting, limits))

    async def change(ctx: CommandContext, value: str) -> None:
        found = _duration(value, limits)
        reminder, close = reminder_delay(ctx.community), window(ctx.community)
        if setting == "checkin_reminder_minutes":
            reminder = found
        elif setting == "checkin_window_minutes":
            close = found
        if reminder >= close:
            raise Refusal(
                "needs_reminder_after_close",
                reminder=format_duration(reminder),
                window=format_duration(close),
            )
        ctx.community.settings[setting] = int(found.total_seconds() // 60)

    return SetupKey(name, show, change)


async def _show_threshold(ctx: CommunityContext) -> str:
    return str(threshold(ctx.community))


async def _change_threshold(ctx: CommandContext, value: str) -> None:
    text = value.strip()
    threshold = whole_number(text)
    if threshold is None or not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise Refusal("needs_bad_threshold", value=value, least=MIN_THRESHOLD, most=MAX_THRESHOLD)
    ctx.community.settings["privacy_threshold"] = int(text)


def setup_keys(on_retention_change: Callable[[CommandContext], Awaitable[None]]) -> list[SetupKey]:
    """The /setup keys of the check-ins; retention changes re-plan the deletion job."""
    retention_key = _duration_key("retention", "needs_retention_minutes", RETENTION)

    async def change_retention(ctx: CommandContext, value: str) -> None:
        await retention_key.change(ctx, value)
        await on_retention_change(ctx)

    return [
        SetupKey("needs", _show_needs, _change_needs),
        _duration_key("checkin_reminder", "checkin_reminder_minutes", REMINDER),
        _duration_key("checkin_window", "checkin_window_minutes", WINDOW),
        SetupKey("privacy_threshold", _show_threshold, _change_threshold),
        SetupKey("retention", retention_key.show, change_retention),
        _duration_key("need_expiry", "need_expiry_minutes", REQUEST_EXPIRY),
    ]

"""Weekly schedules in a community's timezone: parsing the human format and finding next runs.

APScheduler's cron trigger does the calendar arithmetic, so daylight-saving changes land on the
right local time; the database stays the source of truth for what is scheduled.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.errors import Refusal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPEC = re.compile(r"^\s*([a-z]{3,})\s+(\d{1,2})[:.h](\d{2})\s*$", re.IGNORECASE)
_DURATION = re.compile(r"^(\d{1,15})\s*(m|min|h|d|w)$", re.IGNORECASE)
# Longer than any setting allows: a readable but huge span is capped here, so callers refuse it
# as too long (saying their limit) rather than as unreadable.
LONGEST = timedelta(days=100 * 366)


def parse_weekly(text: str) -> tuple[int, int, int]:
    """'mon 18:00' -> (0, 18, 0); refuses anything else with the expected format."""
    match = _SPEC.match(text)
    if not match:
        raise Refusal("schedule_bad_format", value=text)
    word, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    days = zip(WEEKDAYS, _FULL_DAYS, strict=True)
    day = next((short for short, full in days if full.startswith(word)), None)
    if day is None:
        raise Refusal("schedule_bad_day", value=match.group(1), days=", ".join(WEEKDAYS))
    if hour > 23 or minute > 59:
        raise Refusal("schedule_bad_time", value=f"{match.group(2)}:{match.group(3)}")
    return WEEKDAYS.index(day), hour, minute


def next_weekly(weekday: int, hour: int, minute: int, timezone: str, after: datetime) -> datetime:
    """The first run strictly after `after`, at that local weekday and time."""
    trigger = CronTrigger(
        day_of_week=WEEKDAYS[weekday], hour=hour, minute=minute, timezone=ZoneInfo(timezone)
    )
    found: datetime | None = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    if found is None:  # pragma: no cover - a weekly cron always has a next run
        raise RuntimeError("no next run")
    return found.astimezone(ZoneInfo("UTC"))


def next_daily(hour: int, minute: int, timezone: str, after: datetime) -> datetime:
    """The first moment strictly after `after` that is this local time of day."""
    trigger = CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(timezone))
    found: datetime | None = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    if found is None:  # pragma: no cover - a daily cron always has a next run
        raise RuntimeError("no next run")
    return found.astimezone(ZoneInfo("UTC"))


def parse_duration(text: str) -> timedelta:
    """'45m', '2h', '3d', '1w' -> a timedelta."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(text)
    amount, unit = int(match.group(1)), match.group(2).lower()
    unit = "m" if unit == "min" else unit
    minutes = amount * {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}[unit]
    return min(timedelta(minutes=min(minutes, 10**12)), LONGEST)

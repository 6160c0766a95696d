"""How moments and durations read to people: one format everywhere, in the reader's language
(patterns from the catalog, plural rules, day and unit names from Babel) and in the community's
timezone, or, in a private chat with a member who set their own (/timezone), in theirs."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import TIMEDELTA_UNITS, format_datetime, format_timedelta, get_day_names
from babel.lists import format_list
from babel.units import format_unit

from bot.catalog import locale_for
from bot.context import CommandContext, CommunityContext
from bot.domain import Member

_UNITS = (("duration-day", 24 * 60), ("duration-hour", 60), ("duration-minute", 1))


def zone_of(
    ctx: CommunityContext, reader: Member | None = None, *, in_community_time: bool = False
) -> ZoneInfo:
    """Whose clock a moment is read on: `reader`'s own timezone when they set one (pass a
    reader only for what they read privately: `private_reader`); else, and always for what
    runs for everyone (`in_community_time`), the community's."""
    if not in_community_time and reader is not None and reader.timezone:
        return _zone(reader.timezone)
    return ctx.tz


def private_reader(ctx: CommunityContext) -> Member | None:
    """The asker, when the answer goes to their private chat: they read it on their clock."""
    if isinstance(ctx, CommandContext) and ctx.origin.is_private:
        return ctx.member
    return None


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def moment(
    ctx: CommunityContext,
    when: datetime | None,
    language: str | None = None,
    *,
    reader: Member | None = None,
    in_community_time: bool = False,
) -> str:
    """'Fri 6 Mar, 17:30' on the reader's clock (see zone_of); the year only when it is not
    this one."""
    if when is None:
        return "—"
    lang = language or ctx.community.language
    tz = zone_of(ctx, reader, in_community_time=in_community_time)
    this_year = when.astimezone(tz).year == ctx.now.astimezone(tz).year
    pattern = ctx.text("date_format" if this_year else "date_format_other_year", lang)
    return _formatted(when, pattern, tz, lang)


@lru_cache(maxsize=4096)
def _formatted(when: datetime, pattern: str, tz: ZoneInfo, language: str) -> str:
    """Babel's formatting is the slowest step of a listing, and listings show the same few
    moments again and again (when a proposal opened, when its stage ends)."""
    return format_datetime(when.astimezone(tz), pattern, tzinfo=tz, locale=locale_for(language))


def day(ctx: CommunityContext, when: datetime, language: str | None = None) -> str:
    """'Fri 6 Mar' (with the year when it is not this one), for reports that cover days: a
    community's days, on its clock."""
    lang = language or ctx.community.language
    this_year = ctx.local(when).year == ctx.local(ctx.now).year
    key = "day_format" if this_year else "day_format_other_year"
    return _formatted(when, ctx.text(key, lang), ctx.tz, lang)


def weekday_name(weekday: int, language: str) -> str:
    """'Monday', 'lunes', 'Montag' (0 is Monday, as in datetime)."""
    return str(get_day_names("wide", locale=locale_for(language))[weekday])


def autonym(code: str) -> str:
    """A language as its speakers name it, with its code: "español (es)", "Deutsch (de)"."""
    name = locale_for(code).get_display_name(locale_for(code)) or code
    return f"{name} ({code})"


def available(codes: list[str]) -> str:
    """Languages to choose from, each in its own words."""
    return ", ".join(autonym(code) for code in codes)


def duration(length: timedelta, language: str = "en") -> str:
    """'3 days', '1 day and 12 hours', '45 minutes': exact, in words."""
    minutes = max(0, int(length.total_seconds() // 60))
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, minutes = divmod(minutes, size)
        if amount:
            parts.append(format_unit(amount, unit, length="long", locale=locale_for(language)))
    if not parts:
        return format_unit(0, "duration-minute", length="long", locale=locale_for(language))
    return format_list(parts, locale=locale_for(language))


def roughly(length: timedelta, language: str = "en") -> str:
    """'2 days', '3 weeks': an age or a typical stay, rounded to its largest unit.

    Babel words a duration by its largest unit that counts at least one (threshold 1), and
    that count rounded; so every length with the same unit and count reads the same, and each
    is worded by Babel once (it was a third of rendering a listing of proposals)."""
    # A proposal opened just now is "1 minute" old, not "0 seconds".
    seconds = max(length.total_seconds(), 60.0)
    key = (language, "second", round(seconds))
    for unit, size in TIMEDELTA_UNITS:  # largest first; a plain loop: a listing asks 40 times
        if seconds >= size:
            key = (language, unit, round(seconds / size))
            break
    found = _ROUGHLY.get(key)
    if found is None:
        if len(_ROUGHLY) >= _ROUGHLY_KEPT:
            _ROUGHLY.clear()
        found = _ROUGHLY[key] = format_timedelta(
            timedelta(seconds=seconds), threshold=1, locale=locale_for(language)
        )
    return found


_ROUGHLY: dict[tuple[str, str, int], str] = {}
_ROUGHLY_KEPT = 10_000

"""/setup: a community's settings: name, timezone, language, about text and channels."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext, CommunityContext
from bot.domain import CHANNEL_ROLES
from bot.errors import Refusal
from bot.feature import Feature, SetupKey
from bot.markup import escape
from bot.roles import Role
from bot.scheduling import next_weekly
from bot.wording import autonym, available

feature = Feature("setup")
MAX_NAME = 80
MAX_ABOUT = 1000
# Abbreviations name no place (CST is three different zones) and ignore daylight saving; each
# maps to the place people most often mean, offered as the example when one is refused.
AMBIGUOUS_ZONES = {
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "WET": "Europe/Lisbon",
    "MET": "Europe/Berlin",
    "IST": "Asia/Kolkata",
    "JST": "Asia/Tokyo",
    "AEST": "Australia/Sydney",
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
}


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_timezone(name: str) -> str | None:
    """The canonical spelling of a timezone name, matched without regard to case."""
    lowered = {tz.lower(): tz for tz in _timezones()}
    return lowered.get(name.strip().lower())


async def _show_timezone(ctx: CommunityContext) -> str:
    return ctx.community.timezone


def checked_timezone(value: str) -> str:
    """A timezone as typed, in its canonical spelling; a refusal naming a better choice for
    an abbreviation, or the form to use for anything else unknown."""
    abbreviation = value.strip().upper()
    if abbreviation in AMBIGUOUS_ZONES:
        example = AMBIGUOUS_ZONES[abbreviation]
        raise Refusal("setup_timezone_abbreviation", value=value, example=example)
    found = valid_timezone(value)
    if found is None:
        raise Refusal("setup_bad_timezone", value=value)
    return found


async def _change_timezone(ctx: CommandContext, value: str) -> None:
    found = checked_timezone(value)
    ctx.community.timezone = found
    # Every schedule keeps its local weekday and time in the new zone.
    for schedule in await ctx.uow.schedules.for_community(ctx.community.id):
        schedule.next_run = next_weekly(
            schedule.weekday, schedule.hour, schedule.minute, found, ctx.now
        )
        await ctx.uow.schedules.put(schedule)


async def _show_language(ctx: CommunityContext) -> str:
    return autonym(ctx.community.language)


async def _change_language(ctx: CommandContext, value: str) -> None:
    code = value.strip().lower()
    if code not in ctx.catalog.languages:
        raise Refusal("setup_bad_language", value=value, languages=available(ctx.catalog.languages))
    ctx.community.language = code


async def _show_name(ctx: CommunityContext) -> str:
    return ctx.community.name


async def _change_name(ctx: CommandContext, value: str) -> None:
    if not value.strip() or len(value) > MAX_NAME:
        raise Refusal("setup_bad_name", limit=MAX_NAME)
    ctx.community.name = value.strip()


async def _show_about(ctx: CommunityContext) -> str:
    about = ctx.community.settings.get("about")
    return str(about) if about else ctx.text("setup_unset")


async def _change_about(ctx: CommandContext, value: str) -> None:
    if len(value) > MAX_ABOUT:
        raise Refusal("setup_bad_about", limit=MAX_ABOUT)
    ctx.community.settings["about"] = value.strip()


async def _show_channels(ctx: CommunityContext) -> str:
    parts = []
    for link in ctx.links:
        for role in CHANNEL_ROLES:
            channel = link.channel_for(role) or ctx.text("setup_unset")
            parts.append(
                f"{role}: {channel}" + (f" ({link.platform})" if len(ctx.links) > 1 else "")
            )
    return ", ".join(parts)


async def _change_channel(ctx: CommandContext, value: str) -> None:
    role, _, channel = value.strip().partition(" ")
    role, channel = role.lower(), channel.strip()
    if role not in CHANNEL_ROLES or not channel:
        raise Refusal("setup_bad_channel", roles=", ".join(CHANNEL_ROLES))
    directory, place = ctx.channels, ctx.origin.community_ref
    if directory is not None and not await directory.has(place, channel):
        known = await directory.known(place)
        raise Refusal("setup_unknown_channel", value=channel, channels=", ".join(known))
    for link in ctx.links:
        if link.platform == ctx.origin.platform and link.community_ref == ctx.origin.community_ref:
            link.channels[role] = channel
            await ctx.uow.communities.save_link(link)


feature.setup_keys.extend(
    [
        SetupKey("name", _show_name, _change_name),
        SetupKey("timezone", _show_timezone, _change_timezone),
        SetupKey("language", _show_language, _change_language),
        SetupKey("about", _show_about, _change_about),
        SetupKey("channel", _show_channels, _change_channel),
    ]
)


def setup_feature(keys: dict[str, SetupKey]) -> Feature:
    """The /setup command itself, over every feature's setup keys."""
    command_feature = Feature("setup_command")

    @command_feature.command(
        "setup",
        Param("key", ParamType.WORD),
        Param("value", ParamType.TEXT),
        role=Role.MODERATOR,
    )
    async def setup(ctx: CommandContext, args: Args) -> None:
        key = args.text("key")
        if key is None:
            lines = [f"• **{escape(k)}**: {escape(await s.show(ctx))}" for k, s in keys.items()]
            ctx.say("setup_show", settings=Markup("\n".join(lines)))
            return
        setting = keys.get(key.lower())
        if setting is None:
            raise Refusal("setup_unknown_key", key=key, keys=", ".join(keys))
        value = args.text("value")
        if value is None:
            ctx.say("setup_show_one", key=setting.name, value=await setting.show(ctx))
            return
        await setting.change(ctx, value)
        await ctx.uow.communities.save(ctx.community)
        shown = await setting.show(ctx)
        await ctx.audit_action("audit_setting_changed", setting=setting.name, reason=shown)
        ctx.say("setup_changed", key=setting.name, value=shown)

    return command_feature

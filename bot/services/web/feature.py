"""The web in chat: /dashboard sends a moderator a one-time sign-in link, and `/setup web public
on|off` opens or closes the community's public page (closed until moderators open it)."""

from __future__ import annotations

from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.errors import Refusal
from bot.feature import Feature, SetupKey
from bot.roles import Role
from bot.services.web.access import PUBLIC_SETTING, is_public
from bot.services.web.logins import LINK_VALID, open_login
from bot.services.web.port import WebLinks


class WebEntrance:
    """Where the pages are once an adapter serves them; None: this Hearth serves no web."""

    def __init__(self) -> None:
        self.links: WebLinks | None = None


def web_feature(entrance: WebEntrance) -> Feature:
    feature = Feature("web")

    @feature.command("dashboard", role=Role.MODERATOR)
    async def dashboard(ctx: CommandContext, args: Args) -> None:
        links = entrance.links
        if links is None:
            raise Refusal("web_off")
        secret = await open_login(ctx.uow, ctx.community.id, ctx.member.id, ctx.now)
        ctx.tell(
            ctx.member,
            "web_dashboard_link",
            community=ctx.community.name,
            link=links.sign_in(secret),
            minutes=int(LINK_VALID.total_seconds() // 60),
        )
        if not ctx.origin.is_private:
            ctx.confirm_private("web_dashboard_sent")

    async def show(ctx: CommunityContext) -> str:
        if not is_public(ctx.community):
            return ctx.text("web_setting_closed")
        links = entrance.links
        if links is None:
            return ctx.text("web_setting_open_unserved")
        return ctx.text("web_setting_open", link=links.public_page(ctx.community.id))

    async def change(ctx: CommandContext, value: str) -> None:
        words = value.strip().lower().split()
        if len(words) != 2 or words[0] != "public" or words[1] not in ("on", "off"):
            raise Refusal("web_setting_bad", value=value)
        if words[1] == "on":
            ctx.community.settings[PUBLIC_SETTING] = True
        else:
            ctx.community.settings.pop(PUBLIC_SETTING, None)

    feature.setup_keys.append(SetupKey("web", show, change))
    return feature

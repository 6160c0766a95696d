"""/mods: moderators grant and remove the moderator role inside Hearth.

Platform administrators are moderators anyway; this list is for people the platform does not
already know as admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Markup
from bot.commands import Args, Param, ParamType
from bot.context import CommandContext
from bot.domain import Member
from bot.errors import Refusal
from bot.feature import Feature
from bot.markup import escape
from bot.ports import Store
from bot.roles import Role

feature = Feature("moderators")


async def find_member(ctx: CommandContext, name: str) -> Member:
    """Resolve '@ana', 'ana' or a platform user id to exactly one member."""
    wanted = name.strip().removeprefix("@").strip()
    if wanted.startswith("<@") and wanted.endswith(">"):
        wanted = wanted[2:-1].lstrip("!")
    found = await ctx.uow.members.find_by_name(ctx.community.id, wanted)
    if not found:
        raise Refusal("member_not_found", name=wanted)
    if len(found) > 1:
        raise Refusal("member_ambiguous", name=wanted)
    return found[0]


@feature.command(
    "mods",
    Param("action", ParamType.CHOICE, choices=("list", "add", "remove")),
    Param("person", ParamType.MEMBER),
    role=Role.MODERATOR,
)
async def mods(ctx: CommandContext, args: Args) -> None:
    action = args.text("action") or "list"
    if action == "list":
        granted = await ctx.uow.members.granted(ctx.community.id)
        names = ", ".join(f"**{escape(m.display_name)}**" for m in granted)
        ctx.say("mods_list", names=Markup(names or ctx.text("mods_none", ctx.language)))
        return
    person = args.text("person")
    if person is None:
        raise Refusal("mods_who", action=action)
    member = await find_member(ctx, person)
    if action == "add":
        if member.granted_role is not None:
            raise Refusal("mods_already", name=member.display_name)
        member.granted_role = Role.MODERATOR
        await ctx.uow.members.save(member)
        await ctx.audit_action("audit_moderator_granted", subject=member)
        ctx.say("mods_added", name=member.display_name)
    else:
        if member.granted_role is None:
            raise Refusal("mods_not_granted", name=member.display_name)
        member.granted_role = None
        await ctx.uow.members.save(member)
        await ctx.audit_action("audit_moderator_removed", subject=member)
        ctx.say("mods_removed", name=member.display_name)


@dataclass(frozen=True, order=True)
class Granted:
    """A moderator granted with /mods, in one of their community's places on a platform."""

    community_ref: str
    user_ref: str
    role: Role


async def granted_on(store: Store, platform: str) -> list[Granted]:
    """Everyone granted a role with /mods on a platform, for the menus an adapter shows them:
    the platform cannot know them as moderators on its own."""
    found: list[Granted] = []
    async with store.unit_of_work() as uow:
        for member in await uow.members.granted_on(platform):
            for link in await uow.communities.links(member.community_id):
                if link.platform == platform and member.granted_role is not None:
                    found.append(Granted(link.community_ref, member.user_ref, member.granted_role))
    return sorted(found)

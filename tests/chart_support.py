"""Reading a test community's figures the way the web will: a unit of work that writes nothing
and the community's context, outside any command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.context import CommunityContext
from bot.kernel.membership import community_context
from tests.support import COMMUNITY, PLATFORM, World

T = TypeVar("T")


async def read(world: World, reading: Callable[[CommunityContext], Awaitable[T]]) -> T:
    async with world.store.unit_of_work() as uow:
        link = await uow.communities.find_link(PLATFORM, COMMUNITY)
        assert link is not None, "the community has not been seen yet"
        ctx = await community_context(uow, link.community_id, world.clock, world.hearth.catalog)
        return await reading(ctx)

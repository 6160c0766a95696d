"""Suggestions while typing (a core port adapters use for autocomplete) and the small
platform-state repository adapters use to remember what they synced."""

from __future__ import annotations

from collections.abc import Sequence

from bot.catalog import Catalog
from bot.commands import Args, Param, ParamType, Suggestion
from bot.context import CommandContext
from bot.feature import Feature
from bot.ports import Store
from bot.roles import Role
from tests.support import World


def _suggesting_feature() -> Feature:
    feature = Feature("suggesting")

    async def names(ctx: CommandContext, typed: str) -> Sequence[Suggestion]:
        return [Suggestion(f"{ctx.member.display_name}: {typed}", typed)]

    async def broken(ctx: CommandContext, typed: str) -> Sequence[Suggestion]:
        raise RuntimeError("a bug in a feature")

    async def handler(ctx: CommandContext, args: Args) -> None:
        return None

    feature.command("pick", Param("what", ParamType.WORD, suggest=names), about="Pick.")(handler)
    feature.command(
        "modpick",
        Param("what", ParamType.WORD, suggest=names),
        role=Role.MODERATOR,
        about="Pick, for moderators.",
    )(handler)
    feature.command("oops", Param("what", ParamType.WORD, suggest=broken), about="Pick badly.")(
        handler
    )
    for name in ("pick", "modpick", "oops"):
        feature.texts[f"command_{name}_what"] = "What"
    return feature


async def test_suggestions_come_from_the_parameter_in_the_askers_context() -> None:
    world = World()
    world.hearth.install(_suggesting_feature())
    found = await world.hearth.suggest(world.origin("ana"), "pick", "what", "gar")
    assert found == [Suggestion("ana: gar", "gar")]


async def test_suggestions_write_nothing_and_respect_the_role() -> None:
    world = World()
    world.hearth.install(_suggesting_feature())
    assert await world.hearth.suggest(world.origin("ana"), "modpick", "what", "x") == []
    world.make_admin("mia")
    assert await world.hearth.suggest(world.origin("mia"), "modpick", "what", "x")
    assert await world.hearth.suggest(world.origin("ana"), "nothing", "what", "x") == []
    assert await world.hearth.suggest(world.origin("ana"), "pick", "nothing", "x") == []
    assert await world.hearth.suggest(world.origin("ana"), "oops", "what", "x") == []
    async with world.store.unit_of_work() as uow:  # nobody became a member by typing
        assert await uow.communities.find_link("test", "hearth-test") is None


def test_declarations_say_which_parameters_suggest() -> None:
    feature = _suggesting_feature()
    catalog = Catalog.load()
    catalog.bring(feature.texts)
    assert feature.commands[0].to_json(catalog)["params"][0]["suggested"] is True


async def test_platform_state_is_kept_per_platform_and_key(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.platform_state.get("discord", "tree") is None
        await uow.platform_state.put("discord", "tree", "abc")
        await uow.platform_state.put("telegram", "tree", "xyz")
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.platform_state.put("discord", "tree", "def")
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.platform_state.put("discord", "tree", "rolled back")
    async with store.unit_of_work() as uow:
        assert await uow.platform_state.get("discord", "tree") == "def"
        assert await uow.platform_state.get("telegram", "tree") == "xyz"
    await store.close()

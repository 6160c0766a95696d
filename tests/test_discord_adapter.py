"""Stories of Hearth in a Discord server, through the real discord.py against a fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import discord
import pytest

from adapters.discord import DiscordAdapter
from bot.app import build_hearth
from bot.clock import SystemClock
from bot.feature import Feature
from bot.markup import plain
from bot.reach import NOTICE_EVERY
from bot.replies import Reply, Target, Visibility
from bot.runtime import serve
from storage.sqlite import SqliteStore
from tests.discord_features import HOW_ARE_YOU, Observed, check_in, notes, observer
from tests.discord_support import DM_INTERVAL, RunningBot, serving_fake
from tests.fake_discord import GUILD_MEMBERS, TOKEN, FakeDiscord, Sent


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord; discord.py's two process-wide addresses point at it for this test."""
    async with serving_fake(monkeypatch) as fake:
        yield fake


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    yield store
    await store.close()


@pytest.fixture
def seen() -> Observed:
    return Observed()


@pytest.fixture
async def bots(fake: FakeDiscord, store: SqliteStore) -> AsyncIterator[list[RunningBot]]:
    """Bots a test makes itself; whatever still runs is stopped afterwards."""
    made: list[RunningBot] = []
    yield made
    for running in made:
        await running.stop()


@pytest.fixture
async def bot(fake: FakeDiscord, store: SqliteStore, seen: Observed) -> AsyncIterator[RunningBot]:
    running = RunningBot(fake, store, [observer(seen), check_in(seen), notes(seen)])
    await running.start()
    yield running
    await running.stop()


def only(messages: list[Sent]) -> Sent:
    assert len(messages) == 1, [m.content for m in messages]
    return messages[0]


def said(messages: list[Sent]) -> str:
    return "\n".join(m.content for m in messages)


async def test_slash_commands_are_synced_from_the_declarations_and_not_again_unchanged(
    fake: FakeDiscord, store: SqliteStore, bots: list[RunningBot]
) -> None:
    bot = RunningBot(fake, store)
    bots.append(bot)
    await bot.start()
    scope, payload = only_sync(fake)
    assert scope == "global"
    declared = {c.name: c for c in bot.hearth.registry.all()}
    synced = {c["name"]: c for c in payload}
    assert synced.keys() == declared.keys()
    mods = synced["mods"]
    assert mods["description"] == "List, add or remove Hearth moderators."
    assert int(mods["default_member_permissions"]) == 32  # manage_guild: hidden from members
    assert mods["contexts"] == [0]  # servers only
    action, person = mods["options"]
    assert (action["name"], action["type"], action["required"]) == ("action", 3, False)
    assert [c["value"] for c in action["choices"]] == ["list", "add", "remove"]
    assert (person["name"], person["type"]) == ("person", 6)  # a member picker
    assert person["description"] == "The member to add or remove"
    # Spanish and German Discords read the same commands in their own words.
    localized = mods["description_localizations"]
    assert (
        localized["es-ES"]
        == localized["es-419"]
        == ("Lista, añade o quita personas del equipo de moderación de Hearth.")
    )
    assert localized["de"] == "Die Hearth-Moderation anzeigen, Leute hinzufügen oder entfernen."
    assert "en-US" not in localized  # English is the base text itself
    assert person["description_localizations"]["de"] == "Das Mitglied zum Hinzufügen oder Entfernen"
    assert synced["audit"]["options"][0]["type"] == 4  # an integer
    assert synced["help"]["default_member_permissions"] is None  # everyone sees it

    await bot.restart()
    assert len(fake.syncs) == 1  # nothing changed, nothing sent

    bot.features.append(Feature("extra"))
    bot.features[0].command("extra", about="A command added later.")(_nothing)
    await bot.restart()
    assert len(fake.syncs) == 2 and "extra" in {c["name"] for c in fake.syncs[1][1]}


async def _nothing(*_: object) -> None:
    return None


def only_sync(fake: FakeDiscord) -> tuple[str, list[dict[str, object]]]:
    assert len(fake.syncs) == 1, [scope for scope, _ in fake.syncs]
    return fake.syncs[0]


async def test_a_development_guild_gets_its_own_sync(
    fake: FakeDiscord, store: SqliteStore, bots: list[RunningBot]
) -> None:
    bot = RunningBot(fake, store, dev_guild=fake.guild_id)
    bots.append(bot)
    await bot.start()
    scope, payload = only_sync(fake)
    assert scope == f"guild:{fake.guild_id}" and payload
    ana = fake.add_member("Ana")
    asked = await fake.slash(ana, "privacy")
    await bot.settle()
    assert "Your privacy with Hearth" in said(fake.answers(asked))


async def test_a_newcomer_is_welcomed_once_and_onboarded_with_buttons_in_a_dm(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    bea = await fake.join("Bea")
    await fake.rejoin_event(bea)  # Discord may deliver a join again after a resume
    await bot.settle()
    assert seen.joined == ["Bea"]
    question = only(fake.dms(bea))
    assert "What brings you here?" in question.content
    assert not fake.in_channel(fake.general)  # the welcome waits for others joining close by
    bot.clock.advance(timedelta(minutes=1))
    await bot.run_due()
    welcome = only(fake.in_channel(fake.general))
    assert "Welcome to Hearth Test, **Bea**!" in welcome.content

    pressed = await fake.press(bea, question, button(question, "I'd rather not say"))
    await bot.settle()
    contributes = only(fake.answers(pressed))
    assert "What could you bring?" in contributes.content and not contributes.ephemeral
    await fake.dm_from(bea, "I can cook for twenty")  # a typed answer, in the DM
    await bot.settle()
    buddy = fake.dms(bea)[-1]
    assert "Would you like a buddy?" in buddy.content
    done = await fake.press(bea, buddy, button(buddy, "No, thanks"))
    await bot.settle()
    assert "That's everything" in said(fake.answers(done))
    assert len(fake.in_channel(fake.general)) == 1  # welcomed once
    await fake.leave(bea)
    await bot.settle()
    assert seen.left == [bea["id"]]


async def test_a_newcomer_with_closed_dms_is_onboarded_from_the_channel_button(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    await fake.slash(mia, "setup", key="channel", value=f"welcome <#{fake.ideas}>")
    await bot.settle()
    ana = await fake.join("Ana", dms_open=False)
    await bot.settle()
    assert not fake.dms(ana)
    offer = only(fake.in_channel(fake.ideas))  # where the welcome feature greets people
    assert "couldn't deliver" in offer.content and "Ana" not in offer.content  # nobody named
    assert offer.custom_ids() == ["~resume:onboarding"]

    opened = await fake.press(ana, offer, "~resume:onboarding")
    await bot.settle()
    note = only(fake.answers(opened))  # the welcome's own offer for people it cannot reach
    assert note.ephemeral and "Start here" in note.labels()
    started = await fake.press(ana, note, button(note, "Start here"))
    await bot.settle()
    first = only(fake.answers(started))
    assert first.ephemeral and "What brings you here?" in first.content
    assert "Write my answer" in first.labels()

    writing = await fake.press(ana, first, "~answer")
    await bot.settle()
    assert writing.first_type == 9  # a modal: typed privately, not in the channel
    answered = await fake.submit(ana, writing, "Gardening and good soup")
    await bot.settle()
    second = only(fake.answers(answered))
    assert second.ephemeral and "What could you bring?" in second.content
    unsure = await fake.press(ana, second, button(second, "I don't know yet"))
    await bot.settle()
    third = only(fake.answers(unsure))
    finished = await fake.press(ana, third, button(third, "No, thanks"))
    await bot.settle()
    assert "That's everything" in said(fake.answers(finished))
    assert all(s.ephemeral for s in fake.answers(finished))
    assert fake.in_channel(fake.ideas) == [offer] and not fake.dms(ana)


def button(message: Sent, label: str) -> str:
    """The custom id of the button with this label."""
    found = [c for c in message.components for c in c.get("components", [])]
    return next(c["custom_id"] for c in found if c.get("label") == label)


async def test_without_the_members_intent_hearth_says_what_to_enable(
    fake: FakeDiscord, store: SqliteStore
) -> None:
    fake.members_intent_enabled = False
    bot = RunningBot(fake, store)
    with pytest.raises(ValueError, match="Server Members intent"):
        await bot.start()


async def test_a_members_moderator_command_is_refused_while_a_managers_works(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    mia = fake.add_member("Mia", manager=True)
    refused = await fake.slash(ana, "setup", key="about", value="A kitchen")
    await bot.settle()
    answer = only(fake.answers(refused))
    assert answer.ephemeral and "is for moderators" in answer.content

    done = await fake.slash(mia, "setup", key="about", value="A kitchen")
    await bot.settle()
    answer = only(fake.answers(done))
    assert answer.ephemeral and "Done: about is now A kitchen" in answer.content
    shown = await fake.slash(ana, "audit")
    await bot.settle()
    assert "Mia" in said(fake.answers(shown)) and "changed setting" in said(fake.answers(shown))


async def test_the_forgetme_confirmation_works_with_its_button(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    asked = await fake.slash(ana, "forgetme")
    await bot.settle()
    question = only(fake.answers(asked))
    assert question.ephemeral and question.labels() == ["Yes, erase it", "No, keep it"]
    yes = question.custom_ids()[0]
    assert yes.startswith("forget:yes:")
    pressed = await fake.press(ana, question, yes)
    await bot.settle()
    answer = only(fake.answers(pressed))
    assert answer.ephemeral and "Here is what I erased" in answer.content
    assert "membership: 1" in plain(answer.content)


async def test_a_persistent_button_still_works_after_a_restart(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    asked = await fake.slash(ana, "forgetme")
    await bot.settle()
    question = only(fake.answers(asked))
    await bot.restart()
    pressed = await fake.press(ana, question, question.custom_ids()[1])
    await bot.settle()
    assert "nothing was erased" in only(fake.answers(pressed)).content


async def test_user_text_can_ping_nobody(fake: FakeDiscord, bot: RunningBot) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    loud = f"@everyone @here <@&123> <@{ana['id']}>"
    changed = await fake.slash(mia, "setup", key="about", value=loud)
    await bot.settle()
    answer = only(fake.answers(changed))
    assert "@everyone @here <@&123>" in answer.content
    assert answer.allowed_mentions == {"parse": []}  # no everyone, roles or users
    await fake.join("Bea")  # a private and a public message too
    await bot.settle()
    bot.clock.advance(timedelta(minutes=1))
    await bot.run_due()
    assert fake.in_channel(fake.general) and fake.dms(fake.users[max(fake.users)])
    assert fake.sent and all(s.allowed_mentions == {"parse": []} for s in fake.sent)


async def test_a_member_with_closed_dms_gets_a_channel_button_and_answers_ephemerally(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    fake.closed_dms.add(int(ana["id"]))
    await fake.slash(ana, "help")  # Hearth knows Ana
    await fake.slash(mia, "test_round")
    await bot.settle()
    await bot.run_due()

    assert fake.dms(mia) and not fake.dms(ana)
    assert seen.unreachable == [ana["id"]]  # the core was told
    offer = only(fake.in_channel(fake.general))
    assert "couldn't deliver" in offer.content and "Ana" not in offer.content  # nobody named
    assert offer.custom_ids() == ["~resume:test"]

    opened = await fake.press(ana, offer, "~resume:test")
    await bot.settle()
    question = only(fake.answers(opened))
    assert question.ephemeral and question.content == HOW_ARE_YOU
    assert question.custom_ids() == ["test:fine", "test:bad"]

    pressed = await fake.press(ana, question, "test:bad")
    await bot.settle()
    answer = only(fake.answers(pressed))
    assert answer.ephemeral and "noted: bad" in answer.content
    assert seen.answers == [("Ana", "bad")]
    assert len(fake.in_channel(fake.general)) == 1  # nothing else public


async def test_both_platforms_follow_the_same_reach_rule_on_discord(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    # Once per server and flow for six hours, kept across a restart; Telegram: the same rule.
    ana, bea = fake.add_member("Ana"), fake.add_member("Bea")
    fake.closed_dms.update({int(ana["id"]), int(bea["id"])})
    for person in (ana, bea):
        await fake.slash(person, "help")  # Hearth knows them
    await bot.settle()
    replies = [
        Reply(
            "A private note.",
            Target("discord", str(fake.guild_id), user_ref=str(person["id"])),
            Visibility.PRIVATE,
            resume="test",
        )
        for person in (ana, bea)
    ]

    async def offers() -> list[Sent]:
        before = len(fake.in_channel(fake.general))
        await bot.adapter.deliver(replies)
        await bot.settle()
        return fake.in_channel(fake.general)[before:]

    first = only(await offers())
    assert "couldn't deliver" in first.content and "Ana" not in first.content
    await bot.restart()
    assert await offers() == []  # the restart did not forget it was said
    bot.clock.advance(NOTICE_EVERY - timedelta(minutes=1))
    assert await offers() == []
    bot.clock.advance(timedelta(minutes=1))
    again = only(await offers())  # six hours on: said once more
    assert again.content == first.content and again.custom_ids() == ["~resume:test"]
    assert not fake.dms(ana) and not fake.dms(bea)


async def test_after_a_restart_the_channel_button_opens_the_flow_afresh(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    fake.closed_dms.add(int(ana["id"]))
    await fake.slash(mia, "test_round")
    await bot.settle()
    await fake.slash(ana, "help")
    await bot.settle()
    await bot.run_due()
    offer = only(fake.in_channel(fake.general))
    await bot.restart()  # the undelivered message was only in memory
    opened = await fake.press(ana, offer, "~resume:test")
    await bot.settle()
    question = only(fake.answers(opened))
    assert question.ephemeral and question.content == HOW_ARE_YOU  # the /test command ran


async def test_a_check_in_is_answered_with_buttons_in_a_dm(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    mia = fake.add_member("Mia", manager=True)
    await fake.slash(mia, "test_round")
    await bot.settle()
    await bot.run_due()
    question = only(fake.dms(mia))
    fine = "test:fine"  # a DM has no server, and a button never names one
    assert question.custom_ids() == [fine, "test:bad"]
    pressed = await fake.press(mia, question, fine)
    await bot.settle()
    answer = only(fake.answers(pressed))
    assert not answer.ephemeral and answer.channel_id == question.channel_id
    assert seen.answers == [("Mia", "fine")]


async def test_dm_fan_out_is_paced(fake: FakeDiscord, bot: RunningBot) -> None:
    mia = fake.add_member("Mia", manager=True)
    people = [fake.add_member(name) for name in ("Ana", "Bea", "Cai")]
    for person in people:
        await fake.slash(person, "help")
    await fake.slash(mia, "test_round")
    await bot.settle()
    await bot.run_due()
    assert all(fake.dms(person) for person in [mia, *people])
    assert bot.sleep.pauses == [DM_INTERVAL] * 3  # four DMs, spread one interval apart


async def test_a_free_text_answer_is_written_in_a_modal(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    ana = fake.add_member("Ana")
    started = await fake.slash(ana, "test_note")
    await bot.settle()
    question = only(fake.answers(started))
    assert question.ephemeral and question.custom_ids() == ["~answer"]
    opened = await fake.press(ana, question, "~answer")
    await bot.settle()
    assert opened.first_type == 9  # a modal
    submitted = await fake.submit(ana, opened, "Bring *chairs* @everyone")
    await bot.settle()
    answer = only(fake.answers(submitted))
    assert answer.ephemeral and answer.content == r"Noted: Bring \*chairs\* @everyone"
    assert seen.notes == ["Bring *chairs* @everyone"]
    again = await fake.submit(ana, opened, "Once more")  # the flow is over: said, not kept
    await bot.settle()
    assert "wasn't expecting an answer" in only(fake.answers(again)).content
    assert seen.notes == ["Bring *chairs* @everyone"]


async def test_a_plain_dm_answers_a_waiting_flow(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    ana = fake.add_member("Ana")
    await fake.slash(ana, "test_note")
    await bot.settle()
    await fake.dm_from(ana, "Soup on Friday")
    await bot.settle()
    assert seen.notes == ["Soup on Friday"]
    assert only(fake.dms(ana)).content == "Noted: Soup on Friday"


async def test_a_waiting_flow_takes_a_channel_message_addressed_to_hearth(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    ana = fake.add_member("Ana")
    await fake.slash(ana, "test_note")
    await bot.settle()
    assert await fake.say(ana, "Just chatting, not to Hearth") == 1
    await fake.say(ana, f"<@{fake.app_id}> Soup on Friday")
    await bot.settle()
    assert seen.notes == ["Soup on Friday"]  # without the message-content intent
    assert only(fake.dms(ana)).content == "Noted: Soup on Friday"  # no interaction: privately


async def test_a_command_that_only_speaks_publicly_answers_in_the_channel(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    shouted = await fake.slash(ana, "test_shout")
    await bot.settle()
    answer = only(fake.answers(shouted))
    assert answer.content == "Soup is ready!" and not answer.ephemeral
    assert fake.in_channel(fake.general) == [answer]  # the visible answer to the command


async def test_a_channel_set_with_setup_receives_its_announcements(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    await fake.slash(mia, "setup", key="channel", value=f"proposals <#{fake.ideas}>")
    await bot.settle()
    announced = await fake.slash(mia, "test_announce")
    await bot.settle()
    assert only(fake.in_channel(fake.ideas)).content == "A new proposal is incubating."
    assert only(fake.answers(announced)).content == "Announced."


async def test_mydata_with_closed_dms_is_shown_ephemerally(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    fake.closed_dms.add(int(ana["id"]))
    asked = await fake.slash(ana, "mydata")
    await bot.settle()
    shown = fake.answers(asked)
    assert all(s.ephemeral for s in shown)
    assert "What Hearth holds about you" in said(shown)
    assert "couldn't send this to you privately" in said(shown)
    assert not fake.in_channel(fake.general)  # the asker is here: no channel button


async def test_a_slow_command_is_deferred_then_answered(
    fake: FakeDiscord, store: SqliteStore, seen: Observed, bots: list[RunningBot]
) -> None:
    bot = RunningBot(fake, store, [notes(seen)], defer_after=0.01)
    bots.append(bot)
    await bot.start()
    ana = fake.add_member("Ana")
    asked = await fake.slash(ana, "test_slow")
    await fake.wait_for(lambda: asked.callbacks)
    assert asked.first_type == 5  # "Hearth is thinking…", only for Ana
    seen.gate.set()
    await bot.settle()
    answer = only([s for s in fake.answers(asked) if s.via == "followup"])
    assert answer.ephemeral and answer.content == "Finally done."


async def test_autocomplete_offers_what_the_core_suggests(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    typed = await fake.autocomplete(ana, "test_show", "number", number="1")
    await bot.settle()
    callback = only_callback(typed.callbacks)
    assert callback["type"] == 8
    assert callback["data"]["choices"] == [
        {"name": "#1 Community garden", "value": 1},
        {"name": "#12 Garden shed", "value": 12},
    ]


def only_callback(callbacks: list[dict[str, object]]) -> dict[str, object]:
    assert len(callbacks) == 1
    return callbacks[0]  # type: ignore[return-value]


async def test_many_choices_become_a_select_menu(
    fake: FakeDiscord, bot: RunningBot, seen: Observed
) -> None:
    ana = fake.add_member("Ana")
    asked = await fake.slash(ana, "test_many")
    await bot.settle()
    menu = only(fake.answers(asked))
    assert menu.custom_ids() == ["~pick:0"]
    assert menu.labels() == [f"Option {n}" for n in range(1, 8)]
    picked = await fake.press(ana, menu, "~pick:0", values=["test:option6"])
    await bot.settle()
    assert "noted: option6" in only(fake.answers(picked)).content
    assert seen.answers == [("Ana", "option6")]


async def test_the_fake_sends_member_joins_only_to_clients_with_the_members_intent(
    fake: FakeDiscord,
) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.01)
    await client.login(TOKEN)
    connection = asyncio.create_task(client.connect())
    try:
        await client.wait_until_ready()
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and [m.id for m in guild.members] == [fake.app_id]
        assert await fake.dispatch("GUILD_MEMBER_ADD", {"guild_id": "1"}, GUILD_MEMBERS) == 0
    finally:
        await client.close()
        await connection


async def test_a_wrong_token_stops_start_up_with_one_clear_line(
    fake: FakeDiscord, store: SqliteStore
) -> None:
    bot = RunningBot(fake, store, token="not-the-token")
    with pytest.raises(ValueError, match="refused the token"):
        await bot.start()


async def test_hearth_run_serves_discord_until_stopped(
    fake: FakeDiscord, store: SqliteStore
) -> None:
    hearth = build_hearth(store=store, clock=SystemClock())
    adapter = DiscordAdapter(TOKEN, client_options={"guild_ready_timeout": 0.01})
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(hearth, [adapter], stop))
    ana = fake.add_member("Ana")
    await fake.wait_for(lambda: any(session.ready for session in fake.sessions))
    asked = await fake.slash(ana, "privacy")
    await fake.wait_for(lambda: fake.answers(asked))
    assert "Your privacy with Hearth" in only(fake.answers(asked)).content
    stop.set()
    await serving
    assert not fake.sessions  # the gateway connection was closed

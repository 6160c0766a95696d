"""Hearth in a Telegram group, end to end: the real PTB Application against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from adapters.telegram import TelegramAdapter, TelegramStartFailed
from bot.commands import Args
from bot.context import CommandContext, CommunityContext
from bot.domain import Member
from bot.feature import Feature
from bot.reach import NOTICE_EVERY
from bot.replies import Reply, Target, Visibility
from storage.sqlite import SqliteStore
from tests.telegram_fake import BOT_ID, BOT_USERNAME, FakeBotApi
from tests.telegram_support import GROUP_ID, TelegramWorld, texts

# PTB itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Nudger:
    """A test flow that needs a private message: /nudge, resumable by name."""

    def __init__(self) -> None:
        self.unreachable: list[str] = []
        self.feature = Feature("nudger")
        self.feature.command("nudge", about="Send yourself a private nudge.")(self.nudge)
        self.feature.command("announce", about="Post a note in the proposals channel.")(
            self.announce
        )
        self.feature.on_unreachable["nudge"] = self.missed
        self.feature.resumes["nudge"] = "nudge"

    async def nudge(self, ctx: CommandContext, args: Args) -> None:
        target = Target(ctx.origin.platform, ctx.origin.community_ref, user_ref=ctx.member.user_ref)
        ctx.replies.append(
            Reply("A private **nudge** for you.", target, Visibility.PRIVATE, resume="nudge")
        )

    async def announce(self, ctx: CommandContext, args: Args) -> None:
        for link in ctx.links:
            target = Target(link.platform, link.community_ref, link.channel_for("proposals"))
            ctx.replies.append(Reply("A note for the proposals channel.", target))

    async def missed(self, ctx: CommunityContext, member: Member) -> None:
        self.unreachable.append(member.display_name)


@pytest.fixture
def nudger() -> Nudger:
    return Nudger()


@pytest.fixture
async def tg(nudger: Nudger) -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld(features=[nudger.feature])
    await world.start()
    yield world
    await world.close()


# -- joining and leaving --------------------------------------------------------------------


async def test_a_newcomer_is_welcomed_once_when_both_join_updates_arrive(tg: TelegramWorld) -> None:
    dana = tg.fake.user(14, "Dana")
    first = await tg.handle(tg.fake.join(tg.group, dana, via="chat_member"))
    second = await tg.handle(tg.fake.join(tg.group, dana, via="service"))
    assert second == []
    assert tg.fake.dropped == []  # chat_member was asked for in allowed_updates
    assert "chat_member" in tg.fake.allowed

    # Dana never started the bot: the welcome's notice carries the deep link to her questions.
    assert len(first) == 1 and first[0].chat_id == GROUP_ID
    assert "couldn't reach you" in first[0].text
    assert first[0].labels == ["Start here", "Open a private chat with me"]
    link = first[0].button("Open a private chat with me")["url"]
    assert link == f"https://t.me/{BOT_USERNAME}?start=m{-GROUP_ID}-onboarding"

    welcomed = await tg.advance(timedelta(minutes=2))
    assert [s.chat_id for s in welcomed] == [GROUP_ID]
    assert welcomed[0].text.startswith("👋 Welcome to Kitchen, Dana!")
    assert welcomed[0].styled("bold") == ["Dana"]
    assert await tg.advance(timedelta(days=1)) == []


async def test_the_service_message_alone_welcomes_too(tg: TelegramWorld) -> None:
    dana = tg.fake.user(14, "Dana")
    notice = await tg.handle(tg.fake.join(tg.group, dana, via="service"))
    again = await tg.handle(tg.fake.join(tg.group, dana, via="chat_member"))
    assert len(notice) == 1 and again == []
    welcomed = await tg.advance(timedelta(minutes=2))
    assert len(welcomed) == 1 and "Dana" in welcomed[0].text


async def test_the_newcomer_starts_the_bot_through_the_link_and_onboards_privately(
    tg: TelegramWorld,
) -> None:
    dana = tg.fake.user(14, "Dana")
    notice = await tg.handle(tg.fake.join(tg.group, dana, via="chat_member"))
    link = notice[0].button("Open a private chat with me")["url"]
    payload = link.split("?start=")[1]

    opened = await tg.dm(dana, f"/start {payload}")  # what Telegram sends on Start
    assert [s.chat_id for s in opened] == [dana["id"]]
    assert "1 of 3 · What brings you here?" in opened[-1].text
    answered = await tg.dm(dana, "I can cook for twenty & I love it 🍲")
    assert [s.chat_id for s in answered] == [dana["id"]]
    assert "2 of 3" in texts(answered)


async def test_leaving_and_coming_back(tg: TelegramWorld) -> None:
    dana = tg.fake.user(14, "Dana")
    await tg.handle(tg.fake.join(tg.group, dana, via="service"))
    await tg.advance(timedelta(minutes=2))
    left = await tg.handle(tg.fake.leave(tg.group, dana, via="chat_member"))
    left_again = await tg.handle(tg.fake.leave(tg.group, dana, via="service"))
    assert left == [] and left_again == []
    assert await tg.hearth.memberships("telegram", str(dana["id"])) == []

    await tg.handle(tg.fake.join(tg.group, dana, via="chat_member"))
    assert [m.community_name for m in await tg.hearth.memberships("telegram", "14")] == ["Kitchen"]
    welcomed_again = await tg.advance(timedelta(minutes=2))
    assert len(welcomed_again) == 1 and "Dana" in welcomed_again[0].text


async def test_a_promotion_is_no_join_and_counts_at_once(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "hello")
    refused = await tg.say(tg.bob, "/setup name Soup Kitchen")
    assert "is for moderators" in texts(refused)

    old = tg.fake.chat_member(tg.group, tg.bob["id"])
    tg.fake.set_status(tg.group, tg.bob, "administrator")
    promoted = await tg.handle(tg.fake.member_change(tg.group, tg.bob, old))
    assert promoted == []
    done = await tg.say(tg.bob, "/setup name Soup Kitchen")
    assert "Done: name is now Soup Kitchen" in texts(done)


# -- commands and roles ---------------------------------------------------------------------


async def test_help_in_a_group_answers_the_asker(tg: TelegramWorld) -> None:
    sent = await tg.say(tg.bob, "/help")

    # Bob never started the bot, so the answer meant for him comes as a reply in the group.
    assert len(sent) == 1 and sent[0].chat_id == GROUP_ID
    assert sent[0].reply_to is not None
    assert "/privacy" in sent[0].text and "/setup" not in sent[0].text
    assert "/audit" in sent[0].styled("code")

    await tg.dm(tg.carla, "hi")  # Carla has started the bot: she gets it privately
    private = await tg.say(tg.carla, f"/help@{BOT_USERNAME}")
    assert [s.chat_id for s in private] == [tg.carla["id"]]


async def test_command_menus_come_from_the_core_declarations(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "hello")  # Hearth meets the group
    everyone = tg.fake.menu({"type": "default"})
    admins = tg.fake.menu({"type": "all_chat_administrators"})
    assert {"help", "mydata", "forgetme", "nudge"} <= set(everyone)
    assert "setup" not in everyone and "mods" not in everyone
    assert {"help", "setup", "mods", "schedule"} <= set(admins)


async def test_a_command_for_another_bot_is_ignored(tg: TelegramWorld) -> None:
    assert await tg.say(tg.bob, "/help@some_other_bot") == []
    assert await tg.say(tg.bob, "/weather tomorrow") == []
    unknown = await tg.say(tg.bob, f"/weather@{BOT_USERNAME}")
    assert "I don't know the command /weather" in texts(unknown)


async def test_a_members_moderator_command_is_refused_and_an_admins_works(
    tg: TelegramWorld,
) -> None:
    refused = await tg.say(tg.bob, "/setup timezone Europe/Berlin")
    assert "/setup is for moderators" in texts(refused)

    await tg.dm(tg.ana, "hi")
    done = await tg.say(tg.ana, f"/setup@{BOT_USERNAME} timezone Europe/Berlin")
    assert [s.chat_id for s in done] == [tg.ana["id"]]  # Ana started the bot: privately
    assert "Done: timezone is now Europe/Berlin" in texts(done)
    shown = await tg.dm(tg.ana, "/setup timezone")  # a moderator privately, for her group
    assert "timezone: Europe/Berlin" in texts(shown)


async def test_an_anonymous_admin_writing_as_the_group_is_a_moderator(tg: TelegramWorld) -> None:
    anonymous_bot = tg.fake.user(1087968824, "Group")
    anonymous_bot["is_bot"] = True
    sent = await tg.say(anonymous_bot, "/setup name Soup Kitchen", sender_chat=tg.group.as_dict())
    assert "Done: name is now Soup Kitchen" in texts(sent)
    assert sent[0].chat_id == GROUP_ID and sent[0].reply_to is not None


async def test_user_text_with_markup_characters_arrives_intact(tg: TelegramWorld) -> None:
    about = "Soup & bread <b>for all</b> *every* _day_ `now` 🍲🫶🏽"
    await tg.dm(tg.ana, "hi")
    done = await tg.say(tg.ana, f"/setup about {about}")
    assert f"Done: about is now {about}." in texts(done)
    assert done[0].styled("bold") == [] and done[0].styled("code") == []
    shown = await tg.dm(tg.ana, "/setup about")
    assert texts(shown) == f"about: {about}"


# -- buttons --------------------------------------------------------------------------------


async def test_a_button_in_the_private_chat(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "hello")
    asked = await tg.dm(tg.bob, "/forgetme")
    assert asked[0].chat_id == tg.bob["id"]
    assert asked[0].labels == ["Yes, erase it", "No, keep it"]

    kept = await tg.press(tg.bob, asked[0], "No, keep it")
    assert texts(kept) == "All right, nothing was erased."
    assert tg.fake.answers[-1]["callback_query_id"]  # the button stopped spinning

    erased = await tg.press(tg.bob, asked[0], "Yes, erase it")
    assert "Here is what I erased" in texts(erased) and "membership: 1" in texts(erased)
    assert len(tg.fake.answers) == 2


async def test_someone_elses_button_in_the_group_gets_a_popup(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "/help")  # Bob is a member Hearth knows
    asked = await tg.say(tg.ana, "/forgetme")  # Ana never started the bot: asked in the group
    assert asked[0].chat_id == GROUP_ID and asked[0].labels

    sent = await tg.press(tg.bob, asked[0], "Yes, erase it")
    assert sent == []
    popup = tg.fake.answers[-1]
    assert popup["show_alert"] is True
    assert popup["text"] == "That button was meant for someone else, so I left it alone."


async def test_a_stale_button_is_explained(tg: TelegramWorld) -> None:
    asked = await tg.say(tg.ana, "/forgetme")
    stale = asked[0]
    stale.raw["reply_markup"]["inline_keyboard"][0][0]["callback_data"] = "gone:1"
    stale.keyboard[0][0]["callback_data"] = "gone:1"
    assert await tg.press(tg.ana, stale, "Yes, erase it") == []
    assert "already moved on" in tg.fake.answers[-1]["text"]


# -- private reach --------------------------------------------------------------------------


async def test_a_member_who_never_started_the_bot_gets_a_deep_link_and_resumes(
    tg: TelegramWorld, nudger: Nudger
) -> None:
    asked = await tg.say(tg.bob, "/nudge")

    assert nudger.unreachable == ["Bob"]  # the core heard about it, with the flow to resume
    assert len(asked) == 1 and asked[0].chat_id == GROUP_ID
    assert asked[0].reply_to is not None  # an answer to Bob's own message, naming nobody
    link = asked[0].keyboard[0][0]["url"]
    payload = link.removeprefix(f"https://t.me/{BOT_USERNAME}?start=")
    assert payload == f"m{-GROUP_ID}-nudge"

    resumed = await tg.dm(tg.bob, f"/start {payload}")
    assert [(s.chat_id, s.text) for s in resumed] == [(tg.bob["id"], "A private nudge for you.")]
    async with tg.store.unit_of_work() as uow:
        link_row = await uow.communities.find_link("telegram", str(GROUP_ID))
        assert link_row is not None
        bob = await uow.members.find(link_row.community_id, "telegram", str(tg.bob["id"]))
        assert bob is not None and bob.unreachable_since is None

    again = await tg.say(tg.bob, "/nudge")  # reachable now: straight to the private chat
    assert [s.chat_id for s in again] == [tg.bob["id"]]


async def test_scheduled_private_messages_invite_the_group_once_without_names(
    tg: TelegramWorld, nudger: Nudger
) -> None:
    await tg.say(tg.bob, "hello")
    await tg.say(tg.carla, "hello")
    before = len(tg.fake.sent)
    adapter = tg.adapter
    assert adapter is not None
    replies = [
        Reply(
            "Your weekly nudge.",
            Target("telegram", str(GROUP_ID), user_ref=str(person["id"])),
            Visibility.PRIVATE,
            resume="nudge",
        )
        for person in (tg.bob, tg.carla)
    ]
    await adapter.deliver(replies)
    await adapter.deliver(replies)
    posted = tg.fake.sent[before:]
    assert len(posted) == 1 and posted[0].chat_id == GROUP_ID
    assert "Bob" not in posted[0].text and "Carla" not in posted[0].text
    assert posted[0].keyboard[0][0]["url"].endswith("-nudge")
    assert sorted(nudger.unreachable) == ["Bob", "Bob", "Carla", "Carla"]


async def test_both_platforms_follow_the_same_reach_rule_on_telegram(
    tg: TelegramWorld, nudger: Nudger
) -> None:
    # Once per group and flow for six hours, kept across a restart; Discord: the same rule.
    await tg.say(tg.bob, "hello")
    await tg.say(tg.carla, "hello")
    replies = [
        Reply(
            "Your weekly nudge.",
            Target("telegram", str(GROUP_ID), user_ref=str(person["id"])),
            Visibility.PRIVATE,
            resume="nudge",
        )
        for person in (tg.bob, tg.carla)
    ]

    async def invitations() -> list[str]:
        before = len(tg.fake.sent)
        assert tg.adapter is not None
        await tg.adapter.deliver(replies)
        return [s.text for s in tg.fake.sent[before:] if s.chat_id == GROUP_ID]

    first = await invitations()
    assert len(first) == 1 and "Bob" not in first[0] and "Carla" not in first[0]
    await tg.restart()
    assert await invitations() == []  # the restart did not forget it was said
    tg.clock.advance(NOTICE_EVERY - timedelta(minutes=1))
    assert await invitations() == []
    tg.clock.advance(timedelta(minutes=1))
    assert await invitations() == first  # six hours on: said once more
    assert sorted(set(nudger.unreachable)) == ["Bob", "Carla"]


async def test_a_private_message_after_a_restart_goes_to_the_group_hearth_last_wrote_about(
    tg: TelegramWorld,
) -> None:
    garden = tg.fake.group(-1002000000002, "Garden")
    tg.fake.set_status(garden, tg.bob, "member")
    await tg.say(tg.bob, "hello")
    await tg.handle(tg.fake.say(tg.bob, "hello", chat=garden))
    await tg.dm(tg.bob, "/start")  # Bob opened the private chat (asked which group: no pick)
    assert tg.adapter is not None
    await tg.adapter.deliver(
        [
            Reply(
                "A note about Garden.",
                Target("telegram", str(garden.id), user_ref=str(tg.bob["id"])),
                Visibility.PRIVATE,
            )
        ]
    )

    await tg.restart()
    answered = await tg.dm(tg.bob, "/mydata")  # not asked which group: Garden, as last written
    assert "What Hearth holds about you in Garden" in texts(answered)


async def test_a_link_for_another_group_does_nothing(tg: TelegramWorld) -> None:
    dana = tg.fake.user(14, "Dana")
    sent = await tg.dm(dana, f"/start m{-GROUP_ID}-nudge")
    assert texts(sent) == (
        "That link belongs to a group you're not in, so there's nothing to pick up here."
    )


async def test_start_without_a_link(tg: TelegramWorld) -> None:
    await tg.say(tg.bob, "hello")
    sent = await tg.dm(tg.bob, "/start")
    assert "I'm Hearth, the helper of Kitchen" in texts(sent)
    stranger = await tg.dm(tg.fake.user(15, "Eve"), "/start")
    assert "haven't met you there yet" in texts(stranger)


# -- private chats and several groups -------------------------------------------------------


async def test_a_private_message_in_two_groups_asks_which_one(tg: TelegramWorld) -> None:
    garden = tg.fake.group(-1002000000002, "Garden")
    tg.fake.set_status(garden, tg.bob, "member")
    await tg.say(tg.bob, "hello")
    await tg.handle(tg.fake.say(tg.bob, "hello", chat=garden))

    asked = await tg.dm(tg.bob, "/mydata")
    assert asked[0].labels == ["Garden", "Kitchen"]
    chosen = await tg.press(tg.bob, asked[0], "Garden")
    assert "What Hearth holds about you in Garden" in texts(chosen)
    assert tg.fake.answers[-1]["text"] == "Got it: Garden."
    same = await tg.dm(tg.bob, "/mydata")  # the chat stays about Garden
    assert "in Garden" in texts(same)


# -- forum topics ---------------------------------------------------------------------------


async def test_forum_topics_are_respected(tg: TelegramWorld) -> None:
    forum = tg.fake.group(-1003000000003, "Commons", forum=True)
    forum.topics.update({1, 5})
    tg.fake.set_status(forum, tg.ana, "creator")
    tg.fake.set_status(forum, tg.bob, "member")
    created = tg.fake._message(
        forum.as_dict(),
        tg.ana,
        message_thread_id=5,
        forum_topic_created={"name": "Ideas", "icon_color": 7322096},
    )
    await tg.handle(tg.fake.push("message", created))

    helped = await tg.handle(tg.fake.say(tg.bob, "/help", chat=forum, thread=5))
    assert [(s.chat_id, s.thread_id) for s in helped] == [(forum.id, 5)]

    await tg.handle(tg.fake.say(tg.ana, "/setup channel proposals Ideas", chat=forum))
    noted = await tg.handle(tg.fake.say(tg.bob, "/announce", chat=forum))
    assert [(s.text, s.thread_id) for s in noted] == [("A note for the proposals channel.", 5)]

    await tg.handle(tg.fake.say(tg.ana, "/setup channel proposals 9", chat=forum))
    general = await tg.handle(tg.fake.say(tg.bob, "/announce", chat=forum))
    assert [s.thread_id for s in general] == [None]  # topic 9 is gone: General instead


# -- reliability ----------------------------------------------------------------------------


async def test_a_redelivered_update_sends_nothing_twice(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "hearth.db")
    world = TelegramWorld(store=store)
    await world.start()
    try:
        first = await world.say(world.ana, "/setup name Soup Kitchen")
        update = world.last
        assert "Done: name is now Soup Kitchen" in texts(first)
        asked = await world.say(world.bob, "/forgetme")
        press = world.last

        await world.restart()  # a crash before Telegram heard the updates were handled
        assert await world.replay(update) == []
        assert await world.replay(press) == []
        kept = await world.press(world.bob, asked[0], "No, keep it")  # in the group
        tap = world.last
        assert kept == []
        assert world.fake.answers[-1]["text"] == "All right, nothing was erased."
        answers = len(world.fake.answers)
        await world.restart()  # only a new poller is sent an update that was confirmed
        assert await world.replay(tap) == []
        assert len(world.fake.answers) == answers  # answering it again is refused: fine
        audit = await world.say(world.bob, "/audit")
        assert texts(audit).count("changed setting name") == 1
    finally:
        await world.close()
        await store.close()


async def test_a_429_is_retried_after_retry_after(tg: TelegramWorld) -> None:
    await tg.dm(tg.carla, "hi")
    tg.fake.flood("sendMessage", retry_after=7)
    sent = await tg.say(tg.carla, "/privacy")
    assert [s.chat_id for s in sent] == [tg.carla["id"]]
    assert tg.sleeps == [7.0]
    tries = [params for method, params in tg.fake.calls if method == "sendMessage"]
    assert tries[-1] == tries[-2]  # the same message, sent again


async def test_long_texts_are_split_within_the_limit(tg: TelegramWorld) -> None:
    long = "\n\n".join("**" + "bold " * 700 + "** and plain" for _ in range(3))
    adapter = tg.adapter
    assert adapter is not None
    before = len(tg.fake.sent)
    await adapter.deliver([Reply(long, Target("telegram", str(GROUP_ID), str(GROUP_ID)))])
    parts = tg.fake.sent[before:]
    assert len(parts) == 3  # the strict fake accepted each: valid HTML, at most 4096
    assert " ".join(p.text for p in parts).split() == long.replace("**", "").split()
    assert all(p.styled("bold") and p.text.endswith("and plain") for p in parts)


async def test_a_wrong_token_stops_start_up_with_one_line() -> None:
    fake = FakeBotApi()
    await fake.start()
    try:
        world = TelegramWorld()
        adapter = TelegramAdapter("1:wrong-secret", base_url=fake.base_url)
        with pytest.raises(TelegramStartFailed, match="refused HEARTH_TELEGRAM_TOKEN") as failed:
            await adapter.start(world.hearth)
        assert "wrong-secret" not in str(failed.value)
        await adapter.stop()
    finally:
        await fake.close()


async def test_the_strict_fake_holds_the_bot_to_telegrams_rules() -> None:
    fake = FakeBotApi()
    group = fake.group(GROUP_ID, "Kitchen")
    dana = fake.user(14, "Dana")
    await fake.start()
    try:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("noSuchMethod")
            with pytest.raises(BadRequest, match="parse entities"):
                await bot.send_message(GROUP_ID, "Soup & bread", parse_mode="HTML")
            with pytest.raises(Forbidden, match="bot can't initiate conversation"):
                await bot.send_message(dana["id"], "Hello")
            assert fake.sent == []

            await fake.join(group, dana, via="chat_member")
            assert await bot.get_updates(timeout=0) == ()  # not asked for chat_member
            assert len(fake.dropped) == 1
            await fake.join(group, fake.user(15, "Eve"), via="chat_member")
            asked = await bot.get_updates(timeout=0, allowed_updates=["chat_member"])
            assert [u.chat_member.new_chat_member.user.first_name for u in asked] == ["Eve"]
            group.statuses[BOT_ID] = "member"  # no longer an administrator there
            await fake.join(group, fake.user(16, "Finn"), via="chat_member")
            assert await bot.get_updates(timeout=0, offset=asked[-1].update_id + 1) == ()
        with pytest.raises(InvalidToken, match="rejected by the server"):
            async with Bot("1:wrong", base_url=fake.base_url):
                pass
    finally:
        await fake.close()

"""The features in a Telegram group, end to end: proposals, check-ins answered with inline
buttons, a check-in picked up through a deep link, user text kept intact, and who may run
the moderator commands. The real PTB Application runs against the fake Bot API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.commands import Param, ParamType
from bot.roles import Role
from tests.telegram_fake import BOT_USERNAME, Sent
from tests.telegram_support import GROUP_ID, TelegramWorld, in_chat, texts

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

IDEA = "/propose Tool library | Share drills and ladders"
LABELS = {"o": "Okay", "s": "Strained", "u": "Unmet", "k": "Skip"}
NEEDS = 6  # the default needs: food, rest, housing, health, connection, access

TOO_FEW = "checked in: too few to share anything more without risking someone's privacy"


def buttons_for(sent: list[Sent], user: dict[str, Any]) -> Sent:
    """The latest message with buttons in this person's private chat."""
    found = [s for s in in_chat(sent, user["id"]) if s.keyboard]
    assert found, f"no question for {user['first_name']} in {texts(sent)!r}"
    return found[-1]


class Presses:
    """Presses buttons and remembers each callback query, to check that all were answered."""

    def __init__(self, tg: TelegramWorld) -> None:
        self.tg = tg
        self.queries: list[str] = []

    async def __call__(self, user: dict[str, Any], message: Sent, label: str) -> list[Sent]:
        sent = await self.tg.press(user, message, label)
        self.queries.append(self.tg.last["callback_query"]["id"])
        return sent

    def all_answered(self) -> bool:
        answered = [a["callback_query_id"] for a in self.tg.fake.answers]
        return sorted(answered) == sorted(self.queries)


async def answer_needs(
    press: Presses, user: dict[str, Any], question: Sent, letters: str
) -> list[Sent]:
    """Press one answer per need (o/s/u/k) on the questions as they come, in the private chat."""
    assert len(letters) == NEEDS
    sent: list[Sent] = []
    for number, letter in enumerate(letters, start=1):
        assert f"({number} of {NEEDS})" in question.text
        assert question.labels == ["Okay", "Strained", "Unmet", "Skip"]
        step = await press(user, question, LABELS[letter])
        assert [s.chat_id for s in step] == [user["id"]]  # nothing shows up in the group
        sent += step
        question = step[-1]
    return sent


async def quick_checkin(
    press: Presses, user: dict[str, Any], question: Sent, letters: str
) -> list[Sent]:
    """Answer every need with buttons, then decline a hand, an offer and a note."""
    sent = await answer_needs(press, user, question, letters)
    for label in ("No, thanks", "Not right now", "Skip"):
        sent += await press(user, sent[-1], label)
    assert "Thank you for checking in" in sent[-1].text
    return sent


# -- proposals ------------------------------------------------------------------------------


async def test_a_member_proposes_in_the_group_and_proposals_lists_it(tg: TelegramWorld) -> None:
    opened = await tg.say(tg.bob, IDEA)

    # No proposals channel or topic is set: the proposal is posted in the group itself, and
    # Bob (who never started the bot) gets his confirmation as a reply to his own message.
    post, confirmation = opened
    assert (post.chat_id, post.thread_id, post.reply_to) == (GROUP_ID, None, None)
    assert post.styled("bold") == ["New proposal #1: Tool library"]
    assert "by Bob\nShare drills and ladders\n" in post.text
    assert "/build 1" in post.text and "/concern 1" in post.text
    assert confirmation.chat_id == GROUP_ID
    assert confirmation.reply_to == tg.last["message"]["message_id"]
    assert "Your proposal is open as #1" in confirmation.text

    listed = await tg.say(tg.bob, "/proposals")
    assert [s.chat_id for s in listed] == [GROUP_ID]
    assert listed[0].styled("bold")[:2] == ["Proposals (open): 1", "#1 Tool library"]
    assert "incubating" in listed[0].text

    await tg.dm(tg.carla, "hi")  # Carla has started the bot: her list comes privately
    hers = await tg.say(tg.carla, "/proposals")
    assert [s.chat_id for s in hers] == [tg.carla["id"]]
    assert "#1 Tool library · incubating" in hers[0].text
    shown = await tg.dm(tg.carla, "/proposal 1")
    assert "Share drills and ladders" in texts(shown) and "proposed by Bob" in texts(shown)


async def test_a_proposal_lands_in_the_proposals_topic_of_a_forum(tg: TelegramWorld) -> None:
    forum = tg.fake.group(-1003000000003, "Commons", forum=True)
    forum.topics.update({1, 7})
    tg.fake.set_status(forum, tg.ana, "creator")
    tg.fake.set_status(forum, tg.bob, "member")
    created = tg.fake._message(
        forum.as_dict(),
        tg.ana,
        message_thread_id=7,
        forum_topic_created={"name": "Proposals", "icon_color": 7322096},
    )
    await tg.handle(tg.fake.push("message", created))
    set_up = await tg.handle(tg.fake.say(tg.ana, "/setup channel proposals Proposals", chat=forum))
    assert "Done" in texts(set_up)

    opened = await tg.handle(tg.fake.say(tg.bob, IDEA, chat=forum))  # written in General
    posts = [s for s in opened if s.text.startswith("New proposal #1")]
    assert [(s.chat_id, s.thread_id) for s in posts] == [(forum.id, 7)]
    confirmation = [s for s in opened if s not in posts]
    assert [(s.chat_id, s.thread_id) for s in confirmation] == [(forum.id, None)]

    listed = await tg.handle(tg.fake.say(tg.bob, "/proposals", chat=forum, thread=7))
    assert [(s.chat_id, s.thread_id) for s in listed] == [(forum.id, 7)]  # the topic asked in
    assert "#1 Tool library" in texts(listed)
    assert "No proposals" in texts(await tg.say(tg.bob, "/proposals"))  # Kitchen has none


async def test_proposal_text_with_markup_mentions_emoji_and_rtl_arrives_intact(
    tg: TelegramWorld,
) -> None:
    title = "Soup & <b>bread</b> for @everyone 🍲🫶🏽 מטבח קהילתי"
    details = "مطبخ مشترك & <i>tools</i> *for* _all_ `now` 👩🏽\u200d🍳 \u200fשלום <a href=x>"
    await tg.dm(tg.carla, "hi")
    opened = await tg.say(tg.bob, f"/propose {title} | {details}")

    post = opened[0]
    assert post.chat_id == GROUP_ID
    assert post.text.startswith(f"New proposal #1: {title} by Bob\n{details}\n")
    assert post.styled("bold") == [f"New proposal #1: {title}"]  # the template's, nothing more
    assert [e["type"] for e in post.entities] == ["bold"]
    assert "&lt;b&gt;bread&lt;/b&gt;" in post.html and "Soup &amp; " in post.html
    assert "&lt;a href=x&gt;" in post.html

    listed = await tg.say(tg.carla, "/proposals")
    assert f"#1 {title}" in listed[0].styled("bold")
    shown = texts(await tg.dm(tg.carla, "/proposal 1"))
    assert title in shown and details in shown


# -- check-ins ------------------------------------------------------------------------------


async def test_a_checkin_is_answered_with_inline_buttons_in_the_private_chat(
    tg: TelegramWorld,
) -> None:
    press = Presses(tg)
    for person in (tg.ana, tg.bob, tg.carla):
        await tg.say(person, "hello")  # Hearth meets them in the group
        await tg.dm(person, "hi")  # and each of them has started the bot

    opened = await tg.say(tg.ana, "/checkin now")
    group = in_chat(opened, GROUP_ID)
    assert len(group) == 1 and "Check-in time" in group[0].text  # the one public note
    assert not any(name in group[0].text for name in ("Ana", "Bob", "Carla"))
    for person in (tg.ana, tg.bob, tg.carla):
        assert "food (1 of 6)" in buttons_for(opened, person).text
    assert "round is open until" in texts(in_chat(opened, tg.ana["id"]))

    # Bob answers every need with the buttons, asks for a hand, offers one, and keeps a note.
    answered = await answer_needs(press, tg.bob, buttons_for(opened, tg.bob), "suoook")
    hand = answered[-1]
    assert hand.text.startswith("Would you like a hand with any of these?")
    assert hand.labels[0] == "food" and hand.labels[-1] == "No, thanks"
    asked = await press(tg.bob, hand, "food")
    assert "Nobody has offered help with food yet" in asked[-1].text
    assert "food" not in asked[-1].labels and asked[-1].labels[-1] == "That's all"
    offer = await press(tg.bob, asked[-1], "That's all")
    assert "anything you could offer" in offer[-1].text
    what = await press(tg.bob, offer[-1], "rest & energy")
    assert "What could you offer with rest & energy?" in what[-1].text
    saved = await tg.dm(tg.bob, "Quiet room & a sofa on weekends 🛋️")
    assert "Your offer for rest & energy is saved" in saved[-1].text
    assert saved[-1].labels == ["Skip"]  # the note question
    done = await tg.dm(tg.bob, "rent is late again")
    assert [(s.chat_id, s.text.split(".")[0]) for s in done] == [
        (tg.bob["id"], "Thank you for checking in")
    ]

    await quick_checkin(press, tg.ana, buttons_for(opened, tg.ana), "sooooo")
    await quick_checkin(press, tg.carla, buttons_for(opened, tg.carla), "soukoo")
    assert press.all_answered() and len(press.queries) == 3 * NEEDS + 3 + 2 * 3

    closed = await tg.advance(timedelta(days=3))  # nobody is reminded: everyone answered
    assert [s.chat_id for s in closed] == [GROUP_ID]
    summary = closed[0].text
    assert "The check-in has closed" in summary
    # All three strained with food: any figure per need would tell each of them the others'.
    assert f"3 {TOO_FEW}" in summary and "strained" not in summary
    for private in ("Ana", "Bob", "Carla", "rent is late", "sofa"):
        assert private not in summary


async def test_a_member_who_never_started_the_bot_checks_in_through_the_deep_link(
    tg: TelegramWorld,
) -> None:
    press = Presses(tg)
    for person in (tg.ana, tg.bob, tg.carla):
        await tg.say(person, "hello")
    await tg.dm(tg.ana, "hi")
    await tg.dm(tg.bob, "hi")  # Carla never started the bot

    opened = await tg.say(tg.ana, "/checkin now")
    assert in_chat(opened, tg.carla["id"]) == []
    notices = [s for s in in_chat(opened, GROUP_ID) if s.keyboard]
    assert len(notices) == 1 and "couldn't be delivered privately" in notices[0].text
    assert "Carla" not in notices[0].text  # nobody is named for not being reachable
    link = notices[0].button("Open a private chat with me")["url"]
    assert link == f"https://t.me/{BOT_USERNAME}?start=m{-GROUP_ID}-checkin"

    payload = link.partition("?start=")[2]
    started = await tg.dm(tg.carla, f"/start {payload}")  # what Telegram sends on Start
    assert [s.chat_id for s in started] == [tg.carla["id"]]
    assert "Here's the check-in" in started[0].text and "food (1 of 6)" in started[0].text
    await quick_checkin(press, tg.carla, started[0], "ssoooo")

    await quick_checkin(press, tg.ana, buttons_for(opened, tg.ana), "sooooo")
    await quick_checkin(press, tg.bob, buttons_for(opened, tg.bob), "uooooo")
    assert press.all_answered()

    closed = await tg.advance(timedelta(days=3))
    assert [s.chat_id for s in closed] == [GROUP_ID]
    summary = closed[0].text
    assert f"3 {TOO_FEW}" in summary
    assert "couldn't be reached" not in summary  # Carla found her way after all


# -- who may do what ------------------------------------------------------------------------


def example(param: Param) -> str:
    """A plausible value, so a command that skipped the role check would act on it."""
    return {
        ParamType.WORD: "name",
        ParamType.TEXT: "Bob was here",
        ParamType.INTEGER: "1",
        ParamType.MEMBER: "Bob",
        ParamType.CHANNEL: "General",
    }.get(param.type, param.choices[0] if param.choices else "x")


async def test_every_moderator_command_is_refused_to_a_member_and_an_admins_setup_works(
    tg: TelegramWorld,
) -> None:
    dana = tg.fake.user(14, "Dana")
    tg.fake.set_status(tg.group, dana, "administrator")
    await tg.say(tg.carla, IDEA)  # something the proposal commands could act on
    moderated = [c for c in tg.hearth.registry.all() if c.role >= Role.MODERATOR]
    assert {"setup", "mods", "schedule", "park", "hide"} <= {c.name for c in moderated}

    for command in moderated:
        line = " ".join([f"/{command.name}", *(example(p) for p in command.params)])
        refused = await tg.say(tg.bob, line)
        assert [(s.chat_id, s.reply_to) for s in refused] == [
            (GROUP_ID, tg.last["message"]["message_id"])
        ], line
        assert f"/{command.name} is for {command.role.label}s" in refused[0].text, line
    now = await tg.say(tg.bob, "/checkin now")  # a member command with a moderators' option
    assert "Only moderators can start a round" in texts(now)

    audit = texts(await tg.say(tg.bob, "/audit"))
    assert "Bob" not in audit  # nothing was done in his name
    shown = texts(await tg.say(tg.bob, "/proposal 1"))
    assert "incubating since" in shown

    done = await tg.say(dana, "/setup name Soup Kitchen")
    assert "Done: name is now Soup Kitchen" in texts(done)
    assert "Dana changed setting name" in texts(await tg.say(tg.bob, "/audit"))


async def test_opening_the_chat_through_the_link_makes_the_reminder_reach_you(
    tg: TelegramWorld,
) -> None:
    for person in (tg.ana, tg.carla):
        await tg.say(person, "hello")
    await tg.dm(tg.ana, "hi")
    opened = await tg.say(tg.ana, "/checkin now")
    notice = next(s for s in in_chat(opened, GROUP_ID) if s.keyboard)
    link = notice.button("Open a private chat with me")["url"]

    started = await tg.dm(tg.carla, f"/start {link.partition('?start=')[2]}")
    assert "food (1 of 6)" in started[0].text  # she looks, and leaves it for later

    reminded = await tg.advance(timedelta(days=1))
    assert [s.chat_id for s in reminded] == [tg.ana["id"], tg.carla["id"]]
    assert all("gentle nudge" in s.text for s in reminded)
    assert await tg.advance(timedelta(days=1)) == []  # and never a second one


async def test_asking_for_a_checkin_before_starting_the_bot_gets_the_link_not_a_promise(
    tg: TelegramWorld,
) -> None:
    asked = await tg.say(tg.bob, "/checkin")  # Bob never started the bot
    assert [(s.chat_id, s.reply_to) for s in asked] == [
        (GROUP_ID, tg.last["message"]["message_id"])
    ]
    assert "sent you the check-in" not in asked[0].text  # it could not be sent
    assert asked[0].text.startswith("I couldn't write to you privately")
    assert asked[0].button("Open a private chat with me")["url"].endswith("-checkin")

    await tg.dm(tg.carla, "hi")
    await tg.say(tg.carla, "hello")
    sent = await tg.say(tg.carla, "/checkin")
    assert [s.chat_id for s in sent] == [tg.carla["id"]] * 2
    assert "food (1 of 6)" in sent[0].text
    assert sent[1].text == "I've sent you the check-in privately."

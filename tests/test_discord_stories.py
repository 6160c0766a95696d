"""Stories of Hearth's own features in a Discord server: proposals, check-ins, autocomplete and
who may do what, through the real discord.py against the fake Discord."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.commands import Command, ParamType
from bot.roles import Role
from tests.discord_support import RunningBot
from tests.fake_discord import FakeDiscord, Sent


def only(messages: list[Sent]) -> Sent:
    assert len(messages) == 1, [m.content for m in messages]
    return messages[0]


def shown(content: str) -> str:
    """What a person reads: Discord's Markdown rendered away (bold, italics, escapes)."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*+", "", content))


def said(messages: list[Sent]) -> str:
    return "\n".join(shown(m.content) for m in messages)


def control(message: Sent, label: str) -> tuple[str, list[str] | None]:
    """The custom id of the button with this label, or of the select menu that offers it with
    the value to pick."""
    found = [c for row in message.components for c in row.get("components", [])]
    for component in found:
        if component.get("label") == label:
            return component["custom_id"], None
        for option in component.get("options", []):
            if option["label"] == label:
                return component["custom_id"], [option["value"]]
    raise AssertionError(f"nothing labelled {label!r} among {message.labels()}")


async def press(
    fake: FakeDiscord, bot: RunningBot, user: dict[str, Any], on: Sent, label: str
) -> Sent:
    """Press a button (or pick in a menu) and return Hearth's one answer to it."""
    custom_id, values = control(on, label)
    pressed = await fake.press(user, on, custom_id, values=values)
    await bot.settle()
    return only(fake.answers(pressed))


async def answer_needs(
    fake: FakeDiscord, bot: RunningBot, user: dict[str, Any], first: Sent, answers: list[str]
) -> Sent:
    """Answer the needs one by one with their buttons; returns the message after the last."""
    question = first
    for number, label in enumerate(answers, 1):
        assert f"({number} of {len(answers)})" in question.content
        question = await press(fake, bot, user, question, label)
    return question


# -- proposals ------------------------------------------------------------------------------


async def test_a_proposal_is_opened_with_its_option_and_listed(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    bea = fake.add_member("Bea")
    (option,) = fake.command("propose")["options"]
    assert (option["name"], option["type"], option["required"]) == ("title_and_details", 3, True)
    (state,) = fake.command("proposals")["options"]
    assert [c["value"] for c in state["choices"]][:2] == ["open", "all"] and not state["required"]
    opened = await fake.slash(
        ana, "propose", title_and_details="Tool library | Lend drills and ladders from the shed"
    )
    await bot.settle()
    answer = only(fake.answers(opened))
    assert answer.ephemeral and "Your proposal is open as #1" in shown(answer.content)

    posted = only(fake.in_channel(fake.general))  # the proposals channel is the main one
    assert posted.interaction_id is None  # a message of its own, not the answer to Ana
    assert "New proposal #1: Tool library by Ana" in shown(posted.content)
    assert "Lend drills and ladders from the shed" in posted.content
    assert "/build 1" in posted.content

    listed = await fake.slash(bea, "proposals")
    await bot.settle()
    listing = only(fake.answers(listed))
    assert listing.ephemeral and listing.recipient == int(bea["id"])  # only Bea sees it
    assert "Proposals (open): 1" in shown(listing.content)
    assert "#1 Tool library · incubating" in shown(listing.content)
    assert len(fake.in_channel(fake.general)) == 1  # listing said nothing in public

    adopted = await fake.slash(bea, "proposals", state="adopted")  # a fixed-choice option
    await bot.settle()
    assert "No proposals to show (adopted)" in shown(only(fake.answers(adopted)).content)


async def test_a_proposal_titled_with_mentions_pings_nobody(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    loud = "@everyone <@&123>"
    opened = await fake.slash(ana, "propose", title_and_details=f"{loud} | <@{ana['id']}> @here")
    await bot.settle()
    posted = only(fake.in_channel(fake.general))
    assert posted.allowed_mentions == {"parse": []}  # no everyone, here, roles or users
    assert f"New proposal #1: {loud} by Ana" in shown(posted.content)  # the text is intact
    assert f"<@{ana['id']}> @here" in shown(posted.content)
    assert only(fake.answers(opened)).allowed_mentions == {"parse": []}


# -- autocomplete ---------------------------------------------------------------------------


async def suggested(
    fake: FakeDiscord, bot: RunningBot, user: dict[str, Any], command: str, focused: str, typed: str
) -> list[tuple[str, object]]:
    """What Discord shows under the option being typed: (label, value) pairs."""
    asked = await fake.autocomplete(user, command, focused, **{focused: typed})
    await bot.settle()
    assert len(asked.callbacks) == 1 and asked.callbacks[0]["type"] == 8
    return [(c["name"], c["value"]) for c in asked.callbacks[0]["data"]["choices"]]


async def test_proposal_numbers_and_need_categories_are_suggested_while_typing(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    mia = fake.add_member("Mia", manager=True)
    for title in ("Community garden", "Tool library", "Bike repair"):
        await fake.slash(ana, "propose", title_and_details=f"{title} | Let's do it")
    await fake.slash(ana, "withdraw", number=3)
    await bot.settle()
    for command, option in [("build", 0), ("proposal", 0), ("merge", 1), ("offer", 0)]:
        assert fake.command(command)["options"][option]["autocomplete"] is True

    assert await suggested(fake, bot, ana, "build", "number", "") == [
        ("#2 Tool library", 2),
        ("#1 Community garden", 1),
    ]  # open ones only, newest first: the withdrawn #3 is not offered
    assert await suggested(fake, bot, ana, "support", "number", "tool") == [("#2 Tool library", 2)]
    assert await suggested(fake, bot, ana, "consent", "number", "#1") == [
        ("#1 Community garden", 1)
    ]
    assert await suggested(fake, bot, ana, "proposal", "number", "") == [
        ("#2 Tool library", 2),
        ("#1 Community garden", 1),
        ("#3 Bike repair", 3),
    ]  # looking one up: decided ones too, after the open ones
    assert await suggested(fake, bot, ana, "merge", "into", "") == []  # not hers to use
    assert await suggested(fake, bot, mia, "merge", "into", "gard") == [("#1 Community garden", 1)]

    await fake.slash(mia, "setup", key="needs", value="add Childcare")
    await fake.slash(mia, "setup", key="needs", value="retire access")
    await bot.settle()
    assert await suggested(fake, bot, ana, "offer", "category", "") == [
        ("food", "food"),
        ("rest & energy", "rest"),
        ("housing", "housing"),
        ("health", "health"),
        ("connection & culture", "connection"),
        ("Childcare", "childcare"),
        ("something else", "other"),
    ]  # the needs asked about now, and "other"; the retired one is gone
    assert await suggested(fake, bot, ana, "need", "category", "ener") == [
        ("rest & energy", "rest")
    ]
    assert await suggested(fake, bot, ana, "offers", "category", "child") == [
        ("Childcare", "childcare")
    ]


# -- who may do what ------------------------------------------------------------------------

MANAGE_GUILD = 1 << 5
REFUSED_FOR_ROLE = "is for moderators, so I haven't done anything"


def example_options(
    fake: FakeDiscord, command: Command, member: dict[str, Any]
) -> dict[str, object]:
    """A value for each required option, of the declared type (enough to reach the core)."""
    examples: dict[ParamType, object] = {
        ParamType.WORD: "x",
        ParamType.TEXT: "For the record",
        ParamType.INTEGER: 1,
        ParamType.MEMBER: member,
        ParamType.CHANNEL: fake.general,
    }
    return {
        p.name: p.choices[0] if p.type is ParamType.CHOICE else examples[p.type]
        for p in command.params
        if p.required
    }


async def audit_log(fake: FakeDiscord, bot: RunningBot, user: dict[str, Any]) -> str:
    shown_to = await fake.slash(user, "audit")
    await bot.settle()
    return said(fake.answers(shown_to))


async def test_every_moderator_command_is_hidden_from_members_and_refused_by_the_core(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    mia = fake.add_member("Mia", manager=True)
    await fake.slash(ana, "propose", title_and_details="Tool library | Lend drills")
    await bot.settle()
    public_before = len(fake.in_channel(fake.general))
    audit_before = await audit_log(fake, bot, ana)
    moderators = [c for c in bot.hearth.registry.all() if c.role is Role.MODERATOR]
    assert len(moderators) >= 10  # generated: a new moderator command is covered too

    synced = {c["name"]: c for c in fake.syncs[-1][1]}
    for command in bot.hearth.registry.all():
        permissions = synced[command.name]["default_member_permissions"]
        if command.role >= Role.MODERATOR:
            assert int(permissions) == MANAGE_GUILD, command.name  # hidden from members
        else:
            assert permissions is None, command.name

    # Discord's default permissions are only a hint: a member may still send the command.
    for command in moderators:
        used = await fake.slash(ana, command.name, **example_options(fake, command, ana))
        await bot.settle()
        refusal = only(fake.answers(used))
        assert refusal.ephemeral and f"/{command.name} {REFUSED_FOR_ROLE}" in shown(refusal.content)
    started = await fake.slash(ana, "checkin", now="now")  # a moderator's option of /checkin
    await bot.settle()
    assert "Only moderators" in shown(only(fake.answers(started)).content)
    assert len(fake.in_channel(fake.general)) == public_before  # nothing happened in public
    assert await audit_log(fake, bot, ana) == audit_before  # nothing was done at all

    for command in moderators:
        used = await fake.slash(mia, command.name, **example_options(fake, command, ana))
        await bot.settle()
        answers = said(fake.answers(used))
        assert answers and REFUSED_FOR_ROLE not in answers, command.name
        assert "something went wrong" not in answers, command.name
    assert bot.hearth.outcomes["error"] == 0
    hidden = await fake.slash(ana, "proposal", number=1)  # one that surely took effect
    await bot.settle()
    assert "hidden by Mia" in said(fake.answers(hidden))


# -- check-ins ------------------------------------------------------------------------------

NEEDS = 6  # food, rest, housing, health, connection, access


async def test_a_check_in_round_is_answered_with_buttons_in_dms_and_closes_with_totals(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    bea = fake.add_member("Bea")
    for person in (ana, bea):
        await fake.slash(person, "help")  # Hearth knows them
    started = await fake.slash(mia, "checkin", now="now")
    await bot.settle()
    assert "The check-in round is open until" in shown(only(fake.answers(started)).content)
    note = only(fake.in_channel(fake.general))
    assert "Check-in time." in shown(note.content) and "private" in note.content

    first = only(fake.dms(ana))
    assert "Time for a check-in." in shown(first.content) and "food" in first.content
    assert [b.split(":")[0] for b in first.custom_ids()] == ["ci"] * 4
    asked = await answer_needs(
        fake, bot, ana, first, ["Okay", "Strained", "Okay", "Skip", "Okay", "Unmet"]
    )
    assert not asked.ephemeral and asked.channel_id == first.channel_id  # still in the DM
    assert "Would you like a hand with any of these?" in asked.content
    more = await press(fake, bot, ana, asked, "food")
    assert "Nobody has offered help with food yet" in more.content
    assert "food" not in more.labels() and "That's all" in more.labels()
    offer = await press(fake, bot, ana, more, "That's all")
    assert "Is there anything you could offer others?" in offer.content
    what = await press(fake, bot, ana, offer, "connection & culture")
    assert "What could you offer with connection & culture?" in shown(what.content)
    await fake.dm_from(ana, "I can host a film night")  # typed in the DM
    await bot.settle()
    saved = fake.dms(ana)[-1]
    assert "Your offer for connection & culture is saved" in shown(saved.content)
    assert "Anything you'd like to note for yourself?" in saved.content
    await fake.dm_from(ana, "Tired, but okay")
    await bot.settle()
    assert "Thank you for checking in." in fake.dms(ana)[-1].content

    for person in (mia, bea):  # everyone finds rest strained
        question = only(fake.dms(person))
        await answer_needs(
            fake, bot, person, question, ["Okay", "Strained", "Okay", "Okay", "Okay", "Okay"]
        )
    assert len(fake.in_channel(fake.general)) == 1  # nobody's answers were shown in public

    await bot.advance(timedelta(days=3))  # the window closes
    summary = fake.in_channel(fake.general)[-1]
    text = shown(summary.content)
    assert "The check-in has closed." in text
    # Everyone found rest strained: a figure per need would tell each of them the others'.
    assert "3 checked in: too few to share anything more" in text and "strained" not in text
    assert not any(name in text for name in ("Ana", "Bea", "Mia"))
    assert summary.allowed_mentions == {"parse": []}
    assert not [m for m in fake.dms(ana) if "gentle nudge" in m.content]  # she had answered


async def test_a_member_with_closed_dms_checks_in_from_the_channel_button(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    ana = fake.add_member("Ana")
    fake.closed_dms.add(int(ana["id"]))  # Discord answers 50007 to a DM for her
    await fake.slash(ana, "help")
    await fake.slash(mia, "checkin", now="now")
    await bot.settle()
    assert fake.dms(mia) and not fake.dms(ana)
    public = fake.in_channel(fake.general)
    assert "Some check-ins couldn't be delivered privately" in public[1].content
    offer = public[-1]
    assert "couldn't deliver" in offer.content and "Ana" not in said(public)  # nobody named
    assert offer.custom_ids() == ["~resume:checkin"]

    opened = await fake.press(ana, offer, "~resume:checkin")
    await bot.settle()
    first = only(fake.answers(opened))
    assert first.ephemeral and "Time for a check-in." in shown(first.content)
    asked = await answer_needs(
        fake, bot, ana, first, ["Okay", "Strained", "Okay", "Okay", "Unmet", "Okay"]
    )
    assert asked.ephemeral and "Would you like a hand with any of these?" in asked.content
    offering = await press(fake, bot, ana, asked, "No, thanks")
    what = await press(fake, bot, ana, offering, "food")
    assert what.ephemeral and "What could you offer with food?" in what.content

    writing = await fake.press(ana, what, "~answer")  # "Write my answer": a modal
    await bot.settle()
    assert writing.first_type == 9
    written = await fake.submit(ana, writing, "Soup on Sundays")
    await bot.settle()
    noted = only(fake.answers(written))
    assert noted.ephemeral and "Your offer for food is saved" in shown(noted.content)
    assert "Anything you'd like to note for yourself?" in noted.content

    writing = await fake.press(ana, noted, "~answer")
    await bot.settle()
    finished = await fake.submit(ana, writing, "Glad I could do this here")
    await bot.settle()
    done = only(fake.answers(finished))
    assert done.ephemeral and "Thank you for checking in." in done.content
    assert not fake.dms(ana) and fake.in_channel(fake.general) == public  # all only for her

    mine = await fake.slash(ana, "mydata")
    await bot.settle()
    held = said(fake.answers(mine))
    assert "Soup on Sundays" in held and "Glad I could do this here" in held


async def test_a_dm_closed_member_is_told_only_what_happened(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    ana = fake.add_member("Ana")
    fake.closed_dms.add(int(ana["id"]))  # Discord answers 50007 to a DM for her
    asked = await fake.slash(ana, "checkin")
    await bot.settle()
    answers = fake.answers(asked)
    told = said(answers)
    assert all(a.ephemeral for a in answers) and not fake.dms(ana)
    assert "sent you the check-in privately" not in told  # it was not
    assert "couldn't send this to you privately" in told
    assert "Your own check-in." in told  # ...and here it is, for her alone
    assert answers[-1].labels()[:4] == ["Okay", "Strained", "Unmet", "Skip"]

    bo = fake.add_member("Bo")  # DMs open: the note says it went, and it did
    asked = await fake.slash(bo, "checkin")
    await bot.settle()
    assert said(fake.answers(asked)) == "I've sent you the check-in privately."
    assert "Your own check-in." in said(fake.dms(bo))


# -- settings that name a channel -------------------------------------------------------------


async def test_a_channel_the_server_does_not_have_is_refused_with_the_ones_it_has(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    mia = fake.add_member("Mia", manager=True)
    refused = await fake.slash(mia, "setup", key="channel", value="proposals #nowhere")
    await bot.settle()
    answer = shown(only(fake.answers(refused)).content)
    assert 'There\'s no channel "#nowhere" here' in answer
    assert "#general, #ideas" in answer
    by_name = await fake.slash(mia, "setup", key="channel", value="proposals #ideas")
    await bot.settle()
    assert "proposals: #ideas" in shown(only(fake.answers(by_name)).content)
    by_mention = await fake.slash(mia, "setup", key="channel", value=f"welcome <#{fake.ideas}>")
    await bot.settle()
    assert f"welcome: <#{fake.ideas}>" in shown(only(fake.answers(by_mention)).content)

"""A season of one community's life, shared by the tests that check what may be shown of it
(the export, the web pages): public work, and private words that must never appear."""

from __future__ import annotations

from datetime import timedelta

from tests.needs_helpers import answer, choose, community
from tests.support import World

DAY = timedelta(days=1)
OTHERS = ("bob", "carla", "dan", "eve", "finn", "gus", "hal")

# What people said privately, each searched for in every byte of the export.
PRIVATE_REFLECTION = "I cried in the car after the meeting"
CHECKIN_NOTE = "my landlord is threatening eviction"
REQUEST_WORDS = "a mattress for my cousin Tomasz"
PRIVATE_OFFER = "a quiet room in my flat, just ask"
PRIVATE_MESSAGE = "I have felt very alone since the winter"
HIDDEN_TITLE = "Sell the members list"
PRIVATE_WORDS = (
    PRIVATE_REFLECTION,
    CHECKIN_NOTE,
    REQUEST_WORDS,
    PRIVATE_OFFER,
    PRIVATE_MESSAGE,
    HIDDEN_TITLE,
)


async def a_season_of_community_life(world: World) -> None:
    """A proposal with a build, a concern, support and consent, adopted; one hidden by a
    moderator; a closed check-in round of eight; a reflection with one shared and one private
    answer; a public offer, a private one and an open request; a private message to Hearth."""
    await community(world, *OTHERS)
    await world.say("bob", "/propose Tool library | Lend drills and ladders from the shed.")
    await world.say("carla", "/build 1 and a sign-up sheet, by the door")
    await world.say("dan", "/concern 1 who repairs broken tools?")
    await world.say("eve", "/support 1")
    await world.advance(3 * DAY)
    await world.say("carla", "/consent 1")
    await world.say("dan", "/standaside 1 I rarely borrow tools")
    await world.advance(3 * DAY)
    await world.say("hal", f"/propose {HIDDEN_TITLE} | We could sell our contact list.")
    await world.say("ana", "/hide 2 not what we do here")

    await world.say("ana", "/checkin now")
    for number, name in enumerate(("ana", *OTHERS)):
        # food: 4 strained; access: 1 unmet (ana); everything else okay
        letters = ("sooooo" if number < 4 else "oooooo")[:5] + ("u" if number == 0 else "o")
        await answer(world, name, letters, note=CHECKIN_NOTE if name == "bob" else None)
    await world.advance(3 * DAY)

    await world.say("ana", "/reflect_now")
    await world.say("bob", "/reflect shared The shed smells of cedar now.")
    await world.say("carla", f"/reflect private {PRIVATE_REFLECTION}")
    await world.say("ana", "/reflect_now")  # the first round's digest; a second round opens

    offered = await world.say("finn", "/offer food Soup on Sundays")
    await choose(world, "finn", offered, "Show it publicly")
    await world.say("gus", f"/offer rest {PRIVATE_OFFER}")
    await world.say("eve", f"/need housing {REQUEST_WORDS}")
    await world.privately("dan", PRIVATE_MESSAGE)

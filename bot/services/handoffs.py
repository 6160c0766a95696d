"""Handing a shared reflection on: its author may turn it into a proposal or an offer.

`/propose from reflection K [title]` opens a proposal whose details are the whole answer and
whose title is the one given or else a shortening of the answer; the proposal's opening event
records reflection K, so its history says where the idea came from. `/offer <kind> from
reflection K` records an offer in that kind of help. Only the author may do either, and only
once the answer is shared (`shared_reflection_text` refuses kindly otherwise), so a refusal
stores nothing.
"""

from __future__ import annotations

import re

from bot.context import CommandContext
from bot.errors import Refusal
from bot.numbers import whole_number
from bot.services.proposals.records import TITLE_LIMIT, State, from_reflection
from bot.services.reflections import shared_reflection_text
from bot.services.reflections.digest import shorten

# "from answer 7" (the older "from reflection 7" too; also "#7"); for /propose anything after
# "from answer" is meant as a number, for /offer only a number is, so an offer may still start
# with those words.
_PROPOSE_FROM = re.compile(
    r"^\s*from\s+(?:answer|reflection)\b\s*(?P<number>\S*)\s*(?P<title>.*?)\s*$", re.I | re.S
)
_OFFER_FROM = re.compile(r"^\s*from\s+(?:answer|reflection)\s+#?(?P<number>\w+)\s*$", re.I)
# "/offer from reflection 7 food": the reflection first, then the kind of help.
_OFFER_FROM_FIRST = re.compile(
    r"^\s*(?:answer|reflection)\s+#?(?P<number>\w+)(?:\s+(?P<kind>\S+))?\s*$", re.I
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
FULL_ENOUGH = 40  # a title of at least this many characters needs no further sentence


def propose_reference(text: str) -> tuple[int, str] | None:
    """(reflection number, own title or '') for '/propose from reflection K [title]'; None
    for an ordinary proposal."""
    if "|" in text:
        return None  # "title | details" is an ordinary proposal, whatever its words
    match = _PROPOSE_FROM.match(text)
    if match is None:
        return None
    return _number(match.group("number")), match.group("title")


def offer_reference(kind: str, what: str) -> tuple[str, int] | None:
    """(kind as typed, reflection number) for '/offer <kind> from reflection K', or for the
    other order '/offer from reflection K <kind>'; None for an ordinary offer."""
    match = _OFFER_FROM.match(what)
    if match is not None and whole_number(match.group("number")) is not None:
        return kind, _number(match.group("number"))
    first = _OFFER_FROM_FIRST.match(what) if kind.lower() == "from" else None
    if first is None:
        return None
    number = _number(first.group("number"))
    if first.group("kind") is None:
        raise Refusal("handoff_offer_needs_kind", number=number)
    return first.group("kind"), number


def _number(typed: str) -> int:
    number = whole_number(typed.lstrip("#"))
    if number is None:
        raise Refusal("handoff_bad_reflection", value=typed[:40])
    return number


def title_from(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title from an answer: its first sentences up to a fair length, within `limit`.

    Whole sentences are kept while they fit (so a short opener like "Honestly?" is not the
    whole title); a first sentence that is too long is cut at a word with an ellipsis.
    """
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    sentences = [s for s in _SENTENCE_END.split(" ".join(first_line.split())) if s]
    title = ""
    for sentence in sentences:
        longer = f"{title} {sentence}".strip()
        if len(longer) > limit:
            break
        title = longer
        if len(title) >= FULL_ENOUGH:
            break
    if not title:
        return shorten(sentences[0] if sentences else text, limit)
    if title.endswith(".") and not title.endswith("..") and title.strip(". "):
        title = title[:-1]  # a title reads better without its full stop
    return title


async def proposal_from_reflection(
    ctx: CommandContext, number: int, title: str = ""
) -> tuple[str, str]:
    """(title, details) for a proposal from the asker's shared reflection `number`, titled
    `title` or else a shortening of the answer; refuses when it is not theirs or not shared,
    or when it already became a proposal that was not withdrawn."""
    text = await shared_reflection_text(ctx.uow, ctx.member, number)
    for proposal in await ctx.uow.proposals.opened_from(ctx.community.id, from_reflection(number)):
        if proposal.state is not State.WITHDRAWN:
            raise Refusal("handoff_already_proposed", reflection=number, number=proposal.number)
    return title.strip() or title_from(text), text


async def offer_from_reflection(ctx: CommandContext, number: int, limit: int) -> str:
    """What to offer, from the asker's shared reflection `number`, on one line within `limit`
    (the reflection itself keeps every word)."""
    return shorten(await shared_reflection_text(ctx.uow, ctx.member, number), limit)

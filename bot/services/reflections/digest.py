"""The digest that closes a round, and short listings of shared answers.

Only shared answers are ever listed; private ones count towards "how many reflected" and
nothing else. Long answers are shortened with a pointer to /reflection K for the whole text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from bot.catalog import Markup
from bot.context import CommunityContext
from bot.domain_reflections import Reflection, ReflectionRound

# A digest stays brief enough for one chat message: each answer gets a share of a budget
# (at most DIGEST_ANSWER_CHARS), and beyond DIGEST_MAX_ANSWERS it points to /reflection round N.
DIGEST_ANSWER_CHARS = 200
DIGEST_BUDGET_CHARS = 1000
DIGEST_MAX_ANSWERS = 8
LIST_ANSWER_CHARS = 150
LIST_MAX_ANSWERS = 40


def shorten(text: str, limit: int) -> str:
    """The text on one line, cut at a word boundary with an ellipsis when over `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = textwrap.shorten(flat, width=limit, placeholder=" …")
    return cut if cut != "…" and cut.strip() != "…" else flat[: limit - 1] + "…"


def answer_lines(
    ctx: CommunityContext,
    answers: Sequence[Reflection],
    names: Mapping[int, str],
    limit: int,
    language: str | None = None,
) -> list[str]:
    """One line per shared answer: the author's name and the (shortened) text."""
    lines = []
    for answer in answers:
        short = shorten(answer.text, limit)
        key = "reflection_answer_line" if short == answer.text else "reflection_answer_line_cut"
        lines.append(
            ctx.text(key, language, name=names[answer.member_id], text=short, number=answer.id)
        )
    return lines


def announce_digest(
    ctx: CommunityContext,
    round_: ReflectionRound,
    answers: Sequence[Reflection],
    names: Mapping[int, str],
) -> None:
    """Post the digest of a closed round in the reflections channel."""
    if not answers:
        ctx.announce(
            "reflections",
            "reflection_digest_empty",
            number=round_.number,
            prompt=round_.prompt_text,
        )
        return
    shared = [a for a in answers if a.shared]
    count = ctx.text("reflection_digest_count", count=len(answers))
    if shared:
        listed = shared[:DIGEST_MAX_ANSWERS]
        limit = min(DIGEST_ANSWER_CHARS, DIGEST_BUDGET_CHARS // len(listed))
        lines = answer_lines(ctx, listed, names, limit)
        if len(shared) > DIGEST_MAX_ANSWERS:
            lines.append(
                ctx.text(
                    "reflection_digest_more",
                    count=len(shared) - DIGEST_MAX_ANSWERS,
                    number=round_.number,
                )
            )
        body = ctx.text("reflection_digest_shared", answers=Markup("\n".join(lines)))
    else:
        body = ctx.text("reflection_digest_all_private")
    ctx.announce(
        "reflections",
        "reflection_digest",
        number=round_.number,
        prompt=round_.prompt_text,
        count=Markup(count),
        shared=Markup(body),
    )

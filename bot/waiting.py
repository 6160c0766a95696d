"""Whether a flow waits for the asker's typed answer, told to adapters on the reply
(Reply.awaits_answer), so that no adapter reads the store to guess it: a platform where typing
in a channel needs a way in (Discord's answer button and modal) offers it exactly then.

After a command, only a flow it started or moved counts (its conversation was written), so that
other commands used meanwhile do not carry the way in; after a message or a press, any flow
still waiting does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from bot.events import Origin
from bot.ports import UnitOfWork
from bot.replies import Reply, Visibility


async def waiting_flow(uow: UnitOfWork, member_id: int, flows: Collection[str]) -> str | None:
    """The flow waiting for this member's words, if any."""
    conversation = await uow.conversations.get(member_id)
    if conversation is None or conversation.flow not in flows:
        return None
    return conversation.flow


def awaiting(replies: Sequence[Reply], origin: Origin) -> list[Reply]:
    """The replies with those for the asker marked: a flow now waits for their typed answer."""
    return [
        replace(reply, awaits_answer=True)
        if reply.visibility is not Visibility.PUBLIC
        and reply.target.platform == origin.platform
        and reply.target.community_ref == origin.community_ref
        and reply.target.user_ref == origin.person.user_ref
        else reply
        for reply in replies
    ]

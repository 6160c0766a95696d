"""The kernel: what every feature runs on, one job per module.

- registry: what features install (commands, choices, flows, jobs, schedules, setup keys, hooks)
- membership: the community and member found or created for an origin
- dispatch: an event in, one unit of work, replies out (refusals, ignored, unexpected errors)
- scheduler: due jobs and schedules, each in its own unit of work
- outbox: the pump that claims, sends, postpones with backoff and releases
- feedback: what platforms report back (refused private messages, presence, memberships)
- background: what the scheduler and the feedback share (work that starts without an event)

`bot/hearth.py` composes them behind one facade.
"""

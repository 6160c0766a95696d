"""Proposals that are never rejected prematurely: a proposal incubates until it has had time and
other people's perspectives, goes to a consent round, and is adopted or goes back to incubate
with the objections as concerns; moderators may park, hide or merge one.

Where things are:
- records.py: states, parts, events and a community's rules (plain data);
  proposal.py: what a proposal holds and what can be read off it;
  lifecycle.py: `Proposal`, the pure state machine of its moves, and `open_proposal`;
  summaries.py: the listing's `Tally` and a person's /mydata record.
- port.py: `ProposalRepository`, what the feature needs from storage (storage/proposals.py).
- news.py: how a change is stored and mirrored (audit log, proposals channel, timers);
  settings.py: `/setup proposals`; suggestions.py: proposal numbers offered while typing;
  texts.py: rendering views and lines through prompts/en/proposals.yaml.
- The chat surface: arguments.py (what every command shares), opening.py (/propose, /proposals,
  /proposal), taking_part.py (builds, concerns, support, positions, withdrawal), moderation.py
  (/park, /adopt, /hide, /merge), timers.py, report.py; feature.py bundles them.
- pipeline.py: the pipeline week by week, for the dashboard and the image with /report.
"""

from bot.services.proposals.feature import proposals_feature

__all__ = ["proposals_feature"]

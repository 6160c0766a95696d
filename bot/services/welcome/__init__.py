"""Welcoming newcomers and buddies: a public greeting when people join, a private onboarding
answered at their own pace, /intro, follow-ups, the welcome report, and members who volunteer
to show newcomers around.

What is where: `records` (onboarding, contributions, intros, volunteers, pairings), `port`
(the WelcomeRepository and BuddyRepository ports), `joins` (the public welcome and
/welcome_set), `onboarding`, `intros`, `followups`, `report`, `contributions` (the seam the
offers feature reads what newcomers could bring through), `pairing` (finding and changing a
newcomer's buddy), `volunteering` (/buddy), `buddy_pause` (/pause buddy), `buddy_period`
(reminders, the close, people leaving), `funnel` (the dashboard's welcome funnel) and `feature`
(the two features and what they install).
"""

from bot.services.welcome.contributions import became_offer, contributions
from bot.services.welcome.feature import buddies_feature, welcome_feature

__all__ = ["became_offer", "buddies_feature", "contributions", "welcome_feature"]

"""Reflection rounds: a prompt from the community's deck on a schedule, answers kept private or
shared by their authors, and a digest that closes each round.

`shared_reflection_text` is the seam for turning a shared answer into a proposal or an offer.
"""

from bot.services.reflections.answers import shared_reflection_text
from bot.services.reflections.deck import Deck, DeckError, load_deck
from bot.services.reflections.feature import reflections_feature

__all__ = ["Deck", "DeckError", "load_deck", "reflections_feature", "shared_reflection_text"]

"""A whole community in a terminal, with a simulated clock: no account needed."""

from adapters.console.community import ConsoleCommunity

__all__ = ["ConsoleCommunity"]

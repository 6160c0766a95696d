"""Hearth in Discord servers, on discord.py: slash commands, buttons, select menus and modals."""

from adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]

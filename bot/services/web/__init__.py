"""The community's web page and the moderators' dashboard, on the core's side: sign-in links,
who may see what, and the records the pages show (adapters/web/ serves them)."""

from bot.services.web.feature import WebEntrance, web_feature

__all__ = ["WebEntrance", "web_feature"]

"""The web adapter: the community's public page and the moderators' dashboard over HTTP."""

from adapters.web.server import WebServer, web_pages

__all__ = ["WebServer", "web_pages"]

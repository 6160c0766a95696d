"""One community across places and one person across accounts: link codes, `/link` and
`/link me`, the confirmation that only the code's own account can give."""

from bot.services.linking.feature import feature

__all__ = ["feature"]

"""Hearth in Telegram groups and private chats, on python-telegram-bot."""

from adapters.telegram.adapter import TelegramAdapter, TelegramStartFailed
from adapters.telegram.pacing import Pacing

__all__ = ["Pacing", "TelegramAdapter", "TelegramStartFailed"]

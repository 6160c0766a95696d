"""Ordered privilege levels; adapters report platform facts, the core decides the role."""

from __future__ import annotations

from enum import IntEnum

from bot.catalog import Phrase


class Role(IntEnum):
    MEMBER = 1
    MODERATOR = 2
    OWNER = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def called(self) -> Phrase:
        """The role's name in the reader's language ("moderator")."""
        return Phrase(f"role_{self.label}")

    @property
    def everyone_called(self) -> Phrase:
        """The role's name for everyone who has it ("moderators")."""
        return Phrase(f"roles_{self.label}")


def decide_role(*, is_platform_owner: bool, is_platform_admin: bool, granted: Role | None) -> Role:
    """Combine what the platform says with what moderators granted inside Hearth."""
    if is_platform_owner:
        return Role.OWNER
    role = Role.MODERATOR if is_platform_admin else Role.MEMBER
    if granted is not None and granted > role:
        role = granted
    return role

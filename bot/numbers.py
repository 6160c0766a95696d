"""Numbers people type: only plain decimal digits, and never more than storage can hold."""

from __future__ import annotations

MAX_DIGITS = 15  # well inside SQLite's 64-bit integers


def whole_number(text: str) -> int | None:
    """A non-negative whole number, or None.

    `str.isdigit()` accepts characters such as '¹' that `int()` refuses, and a long run of digits
    overflows SQLite; both would turn a typo into an unexpected error.
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_DIGITS or not cleaned.isdecimal():
        return None
    return int(cleaned)

"""What Hearth stores of a secret it hands out (a sign-in link, a link code): its digest only,
so a leaked table opens and links nothing."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()

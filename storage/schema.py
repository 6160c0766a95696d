"""The whole schema: importing every module that defines tables fills storage.sql.metadata."""

from __future__ import annotations

from storage.sql import metadata

__all__ = ["metadata"]

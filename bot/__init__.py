"""Hearth's platform-agnostic core: nothing here imports a platform or storage library."""

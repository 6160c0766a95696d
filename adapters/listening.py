"""What stops start-up when an address to listen on cannot be used: one line that names the
setting, says why, and what to do (the ops endpoints and the web pages say it alike)."""

from __future__ import annotations

import errno
import os
import socket

from bot.errors import StartupProblem


def unusable_address(
    error: OSError, setting: str, host: str, port: int, *, in_use: str
) -> StartupProblem:
    """`in_use` is the advice when another program holds the port."""
    where = f"{setting} {host}:{port} cannot be used"
    if error.errno == errno.EADDRINUSE:
        return StartupProblem(f"{where} (address already in use); {in_use}")
    if isinstance(error, socket.gaierror) or error.errno is None:
        reason = error.strerror or str(error)  # e.g. a host name that does not resolve
    else:
        reason = os.strerror(error.errno).lower()  # asyncio's own text repeats the address
    return StartupProblem(f"{where} ({reason}); choose an address of this machine")

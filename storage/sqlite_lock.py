"""One Hearth per SQLite file: a lock held for as long as the store is open.

Two Hearths on one file would both run the same schedules and both drain the same outbox, so
everyone would hear everything twice. The lock is `flock` on a sidecar file `<db>.lock`, not a
row or a pid file: the kernel drops it the moment the process ends, however it ends (SIGKILL
and power loss included), so a crash never leaves a stale lock that someone must clear by
hand. The file stays on disk and names the holder's pid, for the refusal message; its presence
means nothing, but deleting it while Hearth runs would let a second one in. SQLite's own file
locks cannot do this job: WAL mode lets any number of connections share the file by design,
and holding an exclusive SQLite lock would shut out every reader, such as an operator's
`sqlite3 hearth.db`.

flock is per open file, so even a second store opened in the same process is refused; tests
that mean to share a file (two pumps on one database, a look at the file while a Hearth runs)
open it with `exclusive=False`. On network filesystems flock may be only local to one machine.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.errors import StartupProblem


class DatabaseInUse(StartupProblem):
    """Another Hearth holds the lock; `pid` is the holder's, when it has written it."""

    def __init__(self, database: str | Path, pid: int | None) -> None:
        holder = f" (pid {pid})" if pid is not None else ""
        super().__init__(
            f"another Hearth is already running on {database}{holder}; stop it first, or point"
            " HEARTH_DATABASE at another file"
        )
        self.pid = pid


class DatabaseLock:
    """The held lock; `release` (or the process ending) lets the next Hearth start."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None


def lock_path(database: str | Path) -> Path:
    return Path(f"{database}.lock")


def hold_database_lock(database: str | Path) -> DatabaseLock:
    """Take the lock for `database`, or refuse in one line naming the file and the holder.

    Raises OSError when the lock file cannot be created (an unwritable folder); the store
    turns that into its own one line about the database.
    """
    fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise DatabaseInUse(database, holder) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return DatabaseLock(fd)


def _holder(fd: int) -> int | None:
    """The holder's pid as it wrote it, or None if it has not yet."""
    written = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(written) if written.isdigit() else None

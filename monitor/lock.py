"""One run at a time per store: an advisory lock beside the database file.

The lock is an ``flock`` on ``<db>.lock``: the operating system releases it when
the holding process dies, however it dies, so a stale lock never blocks the next
run. The file names the holder for the error message.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from pathlib import Path
from types import TracebackType


class StoreLockedError(Exception):
    """Another gongkai process is running against the same store."""


class StoreLock:
    """Hold the store's lock for the duration of a ``with`` block."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> StoreLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise StoreLockedError(
                f"{self.path.with_suffix('')} is in use by {holder}; try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"gongkai pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}".encode())
        self.fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def crawl_running(db_path: Path) -> bool:
    """Whether a gongkai process holds the store's lock now (a store on read-only media has no holder)."""
    try:
        with StoreLock(db_path):
            return False
    except StoreLockedError:
        return True
    except OSError:
        return False

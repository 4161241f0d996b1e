"""Files gongkai writes for people (reports, notices): whole or not at all.

A report is written to a temporary file beside its destination and renamed
over it, so a crash or a kill mid-write leaves the previous file as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, never a part.

    An OSError names ``path`` (a full disk says which file it could not write).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    try:
        os.fchmod(fd, _mode(path))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    """The permissions of the file being replaced, else those a new file gets (mkstemp's own are owner-only)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def is_store_file(path: Path, db_path: Path) -> bool:
    """Whether ``path`` is the store itself or one of its companion files (WAL, shared memory, lock)."""
    target = path.resolve()
    store = db_path.resolve()
    companions = {store, *(store.with_name(store.name + suffix) for suffix in ("-wal", "-shm", "-journal", ".lock"))}
    return target in companions or (target.exists() and store.exists() and os.path.samefile(target, store))

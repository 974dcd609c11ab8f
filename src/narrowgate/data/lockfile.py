"""Locking the store's ``.lock`` file on every platform: writers queue, readers share.

Why hand-written and not the ``filelock`` package: filelock only has exclusive locks, so
every reader would wait for every other reader; narrowgate's runs read in parallel while
an import waits. POSIX ``flock`` gives shared and exclusive locks; on Windows ``msvcrt``
has only exclusive byte-range locks, so there readers take turns (correct, less
concurrent). Nothing POSIX-only is imported at module level.
"""

from __future__ import annotations

import sys


def try_lock(fd: int, exclusive: bool) -> bool:
    """Take the lock on the open file ``fd`` without waiting; False if another process
    holds a conflicting one. Closing ``fd`` releases it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True

"""A writable place for numba's compiled-kernel cache, so a read-only install still runs.

Why: the kernels are ``@njit(cache=True)``. numba keeps that cache in ``__pycache__`` beside
the source or, failing that, in the user's cache folder (``~/.cache/numba``); when neither
can be written (narrowgate installed by root and run by a service user whose home is
``/nonexistent``, a read-only container) numba refuses to even define the kernels ("cannot
cache function …: no locator available") and every back-test fails. Then, and only then,
the cache goes to a per-user folder under the system temp folder (``NUMBA_CACHE_DIR``).
Nothing here imports numba, so ``import narrowgate.backtest`` stays cheap.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

#: the folder the kernels' own __pycache__ lives in
_KERNELS = Path(__file__).resolve().parent


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists or can be made, and a file can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def _user_cache() -> Path:
    """numba's user-wide cache folder (its ``UserWideCacheLocator``), as platformdirs
    names the user's cache folder for the app ``numba``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("numba", appauthor=False))


def fallback_cache_dir() -> Path:
    """The per-user folder under the temp folder used when nothing else can be written."""
    user = getattr(os, "getuid", lambda: os.getpid())()
    return Path(tempfile.gettempdir()) / f"narrowgate-numba-{user}"


def ensure_numba_cache() -> Path | None:
    """Point numba at a writable cache when neither of its own places is; returns the folder
    chosen, or None when numba's own places work (or ``NUMBA_CACHE_DIR`` is already set)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    pycache = _KERNELS / "__pycache__"
    in_tree = os.access(pycache if pycache.exists() else _KERNELS, os.W_OK)
    if in_tree or _writable(_user_cache()):
        return None
    folder = fallback_cache_dir()
    if not _writable(folder):
        return None  # nowhere at all: numba's own message is the honest one
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba already imported: it reads the setting per kernel
        config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
    return folder

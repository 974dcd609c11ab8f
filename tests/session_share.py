"""Expensive test inputs built once per test session and shared by every xdist worker.

The suite runs on a 2-core CI machine with ``pytest -n auto``: each worker is its own
process, so a session-scoped fixture is built once *per worker*. The helpers here build an
artefact (an imported store, a home with recorded runs) once per session in the folder that
all workers' temp folders share, under an ``fcntl`` lock — the pattern pytest-xdist documents
(``tmp_path_factory.getbasetemp().parent`` plus a file lock), with ``fcntl`` instead of the
``filelock`` package so the test extras stay as they are. Tests get a *copy*, never the
shared artefact itself, so no test can see what another one wrote.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

#: marks a shared artefact as complete (a worker killed mid-build leaves none)
DONE = ".built"


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session can see: the parent of a worker's basetemp
    under xdist (``pytest-N/popen-gwK`` → ``pytest-N``), the basetemp itself otherwise."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], None]) -> Path:
    """The folder ``name`` filled by ``build(folder)`` exactly once per test session.

    The first worker to ask builds it in a scratch folder and renames it into place while
    holding ``name.lock``; the others wait on the lock and then find it done. Read it or copy
    from it; never write into it."""
    return built_once_at(shared_root(tmp_path_factory), name, build)


def built_once_at(root: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``built_once`` in a given shared folder."""
    target = root / name
    with open(root / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (target / DONE).exists():
                scratch = root / f"{name}.building"
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.rmtree(target, ignore_errors=True)
                scratch.mkdir()
                build(scratch)
                (scratch / DONE).write_text("", encoding="utf-8")
                scratch.rename(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def copy_home(template: Path, home: Path) -> Path:
    """Copy a shared home (store, library, anything a run wrote) into ``home``."""
    shutil.copytree(template, home, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(DONE, "*.lock"))
    return home

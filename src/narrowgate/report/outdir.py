"""The report folder (``--out``): refuse someone else's files before any work, and keep two
runs from writing into one folder at the same time.

Why: ``scorecard.json`` used to be written before ``index.html`` was checked, so a folder
holding another tool's ``scorecard.json`` lost it before the run refused the folder; and
two runs into one folder could leave one run's JSON beside the other's page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCORECARD = "scorecard.json"
LOCK = ".narrowgate-report.lock"


def refuse_foreign(out_dir: Path) -> None:
    """Raise, before any work, if the folder holds a ``scorecard.json``, ``index.html`` or
    ``assets/`` that narrowgate did not write (nothing is written then)."""
    from narrowgate.report.html import ASSETS, check_ours

    check_ours(out_dir / "index.html", out_dir / ASSETS)
    path = out_dir / SCORECARD
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(4000)
    if '"narrowgate_version"' not in head:
        from narrowgate.report.html import ReportWriteError

        raise ReportWriteError(f"{path} exists and is not a narrowgate scorecard; not "
                               "overwriting it", "choose another --out folder")


@contextmanager
def writing(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock while a run writes its files (another run gets one line)."""
    from narrowgate.data.lockfile import try_lock

    fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not try_lock(fd, exclusive=True):
            from narrowgate.report.html import ReportWriteError

            raise ReportWriteError(f"another narrowgate run is writing its report to "
                                   f"{out_dir}", "wait for it to finish, or give this run "
                                   "another --out")
        yield
    finally:
        os.close(fd)  # closing releases the lock

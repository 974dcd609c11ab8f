"""One watch cycle: refresh, re-evaluate, record, compare, queue and send notifications.

For each thesis: the previous recorded run (history order) is read, the thesis is
evaluated as of the given day (fetching what the store lacks unless offline), and the new
run is recorded together with its events — verdict flips and watch items that crossed their
threshold since that previous run — in one store transaction (the outbox, see
:mod:`narrowgate.watch.outbox`). Then every undelivered event in the store is sent.

A cycle that finds nothing new — the same thesis file (hash), the same newest date of
every instrument read, and no verdict or headline figure changed against the previous run —
does not record a second copy of that run's scorecard (~0.7 MB of JSON on the bundled thesis):
it adds one small "checked, unchanged" row to that run instead (``run_checks``), which
``narrowgate history`` shows. A cycle on a later as-of date with the same data is such a
cycle; one where a verdict moved with the calendar alone is not (its changes are compared).

Two watchers on one store never double-notify: a cycle holds ``watch.lock`` beside the
store for its whole length, and a second cycle that finds it held skips (cron and systemd
timers then simply try again next time).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from narrowgate.data.history_sql import RunRow
from narrowgate.data.store import Store
from narrowgate.errors import StoreError
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.watch.notify import DEFAULT_TIMEOUT_S, Event, flip_events, watch_events
from narrowgate.watch.outbox import Delivery, deliver, queue

LOCK_FILE = "watch.lock"


@dataclass(frozen=True)
class ThesisCycle:
    """What one cycle did for one thesis (``previous_run`` None on its first run)."""

    thesis_id: str
    as_of: date
    run_id: int
    previous_run: int | None
    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    #: True when nothing changed since ``previous_run``: no run was recorded and
    #: ``run_id`` is that previous run (now checked once more)
    unchanged: bool = False


@dataclass(frozen=True)
class CycleResult:
    """A whole cycle: each thesis, then every send attempt (old queued events too)."""

    theses: list[ThesisCycle]
    deliveries: list[Delivery]
    skipped: bool = False

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.error is not None]


@contextlib.contextmanager
def watch_lock(store: Store) -> Iterator[bool]:
    """Hold ``watch.lock`` beside the store; yields False (held by another watcher)."""
    from narrowgate.data.lockfile import try_lock

    path = store.path.parent / LOCK_FILE
    try:
        store.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot use the store folder {store.path.parent}: "
                         f"{exc.strerror or exc}",
                         "set NARROWGATE_HOME to a folder you can write") from None
    try:
        yield try_lock(fd, exclusive=True)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _one(store: Store, ref: str, as_of: date, offline: bool, urls: Sequence[str],
         link_base: str | None) -> ThesisCycle:
    from narrowgate.api import run_thesis
    from narrowgate.data import history_sql
    from narrowgate.thesis.library import file_sha256
    from narrowgate.thesis.loader import load_thesis, resolve_thesis_path
    from narrowgate.watch.history import list_runs, load_runs, run_row

    path: Path = resolve_thesis_path(ref)
    thesis = load_thesis(path)
    runs = list_runs(store, thesis.id)
    previous = runs[-1] if runs else None
    card = run_thesis(thesis, as_of, offline=offline, source=path)
    found: list[Event] = []
    row = run_row(card, file_sha256(path), path)
    if previous is not None:
        old = load_runs(store, [previous.run_id])[previous.run_id][1]
        found = flip_events(old, card, link_base) + watch_events(old, card, link_base)
        if not found and unchanged(previous, row, old, card):
            with store.writing() as con:
                history_sql.insert_check(con, previous.run_id, as_of, row.recorded_at)
            return ThesisCycle(thesis.id, as_of, previous.run_id, previous.run_id, [],
                               list(card.warnings), unchanged=True)
    with store.writing() as con:
        run_id = history_sql.insert_run(con, row, card.model_dump_json())
        queue(con, run_id, found, urls)
    return ThesisCycle(thesis.id, as_of, run_id,
                       None if previous is None else previous.run_id, found,
                       list(card.warnings))


def unchanged(previous: RunRow, row: RunRow, old: Scorecard, new: Scorecard) -> bool:
    """Whether a new evaluation adds nothing to the previous recorded run: the same thesis
    file, the same newest date per instrument, and no claim whose verdict or headline
    figure differs."""
    from narrowgate.watch.compare import claim_changes

    return (previous.thesis_hash == row.thesis_hash and previous.data == row.data
            and not claim_changes(old, new))


def run_cycle(theses: Sequence[str], as_of: date, *, offline: bool = False,
              urls: Sequence[str] = (), link_base: str | None = None,
              timeout_s: float = DEFAULT_TIMEOUT_S) -> CycleResult:
    """One cycle over ``theses`` (bundled ids, library ids or files) on the store of
    ``NARROWGATE_HOME`` (the one the evaluation reads). Raises the thesis, data and store
    errors of a run; a webhook that fails is not an error here (it stays queued, see
    ``CycleResult.failed``)."""
    target = Store()
    with watch_lock(target) as held:
        if not held:
            return CycleResult([], [], skipped=True)
        done = [_one(target, ref, as_of, offline, urls, link_base) for ref in theses]
        return CycleResult(done, deliver(target, timeout_s))

"""The outbox: notifications queued with the run that caused them, sent until delivered.

Why: a webhook or mail server may be down when a verdict flips. The event is written to the
store in the transaction that records the run (:func:`queue`), and every cycle sends every
undelivered event, oldest first (:func:`deliver`); a failure adds one to ``attempts`` and
keeps ``last_error``, so the event is sent again next cycle and never lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from narrowgate.data import outbox_sql
from narrowgate.data.outbox_sql import OutboxRow
from narrowgate.watch.notify import DEFAULT_TIMEOUT_S, Event, send_event

if TYPE_CHECKING:
    import duckdb

    from narrowgate.data.store import Store


def _now() -> datetime:
    """Naive UTC, as the store keeps timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def queue(con: duckdb.DuckDBPyConnection, run_id: int, events: Sequence[Event],
          urls: Sequence[str]) -> list[int]:
    """Queue each event for each URL inside the caller's transaction; returns event ids."""
    now = _now()
    rows = [OutboxRow(0, run_id, e.thesis_id, e.claim_id, e.kind, url,
                      json.dumps(e.payload, ensure_ascii=False), now, False, None, 0, None)
            for e in events for url in urls]
    return outbox_sql.insert_events(con, rows)


def events(store: Store, *, pending_only: bool = False) -> list[OutboxRow]:
    """The queued events (all, or the undelivered ones); [] for a store without outbox."""
    with store.reading() as con:
        if con is None or not outbox_sql.has_outbox(con):
            return []
        return outbox_sql.select_events(con, pending_only=pending_only)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send attempt (``error`` None when delivered)."""

    row: OutboxRow
    error: str | None


def deliver(store: Store, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[Delivery]:
    """Send every undelivered event, oldest first; each attempt is written at once (its
    own transaction), so a cycle killed half-way re-sends only what it had not marked."""
    outcomes = []
    for row in events(store, pending_only=True):
        error = send_event(row.url, row.payload, timeout_s)
        with store.writing() as con:
            outbox_sql.mark_attempt(con, row.event_id, _now(), error)
        outcomes.append(Delivery(row, error))
    return outcomes

"""The notification outbox table of the store: what a watch cycle queues and delivers.

Why in the store: a notification must never be lost between "the verdict flipped" and
"the webhook answered". A watch cycle records its run and queues that run's events in the
same transaction, so a crash either keeps both or neither (and the next cycle sees the same
flip again); a webhook that fails stays queued with ``attempts`` and ``last_error`` and is
sent again on the next cycle. Added by schema version 3 (see ``narrowgate.data.store``).

Every function takes an open DuckDB connection; the caller's transaction decides what is
durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

#: created by the migration to schema version 3 (see ``narrowgate.data.store``)
OUTBOX_DDL = (
    "CREATE TABLE IF NOT EXISTS outbox (event_id BIGINT NOT NULL, run_id BIGINT NOT NULL, "
    "thesis_id VARCHAR NOT NULL, claim_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
    "url VARCHAR NOT NULL, payload VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, "
    "delivered BOOLEAN NOT NULL, delivered_at TIMESTAMP, attempts INTEGER NOT NULL, "
    "last_error VARCHAR)",
)
OUTBOX_TABLES = frozenset({"outbox"})


@dataclass(frozen=True)
class OutboxRow:
    """One queued notification (``payload``: the JSON body posted to ``url``;
    ``kind``: "flip" or "watch"; timestamps naive UTC)."""

    event_id: int
    run_id: int
    thesis_id: str
    claim_id: str
    kind: str
    url: str
    payload: str
    created_at: datetime
    delivered: bool
    delivered_at: datetime | None
    attempts: int
    last_error: str | None


def has_outbox(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has the outbox (a read-only store of version 1 or 2 has not)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'outbox'").fetchone()
    return bool(row and row[0])


def insert_events(con: duckdb.DuckDBPyConnection, rows: Sequence[OutboxRow]) -> list[int]:
    """Queue events (their ids are assigned here: only the exclusive-lock holder writes)."""
    got = con.execute("SELECT coalesce(max(event_id), 0) FROM outbox").fetchone()
    first = (int(got[0]) if got else 0) + 1
    ids = list(range(first, first + len(rows)))
    if rows:
        con.executemany("INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[i, r.run_id, r.thesis_id, r.claim_id, r.kind, r.url, r.payload,
                          r.created_at, False, None, 0, None]
                         for i, r in zip(ids, rows, strict=True)])
    return ids


def select_events(con: duckdb.DuckDBPyConnection, *,
                  pending_only: bool = False) -> list[OutboxRow]:
    """Queued events in the order they were queued (all, or the undelivered ones)."""
    sql = ("SELECT event_id, run_id, thesis_id, claim_id, kind, url, payload, created_at, "
           "delivered, delivered_at, attempts, last_error FROM outbox")
    if pending_only:
        sql += " WHERE NOT delivered"
    return [OutboxRow(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]),
                      r[9], int(r[10]), r[11])
            for r in con.execute(sql + " ORDER BY event_id").fetchall()]


def mark_attempt(con: duckdb.DuckDBPyConnection, event_id: int, at: datetime,
                 error: str | None) -> None:
    """Count one delivery attempt: delivered when ``error`` is None, else keep the error."""
    if error is None:
        con.execute("UPDATE outbox SET delivered = true, delivered_at = ?, "
                    "attempts = attempts + 1, last_error = NULL WHERE event_id = ?",
                    [at, event_id])
    else:
        con.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? "
                    "WHERE event_id = ?", [error[:500], event_id])

"""The timeline cache of the store: one claim's verdict replayed at one earlier as-of date.

Why stored: a replay re-evaluates a claim as each month end saw the data (seconds per
month for a whole thesis), while the answer changes only when the claim, the code or the
data up to that date change. A cached reading is used only when all of its key parts
match: thesis, claim, the claim's spec hash, the as-of date, the code fingerprint and the
fingerprint of the data it read up to that date (:func:`data_fingerprints`). One row per
(thesis, claim, as-of): a recompute replaces the row. Added by schema version 6 (see
``narrowgate.data.store``).

Every function takes an open DuckDB connection; the caller's transaction decides what is
durable. Figure values are in the figure's own ``unit``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

#: created by the migration to schema version 6 (see ``narrowgate.data.store``)
TIMELINE_DDL = (
    "CREATE TABLE IF NOT EXISTS timeline_cache (thesis VARCHAR NOT NULL, "
    "claim VARCHAR NOT NULL, spec_sha VARCHAR NOT NULL, as_of DATE NOT NULL, "
    "code VARCHAR NOT NULL, data_fp VARCHAR NOT NULL, instruments VARCHAR NOT NULL, "
    "verdict VARCHAR NOT NULL, so_far VARCHAR, figure_key VARCHAR, value_num DOUBLE, "
    "value_text VARCHAR, unit VARCHAR, data_end DATE, computed_at TIMESTAMP NOT NULL)",
)
TIMELINE_TABLES = frozenset({"timeline_cache"})

#: per table: the instrument column, the date that makes a row visible at an as-of date
#: (as the DataView clips: bars and series by date, facts by filing, forecast snapshots by
#: the day they were taken) and the columns whose change must invalidate a cached month
_FINGERPRINTED = {
    "bars": ("instrument", "date", "source, date, open, high, low, close, adj_close, volume, pe"),
    "series": ("instrument", "date", "source, date, value"),
    "facts": ("instrument", "coalesce(filed, DATE '1900-01-01')",
              "source, concept, unit, start, \"end\", fy, fp, form, filed, accession, value"),
    "forecasts": ("instrument", "as_of", "measure, year, value, low, high, unit, n_analysts, "
                  "as_of"),
    "price_lists": ("'list:' || list", "as_of", "model_id, input_usd_per_m, "
                    "output_usd_per_m, context_length, created, as_of"),
}
#: price lists are keyed by list name, which a claim's evidence does not name: every
#: claim's fingerprint includes them (a small table)
ALWAYS_INCLUDED_PREFIX = "list:"


@dataclass(frozen=True)
class CachedReading:
    """One stored reading: the key parts a lookup checks and the values it returns."""

    claim: str
    spec_sha: str
    as_of: date
    code: str
    data_fp: str
    instruments: tuple[str, ...]
    verdict: str
    so_far: str | None
    figure_key: str | None
    value_num: float | None
    value_text: str | None
    unit: str | None
    data_end: date | None


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}


def has_timeline_cache(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has the cache table (a read-only store before version 6 has not:
    its lookups then find nothing and every month is computed)."""
    return "timeline_cache" in _tables(con)


def cached_readings(con: duckdb.DuckDBPyConnection, thesis: str, claims: Sequence[str],
                    days: Sequence[date], code: str) -> list[CachedReading]:
    """Stored readings of ``claims`` at ``days`` written by the same code (the spec hash
    and data fingerprint are for the caller to check)."""
    if not claims or not days or not has_timeline_cache(con):
        return []
    rows = con.execute(
        "SELECT claim, spec_sha, as_of, code, data_fp, instruments, verdict, so_far, "
        "figure_key, value_num, value_text, unit, data_end FROM timeline_cache "
        "WHERE thesis = ? AND code = ? AND claim IN (SELECT unnest(?)) "
        "AND as_of IN (SELECT unnest(?))",
        [thesis, code, list(claims), list(days)]).fetchall()
    return [CachedReading(str(r[0]), str(r[1]), r[2], str(r[3]), str(r[4]),
                          tuple(json.loads(r[5])), str(r[6]), r[7], r[8], r[9], r[10], r[11],
                          r[12]) for r in rows]


def store_readings(con: duckdb.DuckDBPyConnection, thesis: str,
                   readings: Sequence[CachedReading]) -> int:
    """Replace the rows of each reading's (thesis, claim, as-of); returns rows written."""
    for r in readings:
        con.execute("DELETE FROM timeline_cache WHERE thesis = ? AND claim = ? AND as_of = ?",
                    [thesis, r.claim, r.as_of])
    con.executemany(
        "INSERT INTO timeline_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [(thesis, r.claim, r.spec_sha, r.as_of, r.code, r.data_fp, json.dumps(r.instruments),
          r.verdict, r.so_far, r.figure_key, r.value_num, r.value_text, r.unit, r.data_end)
         for r in readings])
    return len(readings)


#: (instrument, table) → sorted [(bucket date, rows, hash sum)]
Buckets = dict[tuple[str, str], list[tuple[date, int, int]]]


def data_buckets(con: duckdb.DuckDBPyConnection | None, instruments: Iterable[str],
                 last: date) -> Buckets:
    """Per instrument and table, the rows visible up to ``last`` grouped by month end (the
    month of ``last`` ends at ``last``): their count and the sum of a hash of every
    column. Integer sums are exact and order-free, so a re-import that changes, adds or
    drops any row changes the sums of its month and every later one. One grouped query.
    """
    wanted = sorted({i for i in instruments})
    if con is None:
        return {}
    present = _tables(con)
    parts: list[str] = []
    params: list[object] = []
    for table, (ident, day, cols) in _FINGERPRINTED.items():
        if table not in present:
            continue
        where = (f"{day} <= ?" if table == "price_lists"
                 else f"{ident} IN (SELECT unnest(?)) AND {day} <= ?")
        parts.append(f"SELECT {ident} AS i, '{table}' AS t, least(last_day({day}), ?) AS b, "
                     f"count(*) AS n, sum(hash({cols})::HUGEINT) AS h FROM {table} "
                     f"WHERE {where} GROUP BY ALL")
        params.extend([last, last] if table == "price_lists" else [last, wanted, last])
    if not parts:
        return {}
    out: Buckets = {}
    for i, t, b, n, h in con.execute(" UNION ALL ".join(parts), params).fetchall():
        out.setdefault((str(i), str(t)), []).append((b, int(n), int(h)))
    for rows in out.values():
        rows.sort()
    return out


def data_fingerprint(buckets: Buckets, instruments: Iterable[str], day: date) -> str:
    """The fingerprint of ``instruments``' rows visible at ``day`` (plus every price
    list), from :func:`data_buckets` read up to a date on or after ``day``."""
    keep = set(instruments)
    digest = hashlib.sha256()
    for (inst, table), rows in sorted(buckets.items()):
        if inst not in keep and not inst.startswith(ALWAYS_INCLUDED_PREFIX):
            continue
        n = sum(r[1] for r in rows if r[0] <= day)
        h = sum(r[2] for r in rows if r[0] <= day)
        if n:
            digest.update(f"{inst}|{table}|{n}|{h};".encode())
    return digest.hexdigest()[:32]

"""Snapshot tables of the store: consensus forecasts and LLM price lists as fetched.

Why stored: a consensus or a price list is a reading of a moving thing on one day. Kept
with the fetch that brought it (a ``fetch_log`` row: provider, request, time), every later
run — offline, or replaying an earlier as-of date — can use the newest snapshot that was
knowable then, and say which one. Each fetch adds a snapshot; none replaces another (a
history of consensus is worth keeping). Added by schema version 5 (see
``narrowgate.data.store``).

Every function takes an open DuckDB connection; the caller's transaction decides what is
durable. Units: forecast values in the snapshot's own ``unit`` (e.g. ``CNY 1e8``,
``USD per share``); prices in USD per million tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

#: created by the migration to schema version 5 (see ``narrowgate.data.store``)
SNAPSHOTS_DDL = (
    "CREATE TABLE IF NOT EXISTS forecasts (instrument VARCHAR NOT NULL, "
    "measure VARCHAR NOT NULL, year INTEGER NOT NULL, value DOUBLE, low DOUBLE, high DOUBLE, "
    "unit VARCHAR, n_analysts DOUBLE, as_of DATE NOT NULL, fetch_id BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS price_lists (list VARCHAR NOT NULL, model_id VARCHAR NOT NULL, "
    "name VARCHAR, vendor VARCHAR, input_usd_per_m DOUBLE, output_usd_per_m DOUBLE, "
    "context_length DOUBLE, created DATE, as_of DATE NOT NULL, fetch_id BIGINT NOT NULL)",
)
SNAPSHOTS_TABLES = frozenset({"forecasts", "price_lists"})

_FORECAST_VALUES = ("year", "value", "low", "high", "unit", "n_analysts")
_PRICE_VALUES = ("model_id", "name", "provider", "input_usd_per_m", "output_usd_per_m",
                 "context_length", "created")


@dataclass(frozen=True)
class SnapshotOrigin:
    """Where a stored snapshot came from: its fetch-log row (``fetched_at`` naive UTC)."""

    fetch_id: int
    provider: str
    request: str
    fetched_at: datetime
    as_of: date
    note: str


def has_snapshots(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has the snapshot tables (a read-only store before version 5 has
    not: its reads then find no snapshot)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'forecasts'").fetchone()
    return bool(row and row[0])


def insert_forecasts(con: duckdb.DuckDBPyConnection, fetch_id: int, instrument: str,
                     measure: str, frame: pd.DataFrame, as_of: date) -> int:
    """One forecast snapshot's rows (the tidy frame of ``providers.forecasts``, any
    instrument's rows but ``instrument``'s are left out); returns the rows written."""
    mine = frame[(frame["instrument"] == instrument) & (frame["measure"] == measure)]
    years = [int(y) for y in mine["year"].tolist()]
    cells = mine[list(_FORECAST_VALUES[1:])].itertuples(index=False)
    rows = [(instrument, measure, year, _num(r.value), _num(r.low), _num(r.high),
             str(r.unit), _num(r.n_analysts), as_of, fetch_id)
            for year, r in zip(years, cells, strict=True)]
    if rows:
        con.executemany("INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def insert_price_list(con: duckdb.DuckDBPyConnection, fetch_id: int, list_name: str,
                      frame: pd.DataFrame, as_of: date) -> int:
    """One price-list snapshot (``providers.openrouter.normalise_models`` rows)."""
    rows = [(list_name, str(r.model_id), str(r.name), str(r.provider),
             _num(r.input_usd_per_m), _num(r.output_usd_per_m), _num(r.context_length),
             r.created if isinstance(r.created, date) else None, as_of, fetch_id)
            for r in frame[list(_PRICE_VALUES)].itertuples(index=False)]
    if rows:
        con.executemany("INSERT INTO price_lists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def newest_forecasts(con: duckdb.DuckDBPyConnection, instrument: str, measure: str,
                     on_or_before: date) -> tuple[SnapshotOrigin, pd.DataFrame] | None:
    """The newest forecast snapshot of one instrument and measure taken on or before
    ``on_or_before``: its origin and rows (year, value, low, high, unit, n_analysts)."""
    if not has_snapshots(con):
        return None
    origin = _origin(con, "forecasts", "s.instrument = ? AND s.measure = ? AND s.as_of <= ?",
                     [instrument, measure, on_or_before])
    if origin is None:
        return None
    frame = con.execute("SELECT year, value, low, high, unit, n_analysts FROM forecasts "
                        "WHERE fetch_id = ? AND instrument = ? AND measure = ? ORDER BY year",
                        [origin.fetch_id, instrument, measure]).df()
    return origin, frame


def newest_price_list(con: duckdb.DuckDBPyConnection, list_name: str, on_or_before: date
                      ) -> tuple[SnapshotOrigin, pd.DataFrame] | None:
    """The newest price-list snapshot taken on or before ``on_or_before``: its origin and
    rows (the ``normalise_models`` columns)."""
    if not has_snapshots(con):
        return None
    origin = _origin(con, "price_lists", "s.list = ? AND s.as_of <= ?", [list_name, on_or_before])
    if origin is None:
        return None
    frame = con.execute("SELECT model_id, name, vendor AS provider, input_usd_per_m, "
                        "output_usd_per_m, context_length, created FROM price_lists "
                        "WHERE fetch_id = ? ORDER BY model_id", [origin.fetch_id]).df()
    return origin, frame


@dataclass(frozen=True)
class SnapshotSummary:
    """What the store keeps of one consensus (``table`` "forecasts": ``key`` an instrument,
    ``measure`` net_profit or eps) or one price list (``key`` its name)."""

    table: str
    key: str
    measure: str
    snapshots: int
    first: date
    last: date


def summaries(con: duckdb.DuckDBPyConnection) -> list[SnapshotSummary]:
    """One row per stored consensus and price list: how many snapshots, first and newest
    day (for `data ls`)."""
    if not has_snapshots(con):
        return []
    rows = con.execute(
        "SELECT 'forecasts', instrument, measure, count(DISTINCT fetch_id), min(as_of), "
        "max(as_of) FROM forecasts GROUP BY instrument, measure UNION ALL "
        "SELECT 'price_lists', list, '', count(DISTINCT fetch_id), min(as_of), max(as_of) "
        "FROM price_lists GROUP BY list ORDER BY 1, 2, 3").fetchall()
    return [SnapshotSummary(str(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], r[5])
            for r in rows]


def _origin(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[object]
            ) -> SnapshotOrigin | None:
    """The newest snapshot of ``table`` matching ``where`` (the highest fetch id), with its
    fetch-log row."""
    row = con.execute(f"SELECT s.fetch_id, s.as_of, f.provider, f.request, f.fetched_at, "
                      f"f.note FROM {table} s JOIN fetch_log f USING (fetch_id) WHERE {where} "
                      "ORDER BY s.fetch_id DESC LIMIT 1", params).fetchone()
    if row is None:
        return None
    return SnapshotOrigin(int(row[0]), str(row[2] or ""), str(row[3] or ""), row[4], row[1],
                          str(row[5] or ""))


def _num(value: object) -> float | None:
    """A finite float or None (NaN and missing values are stored as NULL)."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out if out == out and out not in (float("inf"), float("-inf")) else None

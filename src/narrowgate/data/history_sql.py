"""The run-history tables of the store: what a recorded run inserts, what history reads.

Why in the store and not in report folders: "what changed since last week" needs every
past scorecard of a thesis side by side, with the data each one read, in the same file
that holds the data (one file to back up or move aside). Added by schema version 2; a
version-1 store gains these tables the first time narrowgate opens it for writing, and a
read-only version-1 store simply has no history (:func:`has_history` is False).

Every function takes an open DuckDB connection; the caller's transaction decides what is
durable (one run = one transaction: its row, its data rows and its scorecard, or nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from narrowgate.data.store_sql import as_date

if TYPE_CHECKING:
    import duckdb

#: created by the migration to schema version 2 (see ``narrowgate.data.store``)
HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS runs (run_id BIGINT NOT NULL, thesis_id VARCHAR NOT NULL, "
    "thesis_hash VARCHAR NOT NULL, thesis_path VARCHAR, as_of DATE NOT NULL, "
    "generated_at TIMESTAMP NOT NULL, recorded_at TIMESTAMP NOT NULL, offline BOOLEAN, "
    "counts VARCHAR NOT NULL, scorecard VARCHAR NOT NULL)",
    "CREATE TABLE IF NOT EXISTS run_data (run_id BIGINT NOT NULL, instrument VARCHAR NOT NULL, "
    "last DATE)",
)
HISTORY_TABLES = frozenset({"runs", "run_data"})
#: created by the migration to schema version 4: a watch cycle that found nothing new
#: (same thesis file, same newest data, no verdict or headline figure changed) records one
#: small row here instead of a second copy of the run's scorecard (~245 KB)
CHECKS_DDL = (
    "CREATE TABLE IF NOT EXISTS run_checks (run_id BIGINT NOT NULL, as_of DATE NOT NULL, "
    "checked_at TIMESTAMP NOT NULL)",
)
CHECKS_TABLES = frozenset({"run_checks"})


@dataclass(frozen=True)
class RunRow:
    """One recorded run without its scorecard (``counts``: verdict → number of claims;
    ``data``: instrument → the newest date of it the run read)."""

    run_id: int
    thesis_id: str
    thesis_hash: str
    thesis_path: str | None
    as_of: date
    generated_at: datetime
    recorded_at: datetime
    offline: bool
    counts: dict[str, int]
    data: dict[str, date | None]
    #: watch cycles that found this run still current (None: none did, or the store has
    #: no ``run_checks`` table)
    checks: RunChecks | None = None


def has_history(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has the history tables (a read-only version-1 store has not)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'runs'").fetchone()
    return bool(row and row[0])


def insert_run(con: duckdb.DuckDBPyConnection, row: RunRow, scorecard_json: str) -> int:
    """Insert one run (its id is assigned here: only the exclusive-lock holder writes)."""
    import json

    got = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
    run_id = int(got[0]) if got else 1
    con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, row.thesis_id, row.thesis_hash, row.thesis_path, row.as_of,
                 row.generated_at, row.recorded_at, row.offline,
                 json.dumps(row.counts), scorecard_json])
    if row.data:
        con.executemany("INSERT INTO run_data VALUES (?, ?, ?)",
                        [[run_id, inst, last] for inst, last in sorted(row.data.items())])
    return run_id


def select_runs(con: duckdb.DuckDBPyConnection, thesis_id: str | None = None,
                run_ids: Sequence[int] | None = None) -> list[RunRow]:
    """Runs (all, one thesis's, or the given ids) in history order: as-of, then the time
    the scorecard was generated, then run id, so a back-filled run sorts where it belongs."""
    import json

    sql = ("SELECT run_id, thesis_id, thesis_hash, thesis_path, as_of, generated_at, "
           "recorded_at, offline, counts FROM runs WHERE 1=1")
    params: list[object] = []
    if thesis_id is not None:
        sql += " AND thesis_id = ?"
        params.append(thesis_id)
    if run_ids is not None:
        if not run_ids:
            return []
        sql += f" AND run_id IN ({', '.join('?' * len(run_ids))})"
        params.extend(run_ids)
    rows = con.execute(sql + " ORDER BY as_of, generated_at, run_id", params).fetchall()
    data: dict[int, dict[str, date | None]] = {int(r[0]): {} for r in rows}
    if rows:
        marks = ", ".join("?" * len(data))
        for run_id, instrument, last in con.execute(
                f"SELECT run_id, instrument, last FROM run_data WHERE run_id IN ({marks}) "
                "ORDER BY run_id, instrument", list(data)).fetchall():
            data[int(run_id)][instrument] = as_date(last) if last is not None else None
    checks = select_checks(con, list(data))
    return [RunRow(int(r[0]), r[1], r[2], r[3], as_date(r[4]), r[5], r[6], bool(r[7]),
                   {k: int(v) for k, v in json.loads(r[8]).items()}, data[int(r[0])],
                   checks.get(int(r[0])))
            for r in rows]


def select_scorecards(con: duckdb.DuckDBPyConnection,
                      run_ids: Sequence[int]) -> dict[int, str]:
    """The scorecard JSON of each given run (ids that are not recorded are absent)."""
    if not run_ids:
        return {}
    rows = con.execute(f"SELECT run_id, scorecard FROM runs WHERE run_id IN "
                       f"({', '.join('?' * len(run_ids))})", list(run_ids)).fetchall()
    return {int(r[0]): r[1] for r in rows}


@dataclass(frozen=True)
class RunChecks:
    """The watch cycles that found run ``run_id`` still current: how many, and the latest
    one's evaluation date and time (naive UTC)."""

    run_id: int
    count: int
    last_as_of: date
    last_checked_at: datetime


def has_checks(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has ``run_checks`` (a read-only store before version 4 has not)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'run_checks'").fetchone()
    return bool(row and row[0])


def insert_check(con: duckdb.DuckDBPyConnection, run_id: int, as_of: date,
                 checked_at: datetime) -> None:
    """Record that a watch cycle as of ``as_of`` found run ``run_id`` unchanged."""
    con.execute("INSERT INTO run_checks VALUES (?, ?, ?)", [run_id, as_of, checked_at])


def select_checks(con: duckdb.DuckDBPyConnection,
                  run_ids: Sequence[int]) -> dict[int, RunChecks]:
    """The checks of each given run that has any (others are absent)."""
    if not run_ids or not has_checks(con):
        return {}
    rows = con.execute(
        "SELECT run_id, count(*), arg_max(as_of, checked_at), max(checked_at) "
        f"FROM run_checks WHERE run_id IN ({', '.join('?' * len(run_ids))}) "
        "GROUP BY run_id", list(run_ids)).fetchall()
    return {int(r[0]): RunChecks(int(r[0]), int(r[1]), as_date(r[2]), r[3]) for r in rows}

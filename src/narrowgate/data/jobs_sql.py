"""The refresh-job table of the store: what ``narrowgate serve`` queues, runs and finishes.

Why in the store and not in the server's memory: a refresh asked for must not vanish when
the server restarts. A job is inserted "queued" before the request is answered, turns
"running" when the worker starts it, and turns "done" in the very transaction that records
its run (so "done" always names a run that exists) or "failed" with one line. A server that
starts finds jobs a dead server left behind (``owner`` names the server: host, process id
and a random token) and re-queues or fails them (see :mod:`narrowgate.web.jobs`). Added by
schema version 4 (see ``narrowgate.data.store``).

Every function takes an open DuckDB connection; the caller's transaction decides what is
durable. Timestamps are naive UTC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, cast

from narrowgate.data.store_sql import as_date

if TYPE_CHECKING:
    import duckdb

JobStatus = Literal["queued", "running", "done", "failed"]

#: created by the migration to schema version 4 (see ``narrowgate.data.store``)
JOBS_DDL = (
    "CREATE TABLE IF NOT EXISTS jobs (job_id BIGINT NOT NULL, thesis_id VARCHAR NOT NULL, "
    "thesis_path VARCHAR NOT NULL, as_of DATE NOT NULL, offline BOOLEAN NOT NULL, "
    "status VARCHAR NOT NULL, owner VARCHAR NOT NULL, submitted_at TIMESTAMP NOT NULL, "
    "started_at TIMESTAMP, finished_at TIMESTAMP, run_id BIGINT, error VARCHAR, "
    "note VARCHAR, warnings VARCHAR NOT NULL)",
)
JOBS_TABLES = frozenset({"jobs"})
_COLUMNS = ("job_id, thesis_id, thesis_path, as_of, offline, status, owner, submitted_at, "
            "started_at, finished_at, run_id, error, note, warnings")


@dataclass(frozen=True)
class JobRow:
    """One refresh job as stored (``owner``: the server that runs it; ``note``: what a
    restart did to it, None otherwise; ``warnings``: the run's warnings once done)."""

    job_id: int
    thesis_id: str
    thesis_path: str
    as_of: date
    offline: bool
    status: JobStatus
    owner: str
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_id: int | None
    error: str | None
    note: str | None
    warnings: list[str]


def has_jobs(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has the job table (a read-only store before version 4 has not)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'jobs'").fetchone()
    return bool(row and row[0])


def insert_job(con: duckdb.DuckDBPyConnection, thesis_id: str, thesis_path: str,
               as_of: date, offline: bool, owner: str, at: datetime) -> int:
    """Queue one job; its id is assigned here (only the exclusive-lock holder writes)."""
    got = con.execute("SELECT coalesce(max(job_id), 0) + 1 FROM jobs").fetchone()
    job_id = int(got[0]) if got else 1
    con.execute(f"INSERT INTO jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, "
                "NULL, NULL, NULL, NULL, NULL, '[]')",
                [job_id, thesis_id, thesis_path, as_of, offline, owner, at])
    return job_id


def mark_running(con: duckdb.DuckDBPyConnection, job_id: int, at: datetime) -> None:
    con.execute("UPDATE jobs SET status = 'running', started_at = ? WHERE job_id = ?",
                [at, job_id])


def finish(con: duckdb.DuckDBPyConnection, job_id: int, at: datetime, *,
           run_id: int | None, error: str | None, warnings: list[str]) -> None:
    """End a job: "done" with its run, or "failed" with ``error`` (one line)."""
    con.execute("UPDATE jobs SET status = ?, finished_at = ?, run_id = ?, error = ?, "
                "warnings = ? WHERE job_id = ?",
                ["failed" if error is not None else "done", at, run_id,
                 None if error is None else error[:500], json.dumps(warnings), job_id])


def adopt(con: duckdb.DuckDBPyConnection, job_id: int, owner: str, note: str) -> None:
    """A queued job of a dead server, queued again by ``owner``."""
    con.execute("UPDATE jobs SET owner = ?, note = ? WHERE job_id = ?", [owner, note, job_id])


def fail_abandoned(con: duckdb.DuckDBPyConnection, job_id: int, at: datetime,
                   error: str) -> None:
    """A job a dead server left "running": failed, with what happened."""
    con.execute("UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, note = ? "
                "WHERE job_id = ?", [at, error, error, job_id])


def select_jobs(con: duckdb.DuckDBPyConnection, *, job_id: int | None = None,
                unfinished: bool = False) -> list[JobRow]:
    """Jobs by id order: one, every unfinished one (queued or running), or all."""
    sql = f"SELECT {_COLUMNS} FROM jobs WHERE 1=1"
    params: list[object] = []
    if job_id is not None:
        sql += " AND job_id = ?"
        params.append(job_id)
    if unfinished:
        sql += " AND status IN ('queued', 'running')"
    return [JobRow(int(r[0]), r[1], r[2], as_date(r[3]), bool(r[4]),
                   cast(JobStatus, r[5]), r[6], r[7], r[8], r[9],
                   None if r[10] is None else int(r[10]), r[11], r[12], json.loads(r[13]))
            for r in con.execute(sql + " ORDER BY job_id", params).fetchall()]

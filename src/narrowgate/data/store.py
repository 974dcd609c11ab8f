"""The local DuckDB store: every observation narrowgate has seen, and where it came from.

Why it looks like this:
- One file (``$NARROWGATE_HOME/store.duckdb``, default the user cache dir) so a user can
  move it aside, back it up or delete it; nothing else holds state.
- Every row carries the ``fetch_id`` of the ``fetch_log`` row that brought it, so any
  number in a report traces back to a file or an HTTP request.
- Rows are kept per *source*: two repositories' QQQ with different adjustments live side
  by side and a read picks one of them (see ``coverage``), never a mix.
- DuckDB admits one writing process; a ``.lock`` file (fcntl) queues writers for a bounded
  time and lets readers share. One transaction per ``write`` call: all or nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrowgate.errors import StoreError
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

SCHEMA_VERSION = 1
STORE_FILE = "store.duckdb"

_DDL = (
    "CREATE TABLE IF NOT EXISTS narrowgate_schema (version INTEGER NOT NULL, "
    "created_at TIMESTAMP NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fetch_log (fetch_id BIGINT NOT NULL, provider VARCHAR, "
    "request VARCHAR, fetched_at TIMESTAMP, kind VARCHAR, instrument VARCHAR, source VARCHAR, "
    "rows BIGINT, status VARCHAR, note VARCHAR)",
    "CREATE TABLE IF NOT EXISTS bars (instrument VARCHAR NOT NULL, date DATE NOT NULL, "
    "source VARCHAR NOT NULL, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, "
    "adj_close DOUBLE, volume DOUBLE, pe DOUBLE, fetch_id BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS series (instrument VARCHAR NOT NULL, date DATE NOT NULL, "
    "value DOUBLE, source VARCHAR NOT NULL, fetch_id BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS facts (instrument VARCHAR NOT NULL, concept VARCHAR, "
    "taxonomy VARCHAR, unit VARCHAR, start DATE, \"end\" DATE, fy INTEGER, fp VARCHAR, "
    "form VARCHAR, filed DATE, accession VARCHAR, value DOUBLE, source VARCHAR NOT NULL, "
    "fetch_id BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS coverage (kind VARCHAR, instrument VARCHAR, source VARCHAR, "
    "first DATE, last DATE, rows BIGINT, fetch_id BIGINT, fetched_at TIMESTAMP, "
    "provider VARCHAR, request VARCHAR, adjustment VARCHAR)",
)
_NARROWGATE_TABLES = {"narrowgate_schema", "fetch_log", "bars", "series", "facts", "coverage"}
_BAR_VALUES = ("open", "high", "low", "close", "adj_close", "volume", "pe")
_FACT_VALUES = ("concept", "taxonomy", "unit", "start", "end", "fy", "fp", "form", "filed",
                "accession", "value")
_RECOVERY = ("move it aside (e.g. `mv {p} {p}.bad`) and re-import: "
             "`narrowgate data import ../shared/data`")


def narrowgate_home() -> Path:
    """``$NARROWGATE_HOME`` if set, else the platform's user cache dir for narrowgate."""
    env = os.environ.get("NARROWGATE_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("narrowgate"))


@dataclass(frozen=True)
class Coverage:
    """What the store holds for one (instrument, source): span, size and last fetch."""

    kind: DataKind
    instrument: str
    source: str
    first: date
    last: date
    rows: int
    fetch_id: int
    fetched_at: datetime
    provider: str
    request: str
    adjustment: str | None


@dataclass
class StoreWrite:
    """One fetch or one imported file: a standard frame plus the provenance to record.

    Writing replaces this source's rows for the instrument over the frame's date span
    (facts: all of the source's facts for the instrument), which makes re-imports and
    re-fetches idempotent.
    """

    kind: DataKind
    instrument: str
    source: str
    frame: pd.DataFrame
    provider: str
    request: str
    fetched_at: datetime
    notes: list[str] = field(default_factory=list)
    adjustment: str | None = None


class Store:
    """Access to the DuckDB file; open connections are short-lived and per call."""

    def __init__(self, path: Path | None = None, lock_timeout: float = 30.0) -> None:
        self.path = Path(path) if path is not None else narrowgate_home() / STORE_FILE
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout
        self._reader: duckdb.DuckDBPyConnection | None = None
        self._reader_lock: contextlib.ExitStack | None = None

    # -- connections -------------------------------------------------------------------
    @contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + self.lock_timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"store is busy (another narrowgate process is writing "
                            f"{self.path})", "retry in a moment") from None
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        import duckdb

        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"store is busy: {self.path} is open in another process",
                                 "retry in a moment") from exc
            raise self._corrupt(exc) from exc
        except duckdb.Error as exc:
            raise self._corrupt(exc) from exc
        try:
            self._check_schema(con, create=not read_only)
        except BaseException:
            con.close()
            raise
        return con

    def _corrupt(self, exc: BaseException) -> StoreError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(f"store file {self.path} is not a readable narrowgate store "
                          f"({first[:120]})", _RECOVERY.format(p=self.path))

    def _check_schema(self, con: duckdb.DuckDBPyConnection, create: bool) -> None:
        import duckdb

        try:
            tables = {r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
            if "narrowgate_schema" not in tables:
                if tables - _NARROWGATE_TABLES or not create:
                    if not tables and not create:
                        return  # an empty, freshly created file: reads see nothing
                    raise StoreError(
                        f"{self.path} is a DuckDB file but not a narrowgate store "
                        f"(tables: {', '.join(sorted(tables)) or 'none'})",
                        _RECOVERY.format(p=self.path))
                for ddl in _DDL:
                    con.execute(ddl)
                con.execute("INSERT INTO narrowgate_schema VALUES (?, now())", [SCHEMA_VERSION])
                return
            row = con.execute("SELECT max(version) FROM narrowgate_schema").fetchone()
        except duckdb.Error as exc:
            raise self._corrupt(exc) from exc
        version = row[0] if row else None
        if version != SCHEMA_VERSION:
            raise StoreError(f"store {self.path} has schema version {version}, this "
                             f"narrowgate reads version {SCHEMA_VERSION}",
                             _RECOVERY.format(p=self.path))

    @contextmanager
    def session(self) -> Iterator[Store]:
        """Keep one read-only connection open across many reads (saves ~10 ms per read).

        Other processes cannot write meanwhile (they wait, bounded); writes from this
        process close the session connection first and reopen it after.
        """
        if self._reader is not None:  # re-entrant: the outer session owns the connection
            yield self
            return
        self._open_reader()
        try:
            yield self
        finally:
            self._close_reader()

    def _open_reader(self) -> None:
        if self._reader is not None or not self.path.exists():
            return
        stack = contextlib.ExitStack()
        stack.enter_context(self._lock(exclusive=False))
        try:
            self._reader = self._connect(read_only=True)
        except BaseException:
            stack.close()
            raise
        self._reader_lock = stack

    def _close_reader(self) -> bool:
        was_open = self._reader is not None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._reader_lock is not None:
            self._reader_lock.close()
            self._reader_lock = None
        return was_open

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A read-only connection under a shared lock; None when no store exists yet."""
        if self._reader is not None:
            yield self._reader
            return
        if not self.path.exists():
            yield None
            return
        with self._lock(exclusive=False):
            con = self._connect(read_only=True)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An exclusive read-write connection inside one transaction (rollback on error)."""
        reopen = self._close_reader()
        try:
            with self._write_transaction() as con:
                yield con
        finally:
            if reopen:
                self._open_reader()

    @contextmanager
    def _write_transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock(exclusive=True):
            con = self._connect(read_only=False)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            finally:
                con.close()

    # -- writes -------------------------------------------------------------------------
    def write(self, items: Sequence[StoreWrite]) -> list[int]:
        """Write all items in one transaction; return their fetch ids (in order)."""
        with self.writing() as con:
            return _write_items(con, items)

    def record_failure(self, provider: str, request: str, kind: DataKind, instrument: str,
                       note: str, fetched_at: datetime) -> None:
        """Log a failed fetch so `data ls`/provenance can say when it was last tried."""
        with self.writing() as con:
            _log_fetch(con, _next_fetch_id(con), provider, request, fetched_at, kind,
                       instrument, "", 0, "error", note)

    # -- reads --------------------------------------------------------------------------
    def coverage(self, instruments: Sequence[str] | None = None,
                 kind: DataKind | None = None) -> list[Coverage]:
        """Every (instrument, source) the store holds, optionally filtered."""
        sql = ("SELECT kind, instrument, source, first, last, rows, fetch_id, fetched_at, "
               "provider, request, adjustment FROM coverage WHERE 1=1")
        params: list[Any] = []
        if instruments is not None:
            if not instruments:
                return []
            sql += f" AND instrument IN ({', '.join('?' * len(instruments))})"
            params += list(instruments)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        with self.reading() as con:
            if con is None:
                return []
            rows = con.execute(sql + " ORDER BY instrument, source", params).fetchall()
        return [Coverage(r[0], r[1], r[2], _as_date(r[3]), _as_date(r[4]), int(r[5]),
                         int(r[6]), r[7], r[8] or "", r[9] or "", r[10]) for r in rows]

    def read_rows(self, kind: DataKind, picks: Sequence[tuple[str, str]],
                  start: date | None = None, end: date | None = None,
                  concepts: Sequence[str] | None = None) -> pd.DataFrame:
        """Rows of ``kind`` for each (instrument, source) pick, sorted by instrument, date."""
        with self.reading() as con:
            return _read_rows(con, kind, picks, start, end, concepts)

    def read_closes(self, picks: Sequence[tuple[str, str]], start: date | None,
                    end: date | None, adjusted: bool) -> pd.DataFrame:
        """Wide closes (date × instrument) in one query: the hot path for portfolios.

        ``adjusted`` takes adj_close where the row has one, else close.
        """
        import numpy as np
        import pandas as pd

        names = [p[0] for p in picks]
        value = "coalesce(adj_close, close)" if adjusted else "close"
        with self.reading() as con:
            if con is None or not picks:
                return pd.DataFrame(columns=names)
            where, params = _pick_filter(picks, "date", start, end)
            # An integer column index instead of the instrument string: numpy builds the
            # wide frame directly, several times faster than a pandas pivot.
            case = " ".join(f"WHEN instrument = ? AND source = ? THEN {i}"
                            for i in range(len(picks)))
            case_params = [v for pick in picks for v in pick]
            got = con.execute(f"SELECT CASE {case} END AS k, date, {value} AS v FROM bars "
                              f"WHERE {where}", case_params + params).fetchnumpy()
        days, row = np.unique(got["date"], return_inverse=True)
        grid = np.full((len(days), len(picks)), np.nan)
        grid[row, np.asarray(got["k"], dtype=np.int64)] = np.asarray(got["v"], dtype=float)
        return pd.DataFrame(grid, index=pd.DatetimeIndex(days, name="date"), columns=names)

    def fetch_log(self, limit: int = 50) -> list[tuple[Any, ...]]:
        """The most recent fetch-log rows, newest first (for `data ls --log`)."""
        with self.reading() as con:
            if con is None:
                return []
            return con.execute("SELECT * FROM fetch_log ORDER BY fetch_id DESC LIMIT ?",
                               [limit]).fetchall()

    def row_counts(self) -> dict[str, int]:
        """Rows per data table; used by tests and `data ls` to show idempotence."""
        with self.reading() as con:
            if con is None:
                return {"bars": 0, "series": 0, "facts": 0, "fetch_log": 0}
            out = {}
            for table in ("bars", "series", "facts", "fetch_log"):
                row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
                out[table] = int(row[0]) if row else 0
            return out


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _next_fetch_id(con: duckdb.DuckDBPyConnection) -> int:
    # Safe without a sequence: only the holder of the exclusive lock writes.
    row = con.execute("SELECT coalesce(max(fetch_id), 0) + 1 FROM fetch_log").fetchone()
    return int(row[0]) if row else 1


def _log_fetch(con: duckdb.DuckDBPyConnection, fetch_id: int, provider: str, request: str,
               fetched_at: datetime, kind: str, instrument: str, source: str, rows: int,
               status: str, note: str) -> None:
    con.execute("INSERT INTO fetch_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [fetch_id, provider, request, fetched_at, kind, instrument, source, rows,
                 status, note])


def _write_items(con: duckdb.DuckDBPyConnection, items: Sequence[StoreWrite]) -> list[int]:
    """Insert every item's rows, replacing each source's span; refresh coverage rows."""
    import pandas as pd

    fetch_id = _next_fetch_id(con)
    ids: list[int] = []
    parts: dict[str, list[pd.DataFrame]] = {"bars": [], "series": [], "facts": []}
    spans: list[tuple[str, str, str, Any, Any]] = []
    touched: dict[tuple[str, str], StoreWrite] = {}
    for item in items:
        frame = item.frame
        note = "; ".join(item.notes)
        _log_fetch(con, fetch_id, item.provider, item.request, item.fetched_at, item.kind,
                   item.instrument, item.source, len(frame), "ok", note)
        ids.append(fetch_id)
        if len(frame):
            key = "end" if item.kind == "facts" else "date"
            dates = pd.to_datetime(frame[key])
            if item.kind != "facts" and dates.duplicated().any():
                raise StoreError(f"{item.request}: duplicate dates for {item.instrument}",
                                 "the importer must de-duplicate before writing")
            columns = _FACT_VALUES if item.kind == "facts" else (
                _BAR_VALUES if item.kind == "bars" else ("value",))
            part = pd.DataFrame(index=frame.index).assign(
                instrument=item.instrument, source=item.source, fetch_id=fetch_id)
            for col in columns:
                part[col] = frame[col] if col in frame.columns else None
            if item.kind != "facts":
                part["date"] = dates
            parts[item.kind].append(part)
            spans.append((item.kind, item.instrument, item.source, dates.min(), dates.max()))
            touched[(item.instrument, item.source)] = item
        fetch_id += 1
    for kind, frames in parts.items():
        if not frames:
            continue
        incoming = pd.concat(frames, ignore_index=True)
        ranges = pd.DataFrame([s[1:] for s in spans if s[0] == kind],
                              columns=["instrument", "source", "lo", "hi"])
        con.register("ng_ranges", ranges)
        con.register("ng_incoming", incoming)
        try:
            if kind == "facts":
                con.execute("DELETE FROM facts USING ng_ranges r WHERE facts.instrument = "
                            "r.instrument AND facts.source = r.source")
                cols = ", ".join(f'"{c}"' for c in _FACT_VALUES)
                con.execute(f"INSERT INTO facts (instrument, {cols}, source, fetch_id) "
                            f"SELECT instrument, {cols}, source, fetch_id FROM ng_incoming")
            else:
                cols = ", ".join(_BAR_VALUES if kind == "bars" else ("value",))
                con.execute(f"DELETE FROM {kind} USING ng_ranges r WHERE {kind}.instrument = "
                            f"r.instrument AND {kind}.source = r.source AND {kind}.date "
                            "BETWEEN CAST(r.lo AS DATE) AND CAST(r.hi AS DATE)")
                con.execute(f"INSERT INTO {kind} (instrument, date, source, {cols}, fetch_id) "
                            f"SELECT instrument, CAST(date AS DATE), source, {cols}, fetch_id "
                            "FROM ng_incoming ORDER BY instrument, source, date")
        finally:
            con.unregister("ng_incoming")
            con.unregister("ng_ranges")
    for (instrument, source), item in touched.items():
        _refresh_coverage(con, item, instrument, source, ids[items.index(item)])
    return ids


def _refresh_coverage(con: duckdb.DuckDBPyConnection, item: StoreWrite, instrument: str,
                      source: str, fetch_id: int) -> None:
    table, key = ("facts", '"end"') if item.kind == "facts" else (item.kind, "date")
    con.execute("DELETE FROM coverage WHERE instrument = ? AND source = ?", [instrument, source])
    con.execute(
        f"INSERT INTO coverage SELECT ?, instrument, source, min({key}), max({key}), count(*), "
        f"?, ?, ?, ?, ? FROM {table} WHERE instrument = ? AND source = ? "
        "GROUP BY instrument, source",
        [item.kind, fetch_id, item.fetched_at, item.provider, item.request, item.adjustment,
         instrument, source])


def _read_rows(con: duckdb.DuckDBPyConnection | None, kind: DataKind,
               picks: Sequence[tuple[str, str]], start: date | None, end: date | None,
               concepts: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd

    if kind == "facts":
        columns = ["instrument", "source", *_FACT_VALUES]
    else:
        columns = ["instrument", "date", *(_BAR_VALUES if kind == "bars" else ("value",))]
    if con is None or not picks:
        return pd.DataFrame(columns=columns)
    key = '"end"' if kind == "facts" else "date"
    where, params = _pick_filter(picks, key, start, end)
    sql = f"SELECT {', '.join(_quote(c) for c in columns)} FROM {kind} WHERE {where}"
    if concepts:
        sql += f" AND concept IN ({', '.join('?' * len(concepts))})"
        params += list(concepts)
    sql += f" ORDER BY instrument, {key}"
    return con.execute(sql, params).fetchdf()


def _quote(column: str) -> str:
    return f'"{column}"'


def _pick_filter(picks: Sequence[tuple[str, str]], key: str, start: date | None,
                 end: date | None) -> tuple[str, list[Any]]:
    where = "(" + " OR ".join("(instrument = ? AND source = ?)" for _ in picks) + ")"
    params: list[Any] = [v for pick in picks for v in pick]
    if start is not None:
        where += f" AND {key} >= ?"
        params.append(start)
    if end is not None:
        where += f" AND {key} <= ?"
        params.append(end)
    return where, params

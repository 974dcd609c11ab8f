"""The local DuckDB store: every observation narrowgate has seen, and where it came from.

Why it looks like this:
- One file (``$NARROWGATE_HOME/store.duckdb``, default the user cache dir) so a user can
  move it aside, back it up or delete it; nothing else holds state.
- Every row carries the ``fetch_id`` of the ``fetch_log`` row that brought it, so any
  number in a report traces back to a file or an HTTP request.
- Rows are kept per *source*: two repositories' QQQ with different adjustments live side
  by side and a read picks one of them (see ``coverage``), never a mix.
- DuckDB admits one writing process; a ``.lock`` file (:mod:`narrowgate.data.lockfile`)
  queues writers for a bounded
  time and lets readers share. One transaction per ``write`` call: all or nothing, also
  when the disk fills up or the process is killed half-way (DuckDB's WAL and checkpoint
  only make a transaction visible once its commit record is complete).

The row-level SQL (what a write replaces, what a read selects) is in
:mod:`narrowgate.data.store_sql`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from narrowgate.data import (
    history_sql,
    jobs_sql,
    outbox_sql,
    snapshots_sql,
    store_sql,
    timeline_sql,
)
from narrowgate.data.session_reads import SessionReads
from narrowgate.errors import StoreError
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

#: 2 added the run history (``runs``, ``run_data``; :mod:`narrowgate.data.history_sql`).
#: 3 added the notification outbox of ``narrowgate watch`` (:mod:`narrowgate.data.outbox_sql`).
#: 4 added the refresh jobs of ``narrowgate serve`` (:mod:`narrowgate.data.jobs_sql`) and the
#: "unchanged" checks of watch cycles (``run_checks``, :mod:`narrowgate.data.history_sql`).
#: 5 added the snapshots of consensus forecasts and LLM price lists
#: (:mod:`narrowgate.data.snapshots_sql`).
#: 6 added the timeline cache (``timeline_cache``, :mod:`narrowgate.data.timeline_sql`).
#: An older file still reads; the first write migrates it (one transaction).
SCHEMA_VERSION = 6
_MIGRATIONS: dict[int, tuple[str, ...]] = {2: history_sql.HISTORY_DDL,
                                           3: outbox_sql.OUTBOX_DDL,
                                           4: (*jobs_sql.JOBS_DDL, *history_sql.CHECKS_DDL),
                                           5: snapshots_sql.SNAPSHOTS_DDL,
                                           6: timeline_sql.TIMELINE_DDL}
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
_NARROWGATE_TABLES = {"narrowgate_schema", "fetch_log", "bars", "series", "facts", "coverage",
                      *history_sql.HISTORY_TABLES, *outbox_sql.OUTBOX_TABLES,
                      *jobs_sql.JOBS_TABLES, *history_sql.CHECKS_TABLES,
                      *snapshots_sql.SNAPSHOTS_TABLES, *timeline_sql.TIMELINE_TABLES}
_RECOVERY = ("move it aside (e.g. `mv {p} {p}.bad`), then import or fetch the data "
             "again")
#: OS reasons a write can fail for that the user fixes outside narrowgate (disk full, quota,
#: file-size limit, read-only file system), as errno codes and as DuckDB words them.
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)
_WRITE_FAILURE_WORDS = ("no space left", "disk quota", "file too large",
                        "read-only file system", "could not write", "could not truncate",
                        "could not fsync")

#: Files whose schema this process has checked, by path → (device, inode, size, mtime_ns).
#: A file with the same identity, size and mtime has the same tables, so a cold read skips
#: the catalogue query (~4 ms of the ~20 ms a cold bars query costs). Any write, replacement
#: or truncation changes the key and the next connection checks again.
_SCHEMA_CHECKED: dict[str, tuple[int, int, int, int]] = {}


def _file_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


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


class FetchLogRow(NamedTuple):
    """One fetch-log row (a tuple, so ``row[9]`` still reads the note)."""

    fetch_id: int
    provider: str
    request: str
    fetched_at: datetime
    kind: str
    instrument: str
    source: str
    rows: int
    status: str
    note: str


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
        #: the whole coverage table, read once per session (see ``coverage``)
        self._session_coverage: list[Coverage] | None = None
        #: each set of sources read once per session (see ``session_reads``)
        self._session_reads = SessionReads()

    # -- connections -------------------------------------------------------------------
    @contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        from narrowgate.data.lockfile import try_lock

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if not exclusive and self.path.exists():
                # a read-only home (a shared or archived store): nobody can write it from
                # here, so reading without the lock cannot see a half-written transaction
                # of ours; DuckDB itself refuses a file another process is writing
                yield
                return
            raise StoreError(f"cannot use the store folder {self.path.parent}: "
                             f"{exc.strerror or exc}",
                             "set NARROWGATE_HOME to a folder you can write") from None
        deadline = time.monotonic() + self.lock_timeout
        try:
            while not try_lock(fd, exclusive):
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"store is busy (another narrowgate process is writing "
                        f"{self.path})", "retry in a moment") from None
                time.sleep(0.02)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _refuse_foreign_file(self) -> None:
        """A file whose header is not DuckDB's ("DUCK" at byte 8) is refused before DuckDB
        opens it: given a SQLite file, DuckDB would go looking for its SQLite extension and
        the user would read about a missing extension instead of the wrong file."""
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(16)
        except OSError:
            return  # absent or unreadable: DuckDB creates it or says why
        if len(head) < 12 or head[8:12] == b"DUCK":
            return
        what = ("it is a SQLite database" if head.startswith(b"SQLite format 3\0")
                else "it is not a DuckDB file")
        raise StoreError(f"store file {self.path} is not a readable narrowgate store "
                         f"({what})", _RECOVERY.format(p=self.path))

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        import duckdb

        self._refuse_foreign_file()
        try:
            # no extension is ever installed or loaded behind the user's back: a foreign
            # file (SQLite, Parquet) would otherwise make DuckDB download one, even offline
            con = duckdb.connect(str(self.path), read_only=read_only,
                                 config={"autoinstall_known_extensions": False,
                                         "autoload_known_extensions": False})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"store is busy: {self.path} is open in another process",
                                 "retry in a moment") from exc
            raise self._write_failure(exc) or self._corrupt(exc) from exc
        except duckdb.Error as exc:
            raise self._corrupt(exc) from exc
        try:
            key = _file_key(self.path)
            if key is None or _SCHEMA_CHECKED.get(str(self.path)) != key:
                current = self._check_schema(con, create=not read_only)
                if read_only and key is not None and current:
                    _SCHEMA_CHECKED[str(self.path)] = key
        except BaseException:
            con.close()
            raise
        return con

    def _corrupt(self, exc: BaseException) -> StoreError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(f"store file {self.path} is not a readable narrowgate store "
                          f"({first[:120]})", _RECOVERY.format(p=self.path))

    def _write_failure(self, exc: BaseException) -> StoreError | None:
        """A StoreError for a write the OS refused (disk full, quota, size limit), else None.

        DuckDB reports these as IOException or as a failed commit quoting the OS message;
        either way the transaction never committed, so the store is as it was.
        """
        reason = " ".join(str(exc).split())
        words = reason.lower()
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            reason = os.strerror(exc.errno or 0)
        elif not any(w in words for w in _WRITE_FAILURE_WORDS):
            return None
        for prefix in ("TransactionContext Error: Failed to commit: ", "IO Error: "):
            reason = reason.replace(prefix, "")
        return StoreError(
            f"could not write the store {self.path}: {reason[:160]}; nothing was written, "
            "the store is as it was",
            "free disk space (or raise the file-size limit/quota) on that file system and "
            "retry, or set NARROWGATE_HOME to a directory with room")

    def _check_schema(self, con: duckdb.DuckDBPyConnection, create: bool) -> bool:
        """Refuse foreign or future-version files; create the tables in a new file;
        migrate an older file when opened for writing. True when the file is current.

        The common case (a narrowgate store) costs one tiny query; the catalogue is listed
        only when ``narrowgate_schema`` is missing, to say what the file holds instead.
        """
        import duckdb

        try:
            row = con.execute("SELECT max(version) FROM narrowgate_schema").fetchone()
        except duckdb.CatalogException:
            self._create_or_refuse(con, create)
            return True
        except duckdb.Error as exc:
            raise self._corrupt(exc) from exc
        version = row[0] if row else None
        if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
            raise StoreError(f"store {self.path} has schema version {version}, this "
                             f"narrowgate reads versions 1 to {SCHEMA_VERSION}",
                             _RECOVERY.format(p=self.path))
        if version < SCHEMA_VERSION and create:
            self._migrate(con, version)
            return True
        return version == SCHEMA_VERSION

    def _migrate(self, con: duckdb.DuckDBPyConnection, version: int) -> None:
        """Bring a file from ``version`` to SCHEMA_VERSION in one transaction (all the
        steps' tables and the new version row, or nothing)."""
        self._apply_schema(con, [(step, _MIGRATIONS[step])
                                 for step in range(version + 1, SCHEMA_VERSION + 1)])

    def _apply_schema(self, con: duckdb.DuckDBPyConnection,
                      steps: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Each step's statements and its version row, all in one transaction: a process
        killed half-way leaves the file as it was, never tables without their version row
        (which every later open refused)."""
        import duckdb

        try:
            con.execute("BEGIN TRANSACTION")
            for version, statements in steps:
                for ddl in statements:
                    con.execute(ddl)
                con.execute("INSERT INTO narrowgate_schema VALUES (?, now())", [version])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise self._write_failure(exc) or self._corrupt(exc) from exc

    def _create_or_refuse(self, con: duckdb.DuckDBPyConnection, create: bool) -> None:
        import duckdb

        try:
            tables = {r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
            if tables - _NARROWGATE_TABLES or not create:
                if not tables and not create:
                    return  # an empty, freshly created file: reads see nothing
                raise StoreError(
                    f"{self.path} is a DuckDB file but not a narrowgate store "
                    f"(tables: {', '.join(sorted(tables)) or 'none'})",
                    _RECOVERY.format(p=self.path))
        except duckdb.Error as exc:
            raise self._write_failure(exc) or self._corrupt(exc) from exc
        # a new file: version 1's tables and every migration's, under the newest version
        steps = (ddl for step in sorted(_MIGRATIONS) for ddl in _MIGRATIONS[step])
        self._apply_schema(con, [(SCHEMA_VERSION, (*_DDL, *steps))])

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
        self._session_coverage = None  # a write or another session may change it
        self._session_reads.clear()
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
        """BEGIN … COMMIT under the exclusive lock; an OS write failure becomes StoreError.

        A failed COMMIT has already ended the transaction, so the ROLLBACK after it may
        itself fail; that second error is suppressed so the first (the real cause) shows.
        """
        import duckdb

        with self._lock(exclusive=True):
            con = self._connect(read_only=False)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException as exc:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    if isinstance(exc, (duckdb.Error, OSError)):
                        failure = self._write_failure(exc)
                        if failure is not None:
                            raise failure from exc
                    raise
            finally:
                con.close()

    # -- writes -------------------------------------------------------------------------
    def write(self, items: Sequence[StoreWrite]) -> list[int]:
        """Write all items in one transaction; return their fetch ids (in order)."""
        with self.writing() as con:
            return store_sql.write_items(con, items)

    def record_failure(self, provider: str, request: str, kind: DataKind, instrument: str,
                       note: str, fetched_at: datetime) -> None:
        """Log a failed fetch so `data ls`/provenance can say when it was last tried."""
        with self.writing() as con:
            store_sql.log_fetch(con, store_sql.next_fetch_id(con), provider, request,
                                fetched_at, kind, instrument, "", 0, "error", note)

    def write_snapshot(self, table: Literal["forecasts", "price_lists"], key: str,
                       measure: str, frame: pd.DataFrame, *, provider: str, request: str,
                       fetched_at: datetime, note: str = "") -> int:
        """Keep one fetched snapshot (a consensus of ``key`` = instrument and ``measure``,
        or a price list named ``key``) with its fetch-log row; returns its fetch id.
        ``as_of`` is the fetch day (UTC): neither source dates its figures."""
        as_of = fetched_at.date()
        with self.writing() as con:
            fetch_id = store_sql.next_fetch_id(con)
            if table == "forecasts":
                rows = snapshots_sql.insert_forecasts(con, fetch_id, key, measure, frame, as_of)
            else:
                rows = snapshots_sql.insert_price_list(con, fetch_id, key, frame, as_of)
            store_sql.log_fetch(con, fetch_id, provider, request,
                                fetched_at.replace(tzinfo=None), table, key, provider, rows,
                                "ok", note)
        return fetch_id

    def forecast_snapshot(self, instrument: str, measure: str, on_or_before: date
                          ) -> tuple[snapshots_sql.SnapshotOrigin, pd.DataFrame] | None:
        """The newest stored consensus of ``instrument`` taken on or before the day."""
        with self.reading() as con:
            if con is None:
                return None
            return snapshots_sql.newest_forecasts(con, instrument, measure, on_or_before)

    def snapshot_summaries(self) -> list[snapshots_sql.SnapshotSummary]:
        """One row per stored consensus and price list (counts and days)."""
        with self.reading() as con:
            return [] if con is None else snapshots_sql.summaries(con)

    def price_list_snapshot(self, list_name: str, on_or_before: date
                            ) -> tuple[snapshots_sql.SnapshotOrigin, pd.DataFrame] | None:
        """The newest stored price list ``list_name`` taken on or before the day."""
        with self.reading() as con:
            if con is None:
                return None
            return snapshots_sql.newest_price_list(con, list_name, on_or_before)

    # -- reads --------------------------------------------------------------------------
    def coverage(self, instruments: Sequence[str] | None = None,
                 kind: DataKind | None = None) -> list[Coverage]:
        """Every (instrument, source) the store holds, optionally filtered.

        Inside a :meth:`session` the table is read once and filtered here: no process can
        write while the session holds its shared lock, and this process's writes end the
        session connection (and this copy) first. Why: ``narrowgate run`` asks ~120
        times at 1–3 ms a query (0.33 s of a run, measured), against one read of the whole
        (small) table and ~0.01 ms a filtered copy.
        """
        if instruments is not None and not instruments:
            return []
        if self._reader is not None:
            if self._session_coverage is None:
                self._session_coverage = self._read_coverage(None, None)
            wanted = None if instruments is None else set(instruments)
            return [c for c in self._session_coverage
                    if (wanted is None or c.instrument in wanted)
                    and (kind is None or c.kind == kind)]
        return self._read_coverage(instruments, kind)

    def _read_coverage(self, instruments: Sequence[str] | None,
                       kind: DataKind | None) -> list[Coverage]:
        """Coverage rows from the file, ordered by instrument and source (unique pairs)."""
        sql = ("SELECT kind, instrument, source, first, last, rows, fetch_id, fetched_at, "
               "provider, request, adjustment FROM coverage WHERE 1=1")
        params: list[Any] = []
        if instruments is not None:
            sql += f" AND instrument IN ({', '.join('?' * len(instruments))})"
            params += list(instruments)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        with self.reading() as con:
            if con is None:
                return []
            rows = con.execute(sql + " ORDER BY instrument, source", params).fetchall()
        as_date = store_sql.as_date
        return [Coverage(r[0], r[1], r[2], as_date(r[3]), as_date(r[4]), int(r[5]),
                         int(r[6]), r[7], r[8] or "", r[9] or "", r[10]) for r in rows]

    def read_rows(self, kind: DataKind, picks: Sequence[tuple[str, str]],
                  start: date | None = None, end: date | None = None,
                  concepts: Sequence[str] | None = None) -> pd.DataFrame:
        """Rows of ``kind`` for each (instrument, source) pick, sorted by instrument, date."""
        def read(lo: date | None, hi: date | None) -> pd.DataFrame:
            with self.reading() as con:
                return store_sql.read_rows(con, kind, picks, lo, hi, concepts)

        if self._reader is None:  # outside a session: one query, nothing kept
            return read(start, end)
        request = ("rows", kind, tuple(map(tuple, picks)),
                   None if concepts is None else tuple(concepts))
        ordered = kind != "facts" and len({i for i, _ in picks}) == len(picks)
        return self._session_reads.rows(request, read, "end" if kind == "facts" else "date",
                                        start, end, cut=ordered)

    def read_closes(self, picks: Sequence[tuple[str, str]], start: date | None,
                    end: date | None, adjusted: bool) -> pd.DataFrame:
        """Wide closes (date × instrument) in one query: the hot path for portfolios.

        ``adjusted`` takes adj_close where the row has one, else close.
        """
        with self.reading() as con:
            return store_sql.read_closes(con, picks, start, end, adjusted)

    def read_source_closes(self, picks: Sequence[tuple[str, str]], columns: Sequence[str],
                           start: date | None, end: date | None) -> pd.DataFrame:
        """One column per (instrument, source) pick, named by its position, holding the
        pick's own ``close`` or ``adj_close`` (missing values stay NaN): the raw material
        of a splice."""
        def read(lo: date | None, hi: date | None) -> pd.DataFrame:
            with self.reading() as con:
                return store_sql.read_closes(con, picks, lo, hi, False, columns)

        if self._reader is None:  # outside a session: one query, nothing kept
            return read(start, end)
        request = ("source_closes", tuple(map(tuple, picks)), tuple(columns))
        return self._session_reads.closes(request, read, start, end)

    def fetch_log(self, limit: int = 50) -> list[FetchLogRow]:
        """The most recent fetch-log rows, newest first (for `data ls --log`)."""
        with self.reading() as con:
            if con is None:
                return []
            cols = ", ".join(f'"{c}"' for c in store_sql.FETCH_LOG_COLUMNS)
            rows = con.execute(f"SELECT {cols} FROM fetch_log ORDER BY fetch_id DESC "
                               "LIMIT ?", [limit]).fetchall()
        return [FetchLogRow(*r) for r in rows]

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

"""Store guarantees: atomic writes, idempotence, corrupt files, locking, two processes."""

from __future__ import annotations

import fcntl
import multiprocessing as mp
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.data.importers import ImportFailed, import_path
from narrowgate.data.store import Store, StoreWrite
from narrowgate.errors import StoreError

GOOD = "date,open,high,low,close,volume\n" + "".join(
    f"2024-01-{d:02d},{d},{d + 1},{d - 0.5},{d + 0.5},100\n" for d in range(2, 12))


def _bars(days: list[str], close: float = 1.0) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame({"date": pd.to_datetime(days), "open": [close] * n,
                         "high": [close] * n, "low": [close] * n, "close": [close] * n,
                         "adj_close": [float("nan")] * n, "volume": [1.0] * n})


def _write(store: Store, instrument: str, frame: pd.DataFrame, source: str = "t") -> None:
    store.write([StoreWrite("bars", instrument, source, frame, "test", "req", datetime.now())])


def test_default_path_under_narrowgate_home(isolated_home: Path) -> None:
    assert Store().path == isolated_home / "store.duckdb"


def test_rewrite_replaces_range_idempotently(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    frame = _bars(["2024-01-02", "2024-01-03"])
    _write(store, "us:X", frame)
    _write(store, "us:X", frame)
    assert store.row_counts()["bars"] == 2
    _write(store, "us:X", _bars(["2024-01-02", "2024-01-03"], 2.0), source="other")
    assert store.row_counts()["bars"] == 4  # a second source is kept beside the first


def test_failed_write_rolls_back_everything(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    _write(store, "us:X", _bars(["2024-01-02"]))
    before = store.row_counts()
    dup = _bars(["2024-01-05", "2024-01-05"])
    with pytest.raises(StoreError):
        store.write([
            StoreWrite("bars", "us:Y", "t", _bars(["2024-01-04"]), "test", "a", datetime.now()),
            StoreWrite("bars", "us:Z", "t", dup, "test", "b", datetime.now()),
        ])
    assert store.row_counts() == before
    assert {c.instrument for c in store.coverage()} == {"us:X"}


def test_file_breaking_midway_leaves_store_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    folder = tmp_path / "etf_daily_kittycapital"
    folder.mkdir()
    (folder / "QQQ.csv").write_text(GOOD)
    import_path(store, folder)
    before = store.row_counts()
    (folder / "SPY.csv").write_text(GOOD + "2024-01-1x,1,2,0.5,1.5,100\n" + GOOD)
    with pytest.raises(ImportFailed, match=r"SPY\.csv:12"):
        import_path(store, folder)
    assert store.row_counts() == before
    assert [c.instrument for c in store.coverage()] == ["us:QQQ"]


def test_generic_csv_with_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    csv = tmp_path / "mine.csv"
    csv.write_text(GOOD)
    report = import_path(store, csv, instrument="us:MINE")
    assert report.written[0][:3] == ("us:MINE", "user_mine", 10)
    series = tmp_path / "rate.csv"
    series.write_text("date,value\n2024-01-01,1.5\n2024-02-01,1.75\n")
    import_path(store, series, instrument="fred:MYRATE")
    assert store.row_counts()["series"] == 2


def test_corrupt_file_raises_store_error_with_recovery(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    path.write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreError, match="move it aside"):
        Store(path).coverage()
    with pytest.raises(StoreError, match="move it aside"):
        _write(Store(path), "us:X", _bars(["2024-01-02"]))


def test_foreign_duckdb_file(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "store.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a narrowgate store"):
        _write(Store(path), "us:X", _bars(["2024-01-02"]))


def test_busy_store_times_out_clearly(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb", lock_timeout=0.2)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(store.lock_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="store is busy"):
            _write(store, "us:X", _bars(["2024-01-02"]))
    finally:
        os.close(fd)


def _writer(path: str, prefix: str, n: int) -> None:
    store = Store(Path(path), lock_timeout=60)
    for i in range(n):
        _write(store, f"us:{prefix}{i}", _bars(["2024-01-02", "2024-01-03"]))


def test_two_processes_writing_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), p, 8)) for p in ("A", "B")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = Store(path)
    assert len(store.coverage()) == 16
    assert store.row_counts()["bars"] == 32

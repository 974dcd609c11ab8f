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


@pytest.mark.parametrize(("cell", "said"), [
    ("inf", "column 'close' holds 'inf': infinite"),
    ("-1", "column 'close' holds '-1': zero or negative, which no price is"),
    ("0", "column 'close' holds '0': zero or negative"),
])
def test_a_price_that_is_no_price_is_refused_with_its_line(tmp_path: Path, cell: str,
                                                           said: str) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(f"date,close\n2026-09-01,500\n2026-09-02,{cell}\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(ImportFailed, match=f"{csv}:3: {said}"):
        import_path(store, csv, instrument="us:MINE")
    assert store.coverage() == []  # nothing written


def test_a_series_may_go_negative_but_not_infinite(tmp_path: Path) -> None:
    csv = tmp_path / "spread.csv"
    csv.write_text("date,value\n2026-09-01,-0.5\n2026-09-02,0.2\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    assert import_path(store, csv, instrument="fred:MYSPREAD").rows == 2
    csv.write_text("date,value\n2026-09-01,-0.5\n2026-09-02,-inf\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="infinite"):
        import_path(store, csv, instrument="fred:MYSPREAD")


def test_a_reimport_that_would_delete_stored_days_is_refused_unless_replace(
        tmp_path: Path) -> None:
    """The store replaces a source over the incoming file's span: a 2-row file spanning
    60 stored days would delete 58 of them. Refused (nothing written) unless --replace;
    a file that only adds or repeats days goes through."""
    csv = tmp_path / "mine.csv"
    days = pd.bdate_range("2026-01-02", periods=60)
    csv.write_text("date,close\n" + "".join(f"{d.date()},{100 + i}\n"
                                            for i, d in enumerate(days)), encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    import_path(store, csv, instrument="us:MINE", source="mine")
    import_path(store, csv, instrument="us:MINE", source="mine")  # the same file again: fine
    short = tmp_path / "short.csv"
    short.write_text(f"date,close\n{days[0].date()},1\n{days[-1].date()},2\n",
                     encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"holds 58 stored rows between 2026-01-02 and "
                                           r".* does not hold; importing it would delete them"):
        import_path(store, short, instrument="us:MINE", source="mine")
    (held,) = store.coverage(["us:MINE"])
    assert held.rows == 60  # unchanged
    import_path(store, short, instrument="us:MINE", source="mine", replace=True)
    (held,) = store.coverage(["us:MINE"])
    assert held.rows == 2


def _case_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Broken inputs, each with the one line its import must give."""
    cases: dict[str, tuple[bytes | None, str]] = {
        "empty": (b"", ":1: the file is empty"),
        "binary": (b"date,close\x00\x01\x02" * 10, ": is binary, not a CSV text file"),
        "ragged": (b"date,close\n2024-01-02,10\n2024-01-03,11,12,13,14\n", ":3: rows have "
                                                                             "different numbers"),
        "early": (b"date,close\n1677-01-02,10\n", ":2: date '1677-01-02' is outside 1800"),
        "late": (b"date,close\n9999-12-31,10\n", ":2: date '9999-12-31' is outside 1800"),
    }
    out = {}
    for name, (content, said) in cases.items():
        path = folder / f"{name}.csv"
        path.write_bytes(content or b"")
        out[name] = (path, said)
    link = folder / "link.csv"
    link.symlink_to("/etc/passwd")
    out["link"] = (link, ": is a symbolic link (to /etc/passwd)")
    return out


def test_broken_files_are_one_line_each_and_nothing_is_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    for name, (path, said) in _case_files(tmp_path).items():
        with pytest.raises(ImportFailed) as caught:
            import_path(store, path, instrument="us:CASE")
        assert said in str(caught.value), (name, str(caught.value))
    assert store.coverage() == []


def test_a_gbk_file_is_read(tmp_path: Path) -> None:
    csv = tmp_path / "gbk.csv"
    csv.write_bytes("date,close,备注\n2024-01-02,10,收盘\n2024-01-03,11,收盘\n"
                    .encode("gbk"))
    report = import_path(Store(tmp_path / "s.duckdb"), csv, instrument="us:GBK")
    assert report.rows == 2


def test_a_symlink_inside_a_folder_is_skipped_not_followed(tmp_path: Path) -> None:
    (tmp_path / "evil.csv").symlink_to("/etc/passwd")
    report = import_path(Store(tmp_path / "s.duckdb"), tmp_path)
    assert [(p.name, why.split(" (")[0]) for p, why in report.skipped] == [
        ("evil.csv", "a symbolic link")]

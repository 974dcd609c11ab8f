"""Store faults from outside the program: a disk that fills up mid-write, an import killed
half-way, a store file swapped behind a running process; and `data ls --log`.

The disk-full cases run the write in a child process under ``RLIMIT_FSIZE`` with SIGXFSZ
ignored, so the kernel refuses the write with EFBIG exactly as a full disk refuses it with
ENOSPC (DuckDB reports both the same way). That works as root and in CI without mounting
a small file system.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from narrowgate.cli.data_cmd import app
from narrowgate.data.store import Store, StoreWrite
from narrowgate.errors import StoreError

REPO = Path(__file__).resolve().parents[2]


def _bars(n: int, start: str = "1990-01-01", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 + rng.random(n)
    return pd.DataFrame({"date": pd.bdate_range(start, periods=n), "open": close,
                         "high": close + 1, "low": close - 1, "close": close,
                         "adj_close": close, "volume": rng.random(n) * 1e6})


def _seed(path: Path) -> Store:
    store = Store(path)
    store.write([StoreWrite("bars", "us:SEED", "t", _bars(500), "test", "seed", datetime.now())])
    return store


def _fingerprint(store: Store) -> tuple[object, ...]:
    """Row counts plus order-independent checksums of every table's content."""
    with store.reading() as con:
        assert con is not None
        bars = con.execute("SELECT count(*), sum(hash(instrument, date, source, close, "
                           "fetch_id)) FROM bars").fetchone()
        cov = con.execute("SELECT count(*), sum(hash(instrument, source, first, last, rows)) "
                          "FROM coverage").fetchone()
        log = con.execute("SELECT count(*), max(fetch_id) FROM fetch_log").fetchone()
    return (tuple(store.row_counts().items()), bars, cov, log)


_CHILD = textwrap.dedent("""
    import resource, signal, sys
    from datetime import datetime
    from pathlib import Path
    import numpy as np, pandas as pd
    from narrowgate.data.store import Store, StoreWrite
    from narrowgate.errors import StoreError

    path, limit, rows = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    days = pd.bdate_range("1900-01-01", periods=rows)
    frame = pd.DataFrame({c: np.random.default_rng(1).random(rows)
                          for c in ("open", "high", "low", "close", "adj_close", "volume")})
    frame.insert(0, "date", days)
    items = [StoreWrite("bars", f"us:BIG{i}", "t", frame, "test", "big", datetime.now())
             for i in range(3)]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        Store(path).write(items)
    except StoreError as exc:
        print(exc)
        sys.exit(exc.exit_code)
    print("written")
""")


@pytest.mark.parametrize(
    ("case", "rows"),
    [
        # a bulk insert: DuckDB writes the new blocks into the database file before COMMIT
        ("database file cannot grow", 200_000),
        # a small insert lives in memory until COMMIT appends it to the write-ahead log
        ("write-ahead log cannot be written", 2_000),
    ],
)
def test_disk_full_leaves_store_as_it_was(tmp_path: Path, case: str, rows: int) -> None:
    store = _seed(tmp_path / "store.duckdb")
    before = _fingerprint(store)
    limit = store.path.stat().st_size + 64 * 1024 if rows > 10_000 else 16 * 1024
    child = subprocess.run([sys.executable, "-c", _CHILD, str(store.path), str(limit),
                            str(rows)], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert child.returncode == StoreError.exit_code, (case, child.stdout, child.stderr)
    message = child.stdout.strip()
    assert "\n" not in message
    assert f"could not write the store {store.path}" in message
    assert "nothing was written" in message and "free disk space" in message
    # the store is exactly as it was, and opens and takes writes again
    assert _fingerprint(Store(store.path)) == before
    Store(store.path).write([StoreWrite("bars", "us:AFTER", "t", _bars(5), "test", "after",
                                        datetime.now())])
    assert Store(store.path).row_counts()["bars"] == 505


def test_write_failure_classification(tmp_path: Path) -> None:
    """OS refusals become the disk-full StoreError; programming errors are left alone."""
    import duckdb

    store = Store(tmp_path / "s.duckdb")
    full = store._write_failure(OSError(28, "No space left on device"))
    assert full is not None and "No space left on device" in str(full)
    io = store._write_failure(duckdb.IOException('IO Error: Could not write file "x": '
                                                 "No space left on device"))
    assert io is not None and "IO Error" not in str(io)
    assert store._write_failure(duckdb.BinderException("Referenced column not found")) is None


def test_import_killed_half_way_leaves_nothing_half_written(tmp_path: Path) -> None:
    """`narrowgate data import` is SIGKILLed while it writes; the store stays whole."""
    folder = tmp_path / "data" / "etf_daily_kittycapital"
    folder.mkdir(parents=True)
    for i in range(30):
        frame = _bars(10_000, "1980-01-01", seed=i)
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        frame.drop(columns="adj_close").to_csv(folder / f"T{i}.csv", index=False)
    home = tmp_path / "home"
    env = {**os.environ, "NARROWGATE_HOME": str(home), "PYTHONPATH": str(REPO / "src")}
    cli = [sys.executable, "-m", "narrowgate", "data", "import"]
    subprocess.run([*cli, str(folder / "T0.csv")], env=env, check=True, capture_output=True,
                   timeout=120)
    db = home / "store.duckdb"
    wal = db.with_name(db.name + ".wal")
    before = _fingerprint(Store(db))
    size = db.stat().st_size

    proc = subprocess.Popen([*cli, str(folder)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    killed_while_writing = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if db.stat().st_size > size or (wal.exists() and wal.stat().st_size > 0):
            proc.send_signal(signal.SIGKILL)  # the write has begun: kill it now
            killed_while_writing = True
            break
        time.sleep(0.001)
    proc.wait(30)
    assert killed_while_writing and proc.returncode == -signal.SIGKILL

    after = Store(db)  # the next open works (DuckDB drops the uncommitted blocks)
    assert _fingerprint(after) == before, "an uncommitted import left rows behind"
    assert [c.instrument for c in after.coverage()] == ["us:T0"]
    # and the interrupted import can simply be run again
    subprocess.run([*cli, str(folder)], env=env, check=True, capture_output=True, timeout=120)
    assert len(Store(db).coverage()) == 30
    assert Store(db).row_counts()["bars"] == 300_000


def test_store_swapped_for_a_foreign_file_is_still_refused(tmp_path: Path) -> None:
    """The per-process schema-check memo is keyed on the file's identity, size and mtime."""
    import duckdb

    path = tmp_path / "store.duckdb"
    _seed(path)
    assert Store(path).coverage()  # checked once; later opens of the same file skip it
    path.unlink()
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a narrowgate store"):
        Store(path).coverage()


def test_data_ls_log_shows_the_fetch_log(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n2024-01-03,1,2,0.5,1.6\n")
    runner = CliRunner()
    assert runner.invoke(app, ["ls", "--log"]).output.strip().endswith("is empty")
    assert runner.invoke(app, ["import", str(csv), "--id", "us:MINE"]).exit_code == 0
    Store().record_failure("yahoo", "http://127.0.0.1:9/v8/finance/chart/QQQ", "bars",
                           "us:QQQ", "connection refused", datetime(2024, 5, 6, 7, 8, 9))

    rows = Store().fetch_log()
    assert [(r.provider, r.instrument, r.rows, r.status) for r in rows] == [
        ("yahoo", "us:QQQ", 0, "error"), ("import", "us:MINE", 2, "ok")]
    assert rows[1].request == f"{csv.parent.name}/{csv.name}"  # no absolute path

    result = CliRunner().invoke(app, ["ls", "--log"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "us:" in line]
    assert "2024-05-06 07:08:09" in lines[0] and "error" in lines[0]
    assert "connection refused" in lines[0] and "yahoo" in lines[0]
    assert "import" in lines[1] and "mine.csv" in lines[1] and " 2 " in lines[1]
    only = CliRunner().invoke(app, ["ls", "--log", "US:MINE"], env={"COLUMNS": "250"})
    assert "us:MINE" in only.output and "us:QQQ" not in only.output


def _refuse_lock_file(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    """The lock file cannot be created, as in a read-only NARROWGATE_HOME (the tests run
    as root, for whom chmod does not make a folder read-only)."""
    import errno

    real_open = os.open

    def fake_open(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == store.lock_path:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)


def test_read_only_home_still_reads_and_refuses_writes_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _seed(tmp_path / "store.duckdb")
    before = _fingerprint(store)
    (tmp_path / "store.duckdb.lock").unlink()
    _refuse_lock_file(monkeypatch, store)
    reader = Store(store.path)
    assert reader.coverage(["us:SEED"])[0].rows == 500
    with pytest.raises(StoreError, match="cannot use the store folder") as caught:
        reader.write([StoreWrite("bars", "us:NEW", "t", _bars(5), "test", "x",
                                 datetime.now())])
    assert "NARROWGATE_HOME" in (caught.value.hint or "")
    monkeypatch.undo()
    assert _fingerprint(store) == before


def test_the_store_module_imports_nothing_posix_only() -> None:
    import narrowgate.data.store as store_module

    assert "fcntl" not in vars(store_module)


def test_a_failed_first_creation_leaves_no_half_schema(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Creation is one transaction: a statement failing half-way (as a kill would) leaves
    no schema table without its version row, and the next open creates the store."""
    import narrowgate.data.store as store_module

    path = tmp_path / "store.duckdb"
    broken = (*store_module._DDL[:2], "CREATE TABLE broken (", *store_module._DDL[2:])
    monkeypatch.setattr(store_module, "_DDL", broken)
    with pytest.raises(StoreError):
        Store(path).write([StoreWrite("bars", "us:NEW", "t", _bars(5), "test", "x",
                                      datetime.now())])
    monkeypatch.undo()
    store_module._SCHEMA_CHECKED.clear()
    store = _seed(path)
    assert store.coverage(["us:SEED"])[0].rows == 500


def test_a_sqlite_file_in_place_of_the_store_is_one_line_without_a_download(
        tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "store.duckdb"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    done = subprocess.run([sys.executable, "-m", "narrowgate", "data", "ls"],
                          env={**os.environ, "NARROWGATE_HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 6, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "install" not in done.stderr.lower() or "extension" not in done.stderr.lower()
    # refused on its header before DuckDB opens it: no talk of a missing extension
    assert "it is a SQLite database" in done.stderr and "extension" not in done.stderr

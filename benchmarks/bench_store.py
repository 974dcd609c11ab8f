"""Store speed, run on demand: `python benchmarks/bench_store.py [SHARED_DATA_DIR]`.

Targets: importing all of ../shared/data < 10 s; a bars query for 20 instruments over
20 years < 20 ms. Three figures for the query:

- warm: inside `store.session()` (the DuckDB file stays open, as in `narrowgate run`);
- cold: a new Store and DataHub per call, so each call opens, reads and closes the file
  (the schema check is remembered per process while the file is unchanged);
- first in a new process: a fresh interpreter with pandas/duckdb already imported, timing
  only the first `hub.closes` (it also runs the schema check).

Prints the figures; docs/data.md records measured ones.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from narrowgate.data.hub import DataHub
from narrowgate.data.importers import import_path
from narrowgate.data.store import Store

INSTRUMENTS = ["us:QQQ", "us:SPY", "us:DIA", "us:IWM", "us:GLD", "us:SLV", "us:TLT",
               "us:MSFT", "us:AAPL", "us:NVDA", "us:AMZN", "us:GOOGL", "us:MU", "us:ORCL",
               "us:WDC", "us:LUMN", "cnidx:000300", "cnidx:000905", "hkidx:HSI",
               "crypto:BTC-USD"]


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "shared" / "data")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store.duckdb")
        t0 = time.perf_counter()
        report = import_path(store, root)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        import_path(store, root)
        again = time.perf_counter() - t0
        print(f"import {root}: {report.rows:,} rows, {len(report.written)} instrument-sources:"
              f" {first:.2f} s (re-import {again:.2f} s)")
        hub = DataHub(store, offline=True)
        start, end = date(2005, 1, 1), date(2024, 12, 31)
        cold = []
        for _ in range(15):
            fresh = DataHub(Store(store.path), offline=True)
            t0 = time.perf_counter()
            fresh.closes(INSTRUMENTS, start, end)
            cold.append((time.perf_counter() - t0) * 1000)
        first_call = [_first_in_new_process(store.path) for _ in range(5)]
        with store.session():
            hub.closes(INSTRUMENTS, start, end)
            warm = []
            for _ in range(20):
                t0 = time.perf_counter()
                wide = hub.closes(INSTRUMENTS, start, end)
                warm.append((time.perf_counter() - t0) * 1000)
        print(f"closes 20 instruments × 20 years ({wide.shape[0]} days): "
              f"warm median {statistics.median(warm):.1f} ms, "
              f"cold median {statistics.median(cold):.1f} ms, first call in a new process "
              f"median {statistics.median(first_call):.1f} ms")


_FIRST_CALL = """
import sys, time
from datetime import date
from pathlib import Path
import duckdb, numpy, pandas
from narrowgate.data.hub import DataHub
from narrowgate.data.store import Store
hub = DataHub(Store(Path(sys.argv[1])), offline=True)
t0 = time.perf_counter()
hub.closes(sys.argv[2].split(","), date(2005, 1, 1), date(2024, 12, 31))
print((time.perf_counter() - t0) * 1000)
"""


def _first_in_new_process(path: Path) -> float:
    """Milliseconds of the first closes call of a fresh interpreter (imports excluded)."""
    out = subprocess.run([sys.executable, "-c", _FIRST_CALL, str(path), ",".join(INSTRUMENTS)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


if __name__ == "__main__":
    main()

"""Store speed, run on demand: `python benchmarks/bench_store.py [SHARED_DATA_DIR]`.

Targets: importing all of ../shared/data < 10 s; a bars query for 20 instruments over
20 years < 20 ms (warm connection: inside `store.session()`; a cold call also opens the
DuckDB file). Prints the figures; docs/data.md records measured ones.
"""

from __future__ import annotations

import statistics
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
        for _ in range(5):
            t0 = time.perf_counter()
            hub.closes(INSTRUMENTS, start, end)
            cold.append((time.perf_counter() - t0) * 1000)
        with store.session():
            hub.closes(INSTRUMENTS, start, end)
            warm = []
            for _ in range(20):
                t0 = time.perf_counter()
                wide = hub.closes(INSTRUMENTS, start, end)
                warm.append((time.perf_counter() - t0) * 1000)
        print(f"closes 20 instruments × 20 years ({wide.shape[0]} days): "
              f"warm median {statistics.median(warm):.1f} ms, "
              f"cold median {statistics.median(cold):.1f} ms")


if __name__ == "__main__":
    main()

"""Start-up and end-to-end timings of the CLI (run on demand: `python benchmarks/bench_cli.py`).

Targets on a 2-core machine: `narrowgate --help` ≤ 0.5 s; `narrowgate run` on the bundled
thesis with a warm store ≤ 5 s. Each command runs ``REPEATS`` times; the median is reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5
EXE = [sys.executable, "-m", "narrowgate"]


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def median_time(args: list[str], repeats: int = REPEATS) -> float:
    return statistics.median(timed(args) for _ in range(repeats))


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="ng-bench-"))
    help_s = median_time([*EXE, "--help"])
    run_args = [*EXE, "run", "--offline", "--out", str(out / "report")]
    timed(run_args)  # warm the store, numba caches and the OS file cache
    run_s = median_time(run_args, repeats=3)
    print(f"narrowgate --help            median {help_s:.3f} s  (target ≤ 0.5 s)")
    print(f"narrowgate run --offline     median {run_s:.3f} s  (target ≤ 5 s, warm store)")


if __name__ == "__main__":
    main()

"""Start-up and end-to-end timings of the CLI (run on demand, not a test)::

    .venv/bin/python benchmarks/bench_cli.py                   # --help and run
    .venv/bin/python benchmarks/bench_cli.py --run-only -n 5   # run only, 5 timed repeats
    .venv/bin/python benchmarks/bench_cli.py --run-only --tree /tmp/old/src   # A/B
    .venv/bin/python benchmarks/bench_cli.py --run-only --skip-checkout \
        --tree /tmp/before/src --tree /tmp/after/src                          # two snapshots

Targets on a 2-core machine: `narrowgate --help` ≤ 0.3 s; `narrowgate run --offline` on the
bundled thesis with a warm store ≤ 5 s (wall clock of the whole process, imports included).

The store is the one ``NARROWGATE_HOME`` points at (fill it first: `narrowgate data import
../shared/data`). "Warm" = one untimed run first, so the store file, the OS file cache and
numba's on-disk cache are hot; Python's bytecode is cached as an install caches it (in a
temporary PYTHONPYCACHEPREFIX folder, whatever PYTHONDONTWRITEBYTECODE says). Each timing is
reported as median and min–max over the repeats, plus every run: on a shared 2-core
machine the spread is part of the result, and the CPU seconds (user + system) are the
steadier figure when other work runs. ``--as-of 2026-11-24`` pins the evaluation date.

``--tree DIR`` (repeatable) times another source tree (a ``src`` directory, put first on
PYTHONPATH) alongside this checkout, alternating run by run so all see the same machine
load: the fair way to quote a before/after. ``--skip-checkout`` times the trees only (e.g.
two snapshots while the checkout is mid-edit).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_REPEATS = 5
RUN_REPEATS = 3
EXE = [sys.executable, "-m", "narrowgate"]


def timed(args: list[str], tree: Path | None = None, cpu: list[float] | None = None
          ) -> float:
    """Wall seconds of one process (``tree`` first on PYTHONPATH when given); its CPU
    seconds (user + system, all threads) are appended to ``cpu`` when given — less
    sensitive than the wall time to other work on the machine."""
    env = dict(os.environ)
    # as installed: bytecode cached after the first run (pip writes it; a sandbox may set
    # PYTHONDONTWRITEBYTECODE, which made every run compile narrowgate's sources again,
    # ~0.2–0.3 s), kept in a folder of its own so no tree gets __pycache__ files
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "ng-bench-pycache")
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(tree), env.get("PYTHONPATH", "")) if p)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, env=env, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} [{tree or 'this checkout'}] exited "
                         f"{done.returncode}:\n{done.stderr[-2000:]}")
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds


def spread(label: str, seconds: list[float], target: str = "") -> str:
    """'label  median x s  (min–max a–b s, n runs: …)  target'."""
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    return (f"{label:<34} median {statistics.median(seconds):.2f} s  (min–max "
            f"{min(seconds):.2f}–{max(seconds):.2f} s over {len(seconds)}: {runs})  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeats", type=int, default=RUN_REPEATS,
                        help=f"timed runs of `narrowgate run` (default {RUN_REPEATS})")
    parser.add_argument("--run-only", action="store_true", help="skip `narrowgate --help`")
    parser.add_argument("--as-of", help="pass --as-of YYYY-MM-DD to `narrowgate run` "
                        "(default: none, i.e. today)")
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="another src tree to time alternately (before/after)")
    parser.add_argument("--skip-checkout", action="store_true",
                        help="time only the --tree source trees")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="ng-bench-"))
    if not args.run_only:
        help_s = [timed([*EXE, "--help"]) for _ in range(HELP_REPEATS)]
        print(spread("narrowgate --help", help_s, "(target ≤ 0.3 s)"))
    run_args = [*EXE, "run", "--offline", "--out", str(out / "report"),
                *(["--as-of", args.as_of] if args.as_of else [])]
    trees: list[tuple[str, Path | None]] = [] if args.skip_checkout else [
        ("this checkout", None)]
    trees += [(str(tree), tree.resolve()) for tree in args.tree]
    if not trees:
        parser.error("nothing to time: --skip-checkout needs at least one --tree")
    for _, tree in trees:
        timed(run_args, tree)  # warm the store, numba caches and the OS file cache
    times: dict[str, list[float]] = {name: [] for name, _ in trees}
    cpu: dict[str, list[float]] = {name: [] for name, _ in trees}
    for _ in range(args.repeats):
        for name, tree in trees:
            times[name].append(timed(run_args, tree, cpu[name]))
    for name, seconds in times.items():
        print(spread(f"narrowgate run --offline [{name}]", seconds,
                     "(target ≤ 5 s, warm store)"))
        print(spread("  CPU (user + system)", cpu[name]))
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs): other work slows the wall times above")


if __name__ == "__main__":
    main()

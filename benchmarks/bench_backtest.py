"""Back-test engine benchmark: narrowgate side by side with vectorbt (if installed).

Run on demand (not a test)::

    .venv/bin/python benchmarks/bench_backtest.py            # everything
    .venv/bin/python benchmarks/bench_backtest.py --quick    # fewer repeats

Workloads (issue 6): seeded GBM daily closes (start 100, drift 5%/yr, vol 25%/yr, business
days from 2010-01-04), fee 0.1% of traded value, cash 1,000,000, fractional units.
W1: half the assets at +0.5/(N/2), half at -0.5/(N/2), rebalanced at the close of the first
trading day of each month; N×T = 10×2520, 100×2520, 500×5040.
W2: two assets, T = 2520; for w in 2..1001: +50% A / -50% B while A/B is above its w-day
SMA (today included), else the reverse, flat before the SMA exists, re-targeted every close.
Reported: steady-state time (best of repeats), first-call time in a fresh process (numba
cache cold, then warm) for W2 and for a plain back-test, peak RSS of the W2 run, deviation
from the plain-loop reference; with ``--dask``, W2 on a 2-worker Dask LocalCluster too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.backtest.reference

FEE = 0.001
CASH = 1_000_000.0


def gbm(n: int, t: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dt = 1 / 252
    steps = (0.05 - 0.5 * 0.25**2) * dt + 0.25 * np.sqrt(dt) * rng.standard_normal((t, n))
    idx = pd.bdate_range("2010-01-04", periods=t)
    return pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=idx,
                        columns=[f"A{j}" for j in range(n)])


def w1_targets(close: pd.DataFrame) -> pd.DataFrame:
    n = close.shape[1]
    row = np.where(np.arange(n) < n // 2, 0.5 / (n // 2), -0.5 / (n // 2))
    month = close.index.to_period("M").asi8
    first = np.r_[True, month[1:] != month[:-1]]
    t = np.full(close.shape, np.nan)
    t[first] = row
    return pd.DataFrame(t, index=close.index, columns=close.columns)


def w2_targets_np(close: pd.DataFrame, windows: np.ndarray) -> np.ndarray:
    """T×2K weights for every window (numpy, for engines that take plain targets)."""
    ratio = (close.iloc[:, 0] / close.iloc[:, 1]).to_numpy()
    csum = np.r_[0.0, np.cumsum(ratio)]
    t_n = ratio.size
    out = np.full((t_n, 2 * windows.size), np.nan)
    for k, w in enumerate(windows):
        ma = np.full(t_n, np.nan)
        ma[w - 1:] = (csum[w:] - csum[:-w]) / w
        sig = np.where(ratio > ma, 0.5, -0.5)
        sig[: w - 1] = np.nan
        out[:, 2 * k] = sig
        out[:, 2 * k + 1] = -sig
    return out


def best(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# --- engines ---------------------------------------------------------------------------

def ng_w1(close: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    from narrowgate.backtest import Costs, run_backtest

    return run_backtest(close, targets, costs=Costs(fee=FEE), initial_cash=CASH).equity.to_numpy()


def ng_w1_kernel(c: np.ndarray, tg: np.ndarray, yf: np.ndarray) -> np.ndarray:
    """The kernel alone (no pandas wrapping) on the arrays the API hands it (the frames'
    own Fortran-order values), equity only."""
    from narrowgate.backtest import engine
    from narrowgate.backtest.inputs import NO_ROLLS

    n = c.shape[1]
    z = np.zeros(n)
    eq = np.empty(c.shape[0])
    e1, e2 = np.empty(0), np.empty((0, 0))
    engine.run_nb(c, c, tg, 0, False, yf, CASH, np.ones(n), np.zeros(n, np.bool_), z,
                  np.full(n, -1, np.int64), z, z, np.full(n, FEE), z, z, 0.0, 0.0, 1, NO_ROLLS,
                  eq, False, e1, e1, e2, e1, e1, e1)
    return eq


def ng_w2(close: pd.DataFrame, windows: np.ndarray) -> np.ndarray:
    from narrowgate.backtest import Costs
    from narrowgate.backtest.sweep import sweep_pair_ma

    return sweep_pair_ma(close, windows, costs=Costs(fee=FEE), initial_cash=CASH).equity.to_numpy()


def vbt_run(close: pd.DataFrame, targets: np.ndarray, groups: np.ndarray) -> np.ndarray:
    import vectorbt as vbt

    pf = vbt.Portfolio.from_orders(close, size=targets, size_type="targetpercent",
                                   direction="both", fees=FEE, init_cash=CASH, group_by=groups,
                                   cash_sharing=True, call_seq="auto", freq="1D")
    return np.asarray(pf.value())


def reference_w1(close: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    from tests.backtest.reference import reference_backtest

    n = close.shape[1]
    return reference_backtest(close.to_numpy(), targets.to_numpy(), cash0=CASH,
                              fee=[FEE] * n)[0]


# --- first call in a fresh process ------------------------------------------------------

CHILD = """{prelude}
import time, sys, json, numpy as np
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import benchmarks.bench_backtest as b
close = b.gbm(2 if {what!r} == "w2" else 10, 2520)
targets = b.w1_targets(close)
t1 = time.perf_counter()
b.ng_w2(close, np.arange(2, 1002)) if {what!r} == "w2" else b.ng_w1(close, targets)
t2 = time.perf_counter()
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            return int(line.split()[1]) / 1024
print(json.dumps({{"import_and_data_s": t1 - t0, "first_call_s": t2 - t1, "peak_rss_mb": hwm()}}))
"""


def run_child(code: str, numba_cache: str | None = None) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter (optionally with its own numba cache folder)
    and return the JSON object its last line prints."""
    env = {**os.environ, "NUMBA_CACHE_DIR": numba_cache} if numba_cache else None
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_prelude(as_installed: bool) -> str:
    """Code a child runs first: with ``as_installed``, packages outside narrowgate's runtime
    dependency closure (the peers, the test tools, scipy with them) look not installed."""
    if not as_installed:
        return ""
    from benchmarks.install_closure import HIDE_OUTSIDE_CLOSURE, outside_closure

    return HIDE_OUTSIDE_CLOSURE.format(hidden=outside_closure())


def first_call(cache_dir: str, what: str = "w2", as_installed: bool = False) -> dict[str, float]:
    """First call in a fresh process (imports of narrowgate.backtest and numba included):
    ``what`` = "w2" (the 1,000-window sweep) or "plain" (run_backtest, W1 10×2520)."""
    code = CHILD.format(prelude=child_prelude(as_installed), root=str(ROOT), what=what)
    return run_child(code, cache_dir)


FLOOR_MODULE = """
from numba import njit


@njit(cache=True)
def add_one(x):
    return x + 1.0
"""

FLOOR_CHILD = """{prelude}
import time, sys, json
import numpy as np, pandas as pd  # as in the narrowgate children: not timed
sys.path.insert(0, {folder!r})
t0 = time.perf_counter()
import numba_floor
numba_floor.add_one(1.0)
print(json.dumps({{"first_call_s": time.perf_counter() - t0}}))
"""


def numba_floor(runs: int, as_installed: bool) -> list[float]:
    """Warm first call of a one-line ``@njit(cache=True)`` function in a fresh process
    (numba's import and target initialisation, nothing else): the floor any numba kernel
    stands on, measured beside narrowgate's so machine noise shows in both."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "numba_floor.py").write_text(FLOOR_MODULE)
        code = FLOOR_CHILD.format(prelude=child_prelude(as_installed), folder=folder)
        for k in range(runs + 1):
            seconds = run_child(code, str(Path(folder, "cache")))["first_call_s"]
            if k:  # the first run fills the cache
                times.append(seconds)
    return times


def first_calls(what: str, cold_runs: int = 3, warm_runs: int = 5,
                as_installed: bool = False) -> tuple[list[float], list[float]]:
    """First-call times (s) of ``cold_runs`` fresh processes each with an empty numba
    cache, and of ``warm_runs`` fresh processes sharing a warmed cache."""
    cold = []
    for _ in range(cold_runs):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(first_call(cache, what, as_installed)["first_call_s"])
    with tempfile.TemporaryDirectory() as cache:
        first_call(cache, what, as_installed)
        warm = [first_call(cache, what, as_installed)["first_call_s"] for _ in range(warm_runs)]
    return cold, warm


def spread(times: list[float], digits: int) -> str:
    """Median and range: first calls on a shared machine vary by ±20% run to run."""
    return (f"{np.median(times):.{digits}f} s [{min(times):.{digits}f}–"
            f"{max(times):.{digits}f}]")


PEAK_CHILD = """{prelude}
import sys, json, numpy as np
sys.path.insert(0, {root!r})
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
engine = {engine!r}
windows = np.arange(2, 1002)
if engine == "narrowgate-arrays":  # no pandas anywhere in this process
    from narrowgate.backtest import Costs
    from narrowgate.backtest.arrays import sweep_pair_ma_arrays
    rng = np.random.default_rng(42)
    steps = (0.05 - 0.5 * 0.25**2) / 252 + 0.25 * np.sqrt(1 / 252) * rng.standard_normal((2520, 2))
    close = 100 * np.exp(np.cumsum(steps, axis=0))
    run = lambda w: sweep_pair_ma_arrays(close, w, periods_per_year=252,
                                         costs=Costs(fee=0.001), initial_cash=1e6)
    imports = status('VmRSS')
    run(windows[:2])
    base = status('VmRSS')
    open('/proc/self/clear_refs', 'w').write('5')
    run(windows)
    assert "pandas" not in sys.modules
else:
    import benchmarks.bench_backtest as b
    close = b.gbm(2, 2520)
    if engine == "narrowgate":
        import numba, narrowgate.backtest.sweep  # noqa
        imports = status('VmRSS')
        b.ng_w2(close, windows[:2])
        base = status('VmRSS')
        open('/proc/self/clear_refs', 'w').write('5')
        b.ng_w2(close, windows)
    else:
        import vectorbt  # noqa
        tg = b.w2_targets_np(close, windows)
        wide = close.iloc[:, np.tile([0, 1], windows.size)]
        imports = status('VmRSS')
        b.vbt_run(wide.iloc[:50], tg[:50], np.repeat(np.arange(windows.size), 2))
        base = status('VmRSS')
        open('/proc/self/clear_refs', 'w').write('5')
        b.vbt_run(wide, tg, np.repeat(np.arange(windows.size), 2))
print(json.dumps({{"imports_rss_mb": imports, "base_rss_mb": base,
                  "peak_rss_mb": status('VmHWM')}}))
"""


def peak_memory(engine: str, as_installed: bool = False) -> dict[str, float]:
    """Peak RSS (VmHWM, MB) of a fresh process running W2 once: ``engine`` is "narrowgate"
    (the frame API), "narrowgate-arrays" (the array face, no pandas) or "vectorbt"."""
    code = PEAK_CHILD.format(prelude=child_prelude(as_installed), root=str(ROOT), engine=engine)
    return run_child(code)


def bench_dask(close: pd.DataFrame, windows: np.ndarray, single: np.ndarray, reps: int) -> None:
    """W2 on a 2-worker LocalCluster (one thread each), chunks of 125 variants."""
    from distributed import LocalCluster

    from narrowgate.backtest import Costs
    from narrowgate.backtest.sweep import sweep_pair_ma

    def run(address: str) -> np.ndarray:
        return sweep_pair_ma(close, windows, costs=Costs(fee=FEE), initial_cash=CASH,
                             scheduler=address, chunk_size=125).equity.to_numpy()

    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        start = time.perf_counter() - t0
        first = run(cluster.scheduler_address)
        t_d = best(lambda: run(cluster.scheduler_address), max(2, reps // 3))
    same = np.array_equal(first, single, equal_nan=True)
    print(f"  dask 2-worker LocalCluster: {t_d * 1e3:.1f} ms per sweep "
          f"({windows.size / t_d:,.0f} back-tests/s; cluster start {start:.1f} s); "
          f"bitwise equal to one process: {same}")


def rounds(fns: dict[str, Callable[[], object]], n_rounds: int, inner: int = 3
           ) -> dict[str, list[float]]:
    """Seconds per call of each function, best of ``inner`` calls, for ``n_rounds`` rounds
    run one after another (so a slow moment on a shared machine hits every engine)."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(n_rounds):
        for name, fn in fns.items():
            out[name].append(best(fn, inner))
    return out


def ratio(num: list[float], den: list[float]) -> str:
    """``num / den`` per round: median [min–max]."""
    r = np.asarray(num) / np.asarray(den)
    return f"{np.median(r):.1f}x [{r.min():.1f}–{r.max():.1f}]"


def span(times: list[float], scale: float = 1e3, unit: str = "ms", digits: int = 2) -> str:
    """Best and worst of the rounds, in ``unit``."""
    return f"{min(times) * scale:.{digits}f}–{max(times) * scale:.{digits}f} {unit}"


def per_second(k: int, times: list[float]) -> str:
    """Back-tests per second over the rounds (worst–best)."""
    return f"{k / max(times):,.0f}–{k / min(times):,.0f}/s"


def memory_floor(values: np.ndarray) -> Callable[[], object]:
    """One plain numpy pass over the prices (a sum of every element): the least any
    back-test that reads them all must spend."""
    return values.sum


def ng_w1_schedule(close: pd.DataFrame, schedule: pd.DataFrame) -> np.ndarray:
    """W1 through the API with the schedule as its monthly rows only (no T×N frame)."""
    from narrowgate.backtest import Costs, run_backtest

    return run_backtest(close, schedule, costs=Costs(fee=FEE), initial_cash=CASH
                        ).equity.to_numpy()


def bench_w1(reps: int, have_vbt: bool) -> None:
    """W1 at three sizes: the API given the monthly rows, the API given a T×N frame, the
    general kernel alone (run_nb on the frame), the numpy floor, and vectorbt."""
    from narrowgate.backtest.api import frame_array, year_fraction

    n_rounds = max(3, reps // 2)
    print(f"\nW1 monthly rebalance: per call, best of 3, over {n_rounds} rounds (min–max); "
          "ratios per round, median [min–max]")
    for n, t in ((10, 2520), (100, 2520), (500, 5040)):
        close = gbm(n, t)
        targets = w1_targets(close)
        schedule = targets.dropna(how="all")
        eq = ng_w1_schedule(close, schedule)
        same = np.array_equal(eq, ng_w1(close, targets))
        c = frame_array(close)
        tg = frame_array(targets)
        yf = year_fraction(close.index)
        fns: dict[str, Callable[[], object]] = {
            "schedule": lambda close=close, s=schedule: ng_w1_schedule(close, s),
            "frame": lambda close=close, tg=targets: ng_w1(close, tg),
            "run_nb": lambda c=c, tg=tg, yf=yf: ng_w1_kernel(c, tg, yf),
            "floor": memory_floor(np.asfortranarray(close.to_numpy()))}
        if have_vbt:
            groups = np.zeros(n, dtype=int)
            vbt_eq = vbt_run(close, targets.to_numpy(), groups).ravel()
            fns["vectorbt"] = (lambda close=close, targets=targets, groups=groups:
                               vbt_run(close, targets.to_numpy(), groups))
        got = rounds(fns, n_rounds, 1 if n == 500 and have_vbt else 3)
        print(f"  N={n:>3} T={t}: API, monthly rows {span(got['schedule'])}; API, T×N frame "
              f"{span(got['frame'])}; run_nb alone on the frame {span(got['run_nb'])}; "
              f"numpy floor {span(got['floor'], digits=3)}")
        line = (f"    schedule / floor {ratio(got['schedule'], got['floor'])}, "
                f"frame / floor {ratio(got['frame'], got['floor'])}; rows == frame bitwise: "
                f"{same}")
        if have_vbt:
            line += (f"; vectorbt {span(got['vectorbt'])}, "
                     f"{ratio(got['vectorbt'], got['schedule'])} the schedule, "
                     f"{ratio(got['vectorbt'], got['frame'])} the frame")
        print(line)
        if n == 10:
            ref = reference_w1(close, targets)
            line = f"    max |dev| vs reference: narrowgate {np.max(np.abs(eq - ref)):.2e}"
            if have_vbt:
                line += f", vectorbt {np.max(np.abs(vbt_eq - ref)):.2e}"
            print(line)


def ng_w2_general(close: pd.DataFrame, stack: np.ndarray) -> np.ndarray:
    """W2 through the general path: the K×T×2 target stack into sweep_targets."""
    from narrowgate.backtest import Costs
    from narrowgate.backtest.sweep import sweep_targets

    return sweep_targets(close, stack, costs=Costs(fee=FEE), initial_cash=CASH).equity.to_numpy()


def bench_w2(reps: int, have_vbt: bool) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """W2 on the pair fast path and the general path (1 and 2 numba threads), vectorbt in
    the same rounds; deviations from the reference and between the paths."""
    import numba
    from tests.backtest.reference import reference_backtest

    n_rounds = max(3, reps // 2)
    print(f"\nW2 pair-filter sweep, 1,000 windows (2..1001), T=2520: per sweep, best of 3, "
          f"over {n_rounds} rounds; ratios per round, median [min–max]")
    close = gbm(2, 2520)
    windows = np.arange(2, 1002)
    tg_all = w2_targets_np(close, windows)
    stack = np.ascontiguousarray(tg_all.reshape(close.shape[0], windows.size, 2)
                                 .transpose(1, 0, 2))
    eq = ng_w2(close, windows)
    general = ng_w2_general(close, stack)
    threads = numba.get_num_threads()
    fns: dict[str, Callable[[], object]] = {}
    for k in sorted({1, threads}):
        def pinned(fn: Callable[[], object], k: int = k) -> Callable[[], object]:
            def run() -> object:
                numba.set_num_threads(k)
                try:
                    return fn()
                finally:
                    numba.set_num_threads(threads)
            return run
        fns[f"pair {k}t"] = pinned(lambda: ng_w2(close, windows))
        fns[f"general {k}t"] = pinned(lambda: ng_w2_general(close, stack))
    if have_vbt:
        wide = close.iloc[:, np.tile([0, 1], windows.size)]
        groups = np.repeat(np.arange(windows.size), 2)
        vbt_eq = vbt_run(wide, tg_all, groups)
        fns["vectorbt"] = lambda: vbt_run(wide, tg_all, groups)
    got = rounds(fns, n_rounds, 3)
    k_n = windows.size
    for name, times in got.items():
        line = f"  {name:11s} {span(times, digits=1)} = {per_second(k_n, times)}"
        if have_vbt and name != "vectorbt":
            line += f"; vs vectorbt {ratio(got['vectorbt'], times)}"
        print(line)
    for path in ("pair", "general"):
        if f"{path} 1t" in got and f"{path} {threads}t" in got and threads > 1:
            print(f"  {path}: {threads} threads vs 1 "
                  f"{ratio(got[f'{path} 1t'], got[f'{path} {threads}t'])}")
    sample = [0, 18, 198, 998]
    devs = []
    for k in sample:
        ref = reference_backtest(close.to_numpy(), tg_all[:, 2 * k:2 * k + 2], cash0=CASH,
                                 fee=[FEE, FEE])[0]
        devs.append(np.max(np.abs(eq[:, k] - ref)))
    print(f"  max |dev| vs reference on windows {[int(windows[k]) for k in sample]}: "
          f"{max(devs):.2e}; general path == pair path bitwise: "
          f"{np.array_equal(general, eq, equal_nan=True)}")
    if have_vbt:
        print(f"  max |dev| narrowgate vs vectorbt over all windows: "
              f"{np.max(np.abs(vbt_eq - eq)):.2e} (currency, on 1e6)")
    return close, windows, eq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-peers", action="store_true",
                        help="skip bt and backtrader (minutes at their speed)")
    parser.add_argument("--dask", action="store_true",
                        help="also W2 on a 2-worker Dask LocalCluster (127.0.0.1)")
    parser.add_argument("--parts", default="first,w1,w2,memory,peers",
                        help="comma-separated parts to run (default: all)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    reps = 3 if args.quick else 10
    try:
        import vectorbt

        have_vbt = True
        print(f"vectorbt {vectorbt.__version__}")
    except ImportError:
        have_vbt = False
        print("vectorbt not installed: narrowgate only")
    import numba

    print(f"numba {numba.__version__}, threads {numba.get_num_threads()}, cpus {os.cpu_count()}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if "first" in parts:
        first_call_report(args.quick)
    if "w1" in parts:
        bench_w1(reps, have_vbt)
    if "w2" in parts:
        close, windows, eq = bench_w2(reps, have_vbt)
        if args.dask:
            bench_dask(close, windows, eq, reps)
    if "memory" in parts:
        memory_report(have_vbt)
    if "peers" in parts and not args.no_peers:
        from benchmarks.peers import peer_report

        print()
        print("\n".join(peer_report(args.quick)))
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def first_call_report(quick: bool) -> None:
    """First calls in fresh processes, as installed and here, with numba's floor."""
    cold_n, warm_n = (1, 3) if quick else (5, 9)
    print(f"first call (fresh process, narrowgate and numba imports included; median "
          f"[min–max] of {cold_n} cold / {warm_n} warm numba caches)")
    for as_installed, where in ((True, "as `pip install narrowgate` installs it"),
                                (False, "this environment (peers and scipy installed)")):
        for what in ("w2", "plain"):
            cold, warm = first_calls(what, cold_n, warm_n, as_installed)
            print(f"  {what:5s} {where}: cold cache {spread(cold, 2)}, "
                  f"warm cache {spread(warm, 3)}")
        floor = numba_floor(warm_n, as_installed)
        print(f"  numba's floor, {where}: a one-line cached @njit function, warm cache "
              f"{spread(floor, 3)}")


def memory_report(have_vbt: bool) -> None:
    """Peak RSS of fresh processes running W2 once, per engine and face."""
    print("\nW2 peak RSS of a fresh process running it once (VmHWM; imports, then a 2-window "
          "warm-up, then the 1,000 windows):")
    runs = [("narrowgate-arrays", True, "as installed"), ("narrowgate-arrays", False, "here"),
            ("narrowgate", True, "as installed"), ("narrowgate", False, "here")]
    if have_vbt:
        runs.append(("vectorbt", False, "here"))
    for name, as_installed, where in runs:
        mem = peak_memory(name, as_installed)
        print(f"    {name:18s} {where:12s} {mem['peak_rss_mb']:5.0f} MB total; imports alone "
              f"{mem['imports_rss_mb']:.0f} MB; +{mem['peak_rss_mb'] - mem['base_rss_mb']:.0f} "
              "MB over the warmed process")


if __name__ == "__main__":
    main()

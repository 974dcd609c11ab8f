"""bt and backtrader on bench_backtest's W1/W2 workloads, for ``peer_report``.

Both peers are driven through their ordinary APIs with the workloads' conventions: cash
1,000,000, fee 0.1% of traded value, fractional units, no borrow cost, fills at the close
of the target's row. Differences the libraries do not let us remove (measured, then
printed beside the figures):

* bt (``WeighTarget`` + ``Rebalance``) nets each trade's fee out of the traded amount:
  ``Security.allocate`` solves ``q·p + fee(q) = (w − w_now)·V``, so a buy buys fee/p fewer
  units and a sell (or a new short) sells fee/p more; the reference trades ``w·V/p`` units
  and pays the fee from cash. Every position therefore lands ``fee_j/V`` below its target
  weight (longs smaller, shorts larger) until the next rebalance resets it; it does not
  accumulate. bt also runs one extra day before the first date (dropped here).
* backtrader's cheat-on-close fills an order created at close t at that close price, but
  only in the broker step of bar t+1: ``broker.getvalue()`` at bar t is the pre-trade value.
  Post-trade equity at t is rebuilt from the broker's own cash and positions after the
  fill, marked at close t, and one dummy bar (the last close repeated) is appended so the
  last day's orders fill. Orders are checked for cash one by one in submission order, so
  sells are submitted before buys (in column order W2's flips to long A are margin-called:
  A's buy is checked before B's sale funds it); margin/rejected orders are counted and
  printed. A buy that cash cannot cover is rejected whole where the reference scales the
  book; neither workload (net-flat books) reaches that.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from benchmarks.bench_backtest import CASH, FEE, gbm, w1_targets, w2_targets_np

W2_DEV_WINDOWS = (2, 20, 200)
W2_EXTRA_WINDOWS = (500, 1000)
W1_BIG_BUDGET_S = 60.0


# --- bt ---------------------------------------------------------------------------------

def _bt_fee(quantity: float, price: float) -> float:
    return abs(quantity) * price * FEE


@functools.cache
def _bt_units_algo() -> Any:
    import bt

    class TradeReferenceUnits(bt.Algo):
        """Diagnostic only: trade ``w·V/p − units`` by ``transact`` (no fee netting)."""

        def __init__(self, rows: pd.DataFrame) -> None:
            super().__init__()
            self.rows = rows

        def __call__(self, target: Any) -> bool:
            if target.now not in self.rows.index:
                return False
            value, prices = target.value, target.universe.loc[target.now]
            for name, w in self.rows.loc[target.now].dropna().items():
                held = target.children[name].position if name in target.children else 0.0
                target.transact(w * value / prices[name] - held, child=name, update=False)
            target.root.update(target.now)
            return True

    return TradeReferenceUnits


def _bt_run(close: pd.DataFrame, weights: pd.DataFrame,
            by_units: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Equity and post-trade units per day; only rows with a target are handed to bt (an
    all-NaN row would make ``Rebalance`` close every position). ``by_units`` swaps the
    idiomatic weight algos for the diagnostic that trades the reference's quantities."""
    import bt

    rows = weights.dropna(how="all")
    algos = ([_bt_units_algo()(rows)] if by_units
             else [bt.algos.WeighTarget(rows), bt.algos.Rebalance()])
    strategy = bt.Strategy("targets", algos)
    test = bt.Backtest(strategy, close, initial_capital=CASH, commissions=_bt_fee,
                       integer_positions=False, progress_bar=False)
    test.run()
    equity = test.strategy.values.loc[close.index].to_numpy()
    units = test.strategy.positions.reindex(index=close.index, columns=close.columns)
    return equity, units.fillna(0.0).to_numpy()


def bt_w1(close: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    return _bt_run(close, targets)[0]


def bt_w2(close: pd.DataFrame, targets_2col: np.ndarray) -> np.ndarray:
    return _bt_run(close, pd.DataFrame(targets_2col, close.index, close.columns))[0]


# --- backtrader -------------------------------------------------------------------------

@functools.cache
def _backtrader_classes() -> tuple[Any, Any]:
    """The CommInfo and Strategy subclasses, built on first use (backtrader is imported
    lazily: its metaclasses make the import slow)."""
    import backtrader as btr

    class FractionalCommission(btr.CommissionInfo):
        params = (("commission", FEE), ("stocklike", True),
                  ("commtype", btr.CommInfoBase.COMM_PERC), ("percabs", True))

        def getsize(self, price: float, cash: float) -> float:
            return float(self.p.leverage * cash / price)

    class TargetWeights(btr.Strategy):
        """At each bar with a target row, ``order_target_percent`` per asset, sells first;
        records the broker's cash and sizes (after the previous bar's fills)."""

        params = (("weights", None), ("log", None))

        def notify_order(self, order: Any) -> None:
            if order.status in (order.Margin, order.Rejected, order.Canceled):
                self.p.log["rejected"] += 1
            elif order.status == order.Completed:
                self.p.log["filled"] += 1

        def next(self) -> None:
            log, weights = self.p.log, self.p.weights
            log["cash"].append(self.broker.getcash())
            log["value"].append(self.broker.getvalue())
            log["units"].append([self.getposition(d).size for d in self.datas])
            i = len(self) - 1
            if i >= weights.shape[0] or np.isnan(weights[i]).all():
                return
            value = self.broker.getvalue()
            change = [weights[i, j] * value - log["units"][-1][j] * d.close[0]
                      for j, d in enumerate(self.datas)]
            for j in sorted(range(len(self.datas)), key=change.__getitem__):
                if not np.isnan(weights[i, j]):
                    self.order_target_percent(self.datas[j], target=float(weights[i, j]))

    return FractionalCommission, TargetWeights


def _backtrader_run(close: pd.DataFrame,
                    weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Equity and post-trade units per day, plus the order log (rejected / filled)."""
    import backtrader as btr

    commission, strategy = _backtrader_classes()
    extra = close.index[-1] + pd.offsets.BDay(1)
    padded = pd.concat([close, close.iloc[[-1]].set_axis([extra])])
    cerebro = btr.Cerebro(stdstats=False)
    for name in close.columns:
        px = padded[name]
        bars = pd.DataFrame({"open": px, "high": px, "low": px, "close": px, "volume": 0.0})
        cerebro.adddata(btr.feeds.PandasData(dataname=bars), name=name)
    cerebro.broker.setcash(CASH)
    cerebro.broker.set_coc(True)
    cerebro.broker.addcommissioninfo(commission())
    log: dict[str, Any] = {"cash": [], "value": [], "units": [], "rejected": 0,
                           "filled": 0}
    cerebro.addstrategy(strategy, weights=weights, log=log)
    cerebro.run()
    # Row i+1 holds the state after the fills of bar i's orders (at close i).
    units = np.asarray(log["units"], dtype=float)[1:]
    cash = np.asarray(log["cash"], dtype=float)[1:]
    equity = cash + np.sum(units * close.to_numpy(), axis=1)
    # The broker's own pre-trade value at bar i+1, against the same cash and sizes.
    marked = cash[:-1] + np.sum(units[:-1] * close.to_numpy()[1:], axis=1)
    log["value_gap"] = float(np.max(np.abs(np.asarray(log["value"][1:-1]) - marked)))
    return equity, units, log


def backtrader_w1(close: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    return _backtrader_run(close, targets.to_numpy())[0]


def backtrader_w2(close: pd.DataFrame, targets_2col: np.ndarray) -> np.ndarray:
    return _backtrader_run(close, targets_2col)[0]


# --- report -----------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderLog:
    """backtrader's order outcomes, and the largest gap between its ``broker.getvalue()``
    and cash + Σ size·close (the formula the post-trade equity is rebuilt with)."""

    rejected: int  # rejected or margin-called
    filled: int
    value_gap: float

    def __add__(self, other: OrderLog) -> OrderLog:
        return OrderLog(self.rejected + other.rejected, self.filled + other.filled,
                        max(self.value_gap, other.value_gap))

    def describe(self) -> str:
        return (f"{self.rejected} rejected/margin of {self.rejected + self.filled}; broker "
                f"value vs cash + Σ size·close: {self.value_gap:.0e}")


Run = Callable[[pd.DataFrame, pd.DataFrame], tuple[np.ndarray, np.ndarray, OrderLog | None]]


def _bt_report_run(close: pd.DataFrame,
                   weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, OrderLog | None]:
    equity, units = _bt_run(close, weights)
    return equity, units, None


def _backtrader_report_run(
        close: pd.DataFrame, weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, OrderLog]:
    equity, units, log = _backtrader_run(close, weights.to_numpy())
    return equity, units, OrderLog(log["rejected"], log["filled"], log["value_gap"])


@dataclass(frozen=True)
class Peer:
    name: str
    module: str
    run: Run
    setup: str
    caveat: str


PEERS = (
    Peer("bt", "bt", _bt_report_run,
         "WeighTarget + Rebalance, commissions |q|·p·0.1%, integer_positions=False",
         "bt nets each trade's fee out of the traded amount (buys fee/p fewer units, sells "
         "fee/p more), so each position ends fee_j/V under its target weight"),
    Peer("backtrader", "backtrader", _backtrader_report_run,
         "Cerebro + PandasData, order_target_percent sells first, set_coc(True), 0.1% "
         "commission, fractional getsize",
         "cheat-on-close fills bar t's orders at close t in bar t+1's broker step, so equity "
         "is rebuilt from the broker's cash and sizes after the fill (one dummy bar appended); "
         "cash is checked order by order, hence sells first; an unfunded buy is rejected, "
         "not scaled"),
)


@dataclass(frozen=True)
class Workloads:
    close1: pd.DataFrame  # W1, N=10, T=2520
    targets1: pd.DataFrame
    ref1: np.ndarray
    close2: pd.DataFrame  # W2, T=2520
    windows: tuple[int, ...]
    targets2: np.ndarray  # T×2K
    ref2: dict[int, np.ndarray]  # reference equity for the W2_DEV_WINDOWS


def build_workloads(quick: bool) -> Workloads:
    from benchmarks.bench_backtest import reference_w1
    from tests.backtest.reference import reference_backtest

    close1 = gbm(10, 2520)
    targets1 = w1_targets(close1)
    close2 = gbm(2, 2520)
    extra = W2_EXTRA_WINDOWS if quick else (*W2_EXTRA_WINDOWS, 50, 100, 300, 700, 900)
    windows = tuple(sorted((*W2_DEV_WINDOWS, *extra)))
    targets2 = w2_targets_np(close2, np.asarray(windows))
    column = {w: k for k, w in enumerate(windows)}  # targets2 is laid out by ``windows``
    ref2 = {w: reference_backtest(close2.to_numpy(),
                                  targets2[:, 2 * column[w]:2 * column[w] + 2], cash0=CASH,
                                  fee=[FEE, FEE])[0]
            for w in W2_DEV_WINDOWS}
    return Workloads(close1, targets1, reference_w1(close1, targets1), close2, windows,
                     targets2, ref2)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def weight_error(close: pd.DataFrame, targets: pd.DataFrame, equity: np.ndarray,
                 units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Post-trade weight (units·price over the pre-trade value) minus target, and the part
    a fee netted out of each trade explains (−fee_j/V), on rebalance rows only."""
    c, w = close.to_numpy(), targets.to_numpy()
    pre = np.r_[CASH, equity[:-1] + np.sum(units[:-1] * np.diff(c, axis=0), axis=1)]
    held = np.vstack([np.zeros(c.shape[1]), units[:-1]])
    rows = ~np.isnan(w).all(axis=1)
    err = (units * c / pre[:, None] - w)[rows]
    netted = (-FEE * np.abs(units - held) * c / pre[:, None])[rows]
    return err, netted


def _w1_lines(peer: Peer, work: Workloads, quick: bool) -> list[str]:
    reps = 1 if quick else 3
    runs = [_timed(lambda: peer.run(work.close1, work.targets1)) for _ in range(reps)]
    t10 = min(t for t, _ in runs)
    equity, units, orders = runs[0][1]
    speed = f"W1 N=10 T=2520: {t10:.2f} s{'' if quick else ' (best of 3)'}"
    if t10 * 10 < W1_BIG_BUDGET_S:
        close = gbm(100, 2520)
        t100, (_, _, orders100) = _timed(lambda: peer.run(close, w1_targets(close)))
        speed += f"; N=100 T=2520: {t100:.1f} s"
        if orders is not None and orders100 is not None:
            orders = orders + orders100
    else:
        speed += f"; N=100 skipped (~{t10 * 10:.0f} s by N=10 × 10)"
    half = work.targets1.shape[1] // 2
    err, netted = weight_error(work.close1, work.targets1, equity, units)
    worst = err.flat[np.argmax(np.abs(err))]
    why = (f"all of it is the netted fee −fee_j/V (residual {np.max(np.abs(err - netted)):.0e}),"
           " reset at each rebalance, so no drift" if abs(worst) > 1e-12 else
           "units = w·V/p as in the reference")
    lines = [f"    {speed}",
             f"    W1 max |dev| vs reference: {np.max(np.abs(equity - work.ref1)):.2e}",
             f"    W1 post-trade weight − target (on the pre-trade value): longs mean "
             f"{err[:, :half].mean() * 1e4:+.3g} bp, shorts mean {err[:, half:].mean() * 1e4:+.3g}"
             f" bp, worst {worst * 1e4:+.3g} bp; {why}"]
    if orders is not None:
        lines.append(f"    W1 orders (all runs): {orders.describe()}")
    return lines


def _w2_lines(peer: Peer, work: Workloads) -> list[str]:
    close = work.close2
    times: list[float] = []
    devs: list[str] = []
    log: OrderLog | None = None
    for k, w in enumerate(work.windows):
        frame = pd.DataFrame(work.targets2[:, 2 * k:2 * k + 2], close.index, close.columns)
        t, (equity, _, orders) = _timed(functools.partial(peer.run, close, frame))
        times.append(t)
        if orders is not None:
            log = orders if log is None else log + orders
        if w in work.ref2:
            devs.append(f"w={w} {np.max(np.abs(equity - work.ref2[w])):.2e}")
    per = float(np.mean(times))
    lines = [f"    W2: {per:.2f} s per back-test = {1 / per:.1f} back-tests/s (mean over windows "
             f"{list(work.windows)}); 1,000 windows ≈ {1000 * per:,.0f} s",
             f"    W2 max |dev| vs reference: {', '.join(devs)}"]
    if log is not None:
        lines.append(f"    W2 orders (all windows): {log.describe()}")
    return lines


def _bt_units_line(work: Workloads) -> str:
    eq1 = _bt_run(work.close1, work.targets1, by_units=True)[0]
    close = work.close2
    devs = [np.max(np.abs(eq1 - work.ref1))]
    for w in W2_DEV_WINDOWS:
        k = work.windows.index(w)  # targets2 is laid out by work.windows
        frame = pd.DataFrame(work.targets2[:, 2 * k:2 * k + 2], close.index, close.columns)
        devs.append(np.max(np.abs(_bt_run(close, frame, by_units=True)[0] - work.ref2[w])))
    return (f"    check: bt trading the reference's units by Security.transact (no fee netting): "
            f"max |dev| W1 {devs[0]:.1e}, W2 {max(devs[1:]):.1e}")


def peer_report(quick: bool) -> list[str]:
    """Printable lines: per peer, speed and deviation from the reference on W1 and W2."""
    import importlib

    lines = ["peers: bt and backtrader on the same workloads (dev in currency on 1e6 cash; "
             f"{'one run each' if quick else 'W1 best of 3'})"]
    work = build_workloads(quick)
    for peer in PEERS:
        try:
            version = importlib.import_module(peer.module).__version__
        except ImportError:
            lines.append(f"  {peer.name}: not installed")
            continue
        lines.append(f"  {peer.name} {version} ({peer.setup})")
        lines += _w1_lines(peer, work, quick)
        lines += _w2_lines(peer, work)
        lines.append(f"    difference: {peer.caveat}")
        if peer.name == "bt":
            lines.append(_bt_units_line(work))
    return lines

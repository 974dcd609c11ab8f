"""The array face of the sweeps: numpy in, numpy out, pandas never imported.

For callers that hold plain arrays (a service, a notebook that computes its own signals,
a worker process) and for memory: a W2-sized sweep through here peaks at about 80 MB less
than through :mod:`narrowgate.backtest.sweep`, which is what importing pandas (and pyarrow
with it) costs. :mod:`~narrowgate.backtest.sweep` wraps the same chunk functions with
labels, frames and error wording; :mod:`~narrowgate.backtest.dask_sweep` ships them to
workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from narrowgate.backtest import batch
from narrowgate.backtest.inputs import (
    _SHORTFALL,
    NO_ROLLS,
    BacktestError,
    EngineInputs,
    Shortfall,
    engine_inputs,
)
from narrowgate.backtest.specs import Costs, InstrumentSpec


def targets_chunk(close: np.ndarray, open_: np.ndarray, yf: np.ndarray, spec: EngineInputs,
                  targets: np.ndarray, *, kind: int, at_open: bool, initial_cash: float,
                  shortfall: int, roll: np.ndarray = NO_ROLLS) -> tuple[np.ndarray, np.ndarray]:
    """Kernel call for K target arrays (K×T×N weights or units; prices T×N, ``yf`` years
    per row; ``roll`` T×N futures roll rows paid by every variant, 0×0 = none): equity K×T
    (currency; NaN after a failure) and status K×3. Spot books filled at the close take
    the fast path (:func:`~narrowgate.backtest.batch.spot_close_batch_nb`); variants it
    hands back, and every other case, run on the general kernel."""
    tg = np.ascontiguousarray(targets)
    out_equity = np.full((tg.shape[0], close.shape[0]), np.nan)
    out_status = np.zeros((tg.shape[0], 3))
    redo = np.arange(tg.shape[0])
    if not at_open and not spec.is_futures.any():
        batch.spot_close_batch_nb(np.ascontiguousarray(close), tg, kind, yf, initial_cash,
                                  spec.multiplier, spec.lot, spec.basis, spec.fee,
                                  spec.slippage, spec.borrow, spec.cash_rate,
                                  spec.financing_rate, shortfall, out_equity, out_status)
        redo = np.flatnonzero(out_status[:, 0] == batch.STATUS_FALLBACK)
        if redo.size == 0:
            return out_equity, out_status
        out_equity[redo] = np.nan
    sub = tg if redo.size == tg.shape[0] else np.ascontiguousarray(tg[redo])
    sub_equity = np.full((redo.size, close.shape[0]), np.nan)
    sub_status = np.zeros((redo.size, 3))
    batch.run_batch_nb(close, open_, sub, kind, at_open, yf, initial_cash, spec.multiplier,
                       spec.is_futures, spec.margin_rate, spec.margin_group, spec.lot,
                       spec.basis, spec.fee, spec.slippage, spec.borrow, spec.cash_rate,
                       spec.financing_rate, shortfall, roll, sub_equity, sub_status)
    out_equity[redo] = sub_equity
    out_status[redo] = sub_status
    return out_equity, out_status


def pair_ma_chunk(close: np.ndarray, open_: np.ndarray, yf: np.ndarray, spec: EngineInputs,
                  windows: np.ndarray, *, gross: float, flip: bool, at_open: bool,
                  initial_cash: float, shortfall: int,
                  roll: np.ndarray = NO_ROLLS) -> tuple[np.ndarray, np.ndarray]:
    """Kernel call for pair moving-average ``windows`` (trading days; prices T×2; ``roll``
    as in :func:`targets_chunk`): equity K×T (currency) and status K×3. Two spot legs
    filled at the close take the fast path (spot never rolls); variants it hands back (a
    shortfall under raise/scale) and every other case run on the general kernel."""
    k_n, t_n = windows.shape[0], close.shape[0]
    out_equity = np.full((k_n, t_n), np.nan)
    out_status = np.zeros((k_n, 3))
    args = (yf, initial_cash, spec.multiplier)
    costs = (spec.basis, spec.fee, spec.slippage, spec.borrow, spec.cash_rate,
             spec.financing_rate, shortfall)
    redo = np.arange(k_n)
    if not at_open and not spec.is_futures.any():
        batch.pair_ma_spot_sweep(close, windows, gross, flip, yf, initial_cash, spec.multiplier,
                                 spec.lot, spec.basis, spec.fee, spec.slippage, spec.borrow,
                                 spec.cash_rate, spec.financing_rate, shortfall, out_equity,
                                 out_status)
        redo = np.flatnonzero(out_status[:, 0] == batch.STATUS_FALLBACK)
        out_equity[redo] = np.nan
    if redo.size:
        sub_equity = np.full((redo.size, t_n), np.nan)
        sub_status = np.zeros((redo.size, 3))
        batch.pair_ma_sweep_nb(close, open_, np.ascontiguousarray(windows[redo]), gross, flip,
                               at_open, *args, spec.is_futures, spec.margin_rate,
                               spec.margin_group, spec.lot, *costs, roll, sub_equity,
                               sub_status)
        out_equity[redo] = sub_equity
        out_status[redo] = sub_status
    return out_equity, out_status


def year_fraction_of(dates: np.ndarray | None, n_rows: int,
                     periods_per_year: float | None) -> np.ndarray:
    """Years between consecutive rows (first row 0): ACT/365 from ``datetime64`` dates, or
    1/``periods_per_year`` per row; one of the two is required."""
    if periods_per_year is not None:
        if not periods_per_year > 0:
            raise BacktestError(f"periods_per_year must be > 0, got {periods_per_year}")
        yf = np.full(n_rows, 1.0 / periods_per_year)
    elif dates is not None:
        days = np.asarray(dates, dtype="datetime64[s]")
        if days.shape != (n_rows,):
            raise BacktestError(f"dates must have one entry per price row ({n_rows}), "
                                f"got shape {days.shape}")
        step = np.diff(days).astype(np.float64) / 86400.0
        yf = np.concatenate([[0.0], step / 365.0])
    else:
        raise BacktestError("give dates (datetime64, one per row) or periods_per_year",
                            "carry costs and interest accrue per year")
    yf[0] = 0.0
    return yf


def check_pair_prices(close: np.ndarray, hint: str) -> None:
    """A pair sweep re-targets both legs every close, so every row needs both prices."""
    if not np.all(np.isfinite(close)):
        raise BacktestError("a pair sweep needs a price for both legs on every row", hint)


def pair_windows(windows: Sequence[int] | np.ndarray, otherwise: str) -> np.ndarray:
    """The moving-average windows as the kernels take them (int64, 1-D, each ≥ 1), after
    checking ``otherwise`` ("reverse" or "flat"): shared by both faces of the sweep."""
    if otherwise not in ("reverse", "flat"):
        raise BacktestError(f"otherwise must be 'reverse' or 'flat', not {otherwise!r}")
    w = np.ascontiguousarray(windows, dtype=np.int64)
    if w.ndim != 1 or np.any(w < 1):
        raise BacktestError("windows must be a 1-D sequence of positive integers")
    return w


def sweep_pair_ma_arrays(
    close: np.ndarray,
    windows: Sequence[int] | np.ndarray,
    *,
    dates: np.ndarray | None = None,
    periods_per_year: float | None = None,
    gross: float = 1.0,
    otherwise: str = "reverse",
    instruments: Sequence[InstrumentSpec] | None = None,
    costs: Costs | None = None,
    initial_cash: float = 1_000_000.0,
    on_shortfall: Shortfall = "scale",
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`narrowgate.backtest.sweep.sweep_pair_ma` on plain arrays, filled at the close.

    ``close`` is T×2 (long leg first), ``instruments`` one spec per column (spot by
    default). Returns equity K×T (currency; NaN after a failed variant's failing row) and
    status K×3 (kernel status, failing row, detail; status 0 = ran to the end), one row
    per window in the order given.
    """
    c = np.ascontiguousarray(close, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != 2:
        raise BacktestError(f"a pair sweep needs T×2 prices, got shape {c.shape}")
    check_pair_prices(c, "drop rows with a missing price first")
    w = pair_windows(windows, otherwise)
    if on_shortfall not in _SHORTFALL:
        raise BacktestError(f"on_shortfall must be one of {sorted(_SHORTFALL)}, "
                            f"not {on_shortfall!r}")
    specs: Mapping[str, InstrumentSpec] | None = None
    if instruments is not None:
        if len(instruments) != 2:
            raise BacktestError(f"give one instrument spec per column (2), got {len(instruments)}")
        specs = {"0": instruments[0], "1": instruments[1]}
    spec = engine_inputs(["0", "1"], specs, costs or Costs())
    yf = year_fraction_of(dates, c.shape[0], periods_per_year)
    return pair_ma_chunk(c, c, yf, spec, w, gross=float(gross), flip=otherwise == "reverse",
                         at_open=False, initial_cash=float(initial_cash),
                         shortfall=_SHORTFALL[on_shortfall])

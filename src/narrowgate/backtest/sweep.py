"""Many back-tests in one kernel call: a stack of target arrays, or a parameter grid.

Every variant shares the prices, instruments and costs; the kernels run variants in
parallel (numba ``prange``) and keep only each variant's equity path (K×T float64), so a
1,000-variant sweep over ten years of daily data needs about 20 MB (plain-array callers:
:mod:`narrowgate.backtest.arrays`). With ``scheduler``
(an address or ``"local"``) the variant axis is cut into chunks run on a Dask distributed
cluster (:mod:`narrowgate.backtest.dask_sweep`), with results identical to one process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from narrowgate.backtest import engine
from narrowgate.backtest.api import (
    _KIND,
    _SHORTFALL,
    BacktestError,
    Costs,
    Execution,
    InstrumentSpec,
    RollDates,
    Shortfall,
    TargetKind,
    engine_inputs,
    open_array,
    price_array,
    raise_for_status,
    roll_array,
    year_fraction,
)
from narrowgate.backtest.arrays import (
    check_pair_prices,
    pair_ma_chunk,
    pair_windows,
    targets_chunk,
)


@dataclass(frozen=True)
class SweepResult:
    """Equity per variant (T×K frame, columns = variant labels) and each variant's status
    (0 = ran to the end; otherwise the kernel status, failing row and detail)."""

    equity: pd.DataFrame
    status: pd.DataFrame
    initial_cash: float

    @property
    def total_return(self) -> pd.Series:
        """Simple return from the initial cash to the last close, per variant."""
        return self.equity.iloc[-1] / self.initial_cash - 1.0

    @property
    def returns(self) -> pd.DataFrame:
        """Daily simple returns per variant (first row 0)."""
        return self.equity.pct_change().fillna(0.0)


def _finish(out_equity: np.ndarray, out_status: np.ndarray, index: pd.Index,
            labels: Sequence[object], columns: list[str], allow_failures: bool,
            initial_cash: float) -> SweepResult:
    names = pd.Index(np.asarray(list(labels)), name="variant")
    status = pd.DataFrame(out_status, index=names, columns=["status", "row", "detail"])
    if not allow_failures:
        bad = status[status["status"] != engine.STATUS_OK]
        if not bad.empty:
            first = bad.iloc[0]
            try:
                raise_for_status(int(first["status"]), int(first["row"]), float(first["detail"]),
                                 index, columns)
            except BacktestError as err:
                raise BacktestError(f"{len(bad)} of {len(status)} variants failed; variant "
                                    f"{bad.index[0]}: {err.message}", err.hint) from None
    equity = pd.DataFrame(out_equity.T, index=index, columns=names, copy=False)
    return SweepResult(equity=equity, status=status, initial_cash=initial_cash)


def _run_variants(chunk: Callable[..., tuple[np.ndarray, np.ndarray]], shared: tuple[Any, ...],
                  variants: np.ndarray, kwargs: dict[str, Any], scheduler: str | None,
                  chunk_size: int | None) -> tuple[np.ndarray, np.ndarray]:
    """One kernel call in this process, or chunks of ``variants`` (first axis) on a Dask
    cluster when a ``scheduler`` is given (same results)."""
    if scheduler is None:
        return chunk(*shared, variants, **kwargs)
    from narrowgate.backtest.dask_sweep import run_chunked

    return run_chunked(chunk, shared, [variants], kwargs, scheduler, chunk_size)


def sweep_targets(
    close: pd.DataFrame,
    targets: np.ndarray,
    *,
    labels: Sequence[object] | None = None,
    target_kind: TargetKind = "weights",
    open_: pd.DataFrame | None = None,
    execution: Execution = "close",
    instruments: Mapping[str, InstrumentSpec] | None = None,
    costs: Costs | None = None,
    initial_cash: float = 1_000_000.0,
    on_shortfall: Shortfall = "scale",
    periods_per_year: float | None = None,
    rolls: RollDates | None = None,
    allow_failures: bool = False,
    scheduler: str | None = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Back-test K target arrays (``targets`` K×T×N, aligned to ``close``; NaN = no trade)
    in one call; same semantics as :func:`~narrowgate.backtest.api.run_backtest`, the
    futures ``rolls`` paid by every variant.

    ``scheduler``: None runs in this process; a Dask scheduler address or ``"local"``
    spreads chunks of ``chunk_size`` variants over a cluster (same results)."""
    tg = np.ascontiguousarray(targets, dtype=np.float64)
    if tg.ndim != 3 or tg.shape[1:] != close.shape:
        raise BacktestError(f"targets must be K×{close.shape[0]}×{close.shape[1]}, got {tg.shape}")
    columns = [str(c) for c in close.columns]
    c = price_array(close, "close")
    spec = engine_inputs(columns, instruments, costs or Costs())
    shared = (c, open_array(close, open_, execution, c), year_fraction(close.index,
                                                                       periods_per_year), spec)
    kwargs: dict[str, Any] = {
        "kind": _KIND[target_kind], "at_open": execution == "next_open",
        "initial_cash": float(initial_cash), "shortfall": _SHORTFALL[on_shortfall],
        "roll": roll_array(close, rolls, spec.is_futures)}
    out_equity, out_status = _run_variants(targets_chunk, shared, tg, kwargs, scheduler,
                                           chunk_size)
    names = list(range(tg.shape[0])) if labels is None else list(labels)
    return _finish(out_equity, out_status, close.index, names, columns, allow_failures,
                   float(initial_cash))


def sweep_pair_ma(
    close: pd.DataFrame,
    windows: Sequence[int] | np.ndarray,
    *,
    gross: float = 1.0,
    otherwise: str = "reverse",
    open_: pd.DataFrame | None = None,
    execution: Execution = "close",
    instruments: Mapping[str, InstrumentSpec] | None = None,
    costs: Costs | None = None,
    initial_cash: float = 1_000_000.0,
    on_shortfall: Shortfall = "scale",
    periods_per_year: float | None = None,
    rolls: RollDates | None = None,
    allow_failures: bool = False,
    scheduler: str | None = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Pair back-tests over a grid of moving-average windows (trading days), one kernel call.

    ``close`` has two columns, long leg first. Each variant holds +gross/2 / −gross/2 while
    first/second is above its window-day simple average (today included), the reverse (or
    flat if ``otherwise="flat"``) otherwise, flat before the average exists, rebalanced to
    target at every close. Equals :class:`~narrowgate.backtest.strategies.Pair` with a
    :class:`~narrowgate.backtest.strategies.RatioFilter` and ``rebalance="daily"``.
    ``rolls``, ``scheduler`` and ``chunk_size`` as in :func:`sweep_targets`.
    """
    if close.shape[1] != 2:
        raise BacktestError(f"a pair sweep needs exactly two price columns, got {close.shape[1]}")
    w = pair_windows(windows, otherwise)
    columns = [str(col) for col in close.columns]
    c = price_array(close, "close")
    check_pair_prices(c, "drop rows with a missing price first (close.dropna())")
    spec = engine_inputs(columns, instruments, costs or Costs())
    shared = (c, open_array(close, open_, execution, c), year_fraction(close.index,
                                                                       periods_per_year), spec)
    kwargs: dict[str, Any] = {
        "gross": float(gross), "flip": otherwise == "reverse",
        "at_open": execution == "next_open", "initial_cash": float(initial_cash),
        "shortfall": _SHORTFALL[on_shortfall], "roll": roll_array(close, rolls, spec.is_futures)}
    out_equity, out_status = _run_variants(pair_ma_chunk, shared, w, kwargs, scheduler,
                                           chunk_size)
    return _finish(out_equity, out_status, close.index, [int(x) for x in w], columns,
                   allow_failures, float(initial_cash))

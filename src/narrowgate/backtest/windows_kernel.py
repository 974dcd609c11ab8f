"""Fresh-start windows of several lengths from one simulation per start.

A trade's history asks, for every start day, the return held ``periods`` rows (the length
of the since-publication run) and held 3, 6 and 12 months. :func:`engine.run_nb` is
causal — row t reads prices, targets and carry of rows ≤ t only, and a failure stops it at
the row where it happens — so the simulation of the longest window from a start passes
through every shorter window's last row with the very same numbers: the shorter window's
return is the longer run's equity at its last row (bitwise), unless the run failed at or
before that row. One run per start instead of one per (start, length) cut the kernel's
work on a bundled ``narrowgate run`` from Σ lengths to max length per start (11 trade
histories × 4 lengths → 11 × 1).

The window set-up below repeats :func:`narrowgate.backtest.batch.run_windows_nb`'s on
purpose: one shared ``@njit`` helper for both (called, or inlined) made a warm bundled
``narrowgate run`` 0.2–0.25 s slower (4.08 → 4.26–4.31 s median over 5, same machine and
hour), the cost of loading one more cached kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from narrowgate.backtest import engine


@njit(cache=True, parallel=True)
def run_windows_lengths_nb(close, open_, weights, rebalance, lengths, at_open, year_fraction,  # type: ignore[no-untyped-def]
                           init_cash, multiplier, is_futures, margin_rate, margin_group, lot,
                           basis, fee, slippage, borrow, cash_rate, financing_rate, shortfall,
                           roll, out_return):
    """For each start s and each ``lengths[k]`` (rows held), the simple return from the
    close of s to the close of s + lengths[k] into ``out_return[k, s]`` — the same number
    as :func:`narrowgate.backtest.batch.run_windows_nb` gives for that length. Each window
    begins in cash, moves to ``weights[s]`` at s and follows ``rebalance`` (T, bool);
    ``roll`` is T×N (0×0: no rolls). A window exists for s < T - lengths[k]; cells of
    windows that do not exist or that failed (ruin, a missing price, a shortfall at or
    before their last row) are left as the caller filled them (NaN)."""
    n_t, n = close.shape
    n_k = lengths.shape[0]
    for s in prange(out_return.shape[1]):
        length = -1
        for k in range(n_k):
            if s < n_t - lengths[k] and lengths[k] > length:
                length = lengths[k]
        if length < 0:
            continue
        e = s + length + 1
        target = np.full((length + 1, n), np.nan)
        for i in range(length + 1):
            if i == 0 or rebalance[s + i]:
                for j in range(n):
                    target[i, j] = weights[s + i, j]
        eq = np.full(length + 1, np.nan)
        dummy1 = np.empty(0)
        dummy2 = np.empty((0, 0))
        rolled = roll[s:e] if roll.shape[0] > 0 else roll
        st, r, _d = engine.run_nb(close[s:e], open_[s:e], target, engine.KIND_WEIGHTS, at_open,
                                  year_fraction[s:e], init_cash, multiplier, is_futures,
                                  margin_rate, margin_group, lot, basis, fee, slippage, borrow,
                                  cash_rate, financing_rate, shortfall, rolled, eq, False,
                                  dummy1, dummy1, dummy2, dummy1, dummy1, dummy1)
        for k in range(n_k):
            held = lengths[k]
            if s < n_t - held and (st == engine.STATUS_OK or r > held):
                out_return[k, s] = eq[held] / init_cash - 1.0

"""A back-test of a rebalance schedule on spot assets, walked a segment at a time.

Between two rebalances a spot book filled at the close, without carry, holds constant
units and cash, so each day's equity is ``cash + Σ_j units_j × multiplier_j × mark_j``.
:func:`run_schedule_spot_nb` computes that segment column by column (contiguous reads of
the frame's Fortran-order closes, the marks carried forward over missing prices), reads
the schedule's rows (R×N targets, R ≤ T, with the price row of each) only when it
reaches them, and allocates nothing per day: a monthly schedule on 500 assets × 20 years
is never expanded to a T×N target array. Per day and asset it adds the terms in the
order :func:`~narrowgate.backtest.engine.run_nb` does (cash first, assets ascending), so
its results are bitwise run_nb's; anything it does not model (a missing price where a
trade needs one, a shortfall under raise/scale, ruin) makes it return False and the
caller runs run_nb instead.

Only large back-tests take it (:data:`narrowgate.backtest.api.SCHEDULE_MIN_CELLS`): a
small one gains microseconds, and a process that loads one more cached kernel pays
~0.1–0.2 s for it (see windows_kernel).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from narrowgate.backtest import engine


@njit(cache=True, error_model="numpy")
def run_schedule_spot_nb(close, sched, rows, kind, init_cash, multiplier, lot, fee, slippage,  # type: ignore[no-untyped-def]
                         shortfall, out_equity, out_cash, out_margin, out_units, out_costs,
                         out_carry, out_scale):
    """Simulate schedule ``sched`` (R×N weights or units, NaN = leave that asset; a row
    with no finite element is no rebalance) filled at the close of price rows ``rows``
    (R, int64, strictly increasing) on spot ``close`` (T×N, either order). Fills the
    record arrays like run_nb (``out_units`` on rebalance rows only, ``out_scale`` 1.0
    there and NaN elsewhere) and returns True; False: rerun with run_nb."""
    n_t, n = close.shape
    n_r = rows.shape[0]
    units = np.empty(n)
    mark = np.empty(n)
    for j in range(n):
        units[j] = 0.0
        mark[j] = np.nan
    # A Fortran-order schedule (a frame's values) is flagged column by column in memory
    # order; a C-order one row by row as the rows come.
    col_major = n_r > 1 and n > 1 and sched.strides[0] < sched.strides[1]
    flagged = np.empty(n_r if col_major else 0)
    if col_major:
        flagged[:] = 0.0
        for j in range(n):
            for i in range(n_r):
                if flagged[i] == 0.0 and not np.isnan(sched[i, j]):
                    flagged[i] = 1.0
    # The live rows (a finite target) and their closes, gathered column by column (each
    # column's few rows from one contiguous stretch, not N columns' pages per row).
    live_idx = np.empty(n_r, dtype=np.int64)
    live_rows = np.empty(n_r, dtype=np.int64)
    n_live = 0
    for i in range(n_r):
        if col_major:
            live = flagged[i] != 0.0
        else:
            live = False
            for j in range(n):
                if not np.isnan(sched[i, j]):
                    live = True
                    break
        if live:
            live_idx[n_live] = i
            live_rows[n_live] = rows[i]
            n_live += 1
    px = np.empty((n_live, n))
    for j in range(n):
        for k in range(n_live):
            px[k, j] = close[live_rows[k], j]
    # Pass 1, the decisions: at each live row the book's value needs only that row's
    # marks (held columns; a missing close looks back to the last one).
    live_cash = np.empty(n_live)  # cash after each rebalance (currency)
    live_units = np.empty((n, n_live))  # units after each rebalance, a column's contiguous
    cash = init_cash
    prev = -1  # the last row visited
    for k in range(n_live):
        i = live_idx[k]
        b = live_rows[k]
        eq = cash
        for j in range(n):
            if units[j] != 0.0:
                if np.isfinite(px[k, j]):
                    mark[j] = px[k, j]
                else:
                    r = b - 1
                    while r > prev and not np.isfinite(close[r, j]):
                        r -= 1
                    if r > prev:
                        mark[j] = close[r, j]
                eq += units[j] * multiplier[j] * mark[j]
        prev = b
        cash_delta = 0.0
        costs = 0.0
        for j in range(n):
            tg = sched[i, j]
            if np.isnan(tg):
                continue
            p = px[k, j]
            priced = p > 0.0 and np.isfinite(p)
            if kind == engine.KIND_WEIGHTS:
                if tg == 0.0:
                    nu = 0.0
                elif priced:
                    nu = engine.round_lots_nb(tg * eq / (multiplier[j] * p), lot[j])
                else:
                    return False
            elif tg == units[j] or priced:
                nu = engine.round_lots_nb(tg, lot[j])
            else:
                return False
            d = nu - units[j]
            if d != 0.0:
                if not priced:
                    return False
                slip = abs(d) * multiplier[j] * p * slippage[j]
                e = p * (1.0 + slippage[j]) if d > 0.0 else p * (1.0 - slippage[j])
                value = abs(d) * multiplier[j] * e
                f = fee[j] * value
                cash_delta -= d * multiplier[j] * e + f
                costs += f + slip
                mark[j] = p
            units[j] = nu
        if shortfall != engine.SHORTFALL_FINANCE and \
                not cash + cash_delta - 0.0 >= -engine._TOL * max(1.0, abs(eq)):
            return False
        cash = cash + cash_delta
        out_costs[b] = 0.0 + costs
        out_scale[b] = 1.0
        for j in range(n):
            out_units[b, j] = units[j]
            live_units[j, k] = units[j]
        live_cash[k] = cash
    # Pass 2, the path: cash per segment, then each column's held value added day by day
    # in column order (contiguous reads; per day the same sum, in the same order, as
    # run_nb's: cash first, assets ascending). Every close is taken as its own mark
    # (vectorised); where one is missing the path comes out non-finite and is redone with
    # the marks carried over the gaps.
    for t in range(n_t):
        out_margin[t] = 0.0
        out_carry[t] = 0.0
    first = live_rows[0] if n_live else n_t
    for t in range(first):
        out_costs[t] = 0.0
        out_scale[t] = np.nan
    for i in range(n_live):
        for t in range(live_rows[i] + 1, live_rows[i + 1] if i + 1 < n_live else n_t):
            out_costs[t] = 0.0
            out_scale[t] = np.nan
    for carried in (False, True):
        for t in range(first):
            out_equity[t] = init_cash
            out_cash[t] = init_cash
        for i in range(n_live):
            for t in range(live_rows[i], live_rows[i + 1] if i + 1 < n_live else n_t):
                out_equity[t] = live_cash[i]
                out_cash[t] = live_cash[i]
        if not carried:
            # Four columns a pass, added in column order (the same sum as one at a time); a
            # column not held adds 0 × close = +0.0, which changes no positive equity.
            j4 = n - n % 4
            for j in range(0, j4, 4):
                for i in range(n_live):
                    c0 = live_units[j, i] * multiplier[j]
                    c1 = live_units[j + 1, i] * multiplier[j + 1]
                    c2 = live_units[j + 2, i] * multiplier[j + 2]
                    c3 = live_units[j + 3, i] * multiplier[j + 3]
                    for t in range(live_rows[i], live_rows[i + 1] if i + 1 < n_live else n_t):
                        out_equity[t] = (((out_equity[t] + c0 * close[t, j])
                                          + c1 * close[t, j + 1]) + c2 * close[t, j + 2]) \
                            + c3 * close[t, j + 3]
            for j in range(j4, n):
                for i in range(n_live):
                    c0 = live_units[j, i] * multiplier[j]
                    for t in range(live_rows[i], live_rows[i + 1] if i + 1 < n_live else n_t):
                        out_equity[t] += c0 * close[t, j]
        for j in range(n if carried else 0):
            m = np.nan
            for i in range(n_live):
                u = live_units[j, i]
                if u == 0.0:
                    continue
                coef_i = u * multiplier[j]
                for t in range(live_rows[i], live_rows[i + 1] if i + 1 < n_live else n_t):
                    p = close[t, j]
                    if np.isfinite(p):
                        m = p
                    out_equity[t] += coef_i * m
        finite = True
        for t in range(n_t):
            finite &= np.isfinite(out_equity[t])
        if finite:
            break
    for t in range(n_t):  # noqa: SIM110 (numba has no all() over generators)
        if not out_equity[t] > 0.0:
            return False
    return True

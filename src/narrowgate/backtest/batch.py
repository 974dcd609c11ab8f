"""Batch kernels: many back-tests on the same prices in one call, parallel over variants.

Each kernel runs variants with numba ``prange`` and keeps only what a sweep needs (equity
paths, a status per variant). The general kernels call :func:`engine.run_nb` (compiled
once, not inlined, so a plain back-test never compiles them and they share its machine
code). :func:`pair_ma_spot_block_nb` is a fast path for the commonest sweep, a spot pair
re-targeted at every close: two scalar positions, no per-asset futures branches, no
allocation per day or per variant; it reproduces ``run_nb``'s arithmetic operation by
operation, so its results are bitwise those of the general kernel.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit, prange

from narrowgate.backtest import engine

STATUS_FALLBACK = -1  # fast path met a shortfall it does not model: rerun with run_nb
GROUP = 8  # variants stepped together per thread in the fast pair path


@njit(cache=True, error_model="numpy")
def _leg_cash_nb(target_units, units, price, multiplier, fee, slippage):  # type: ignore[no-untyped-def]
    """Cash change (currency, negative = paid) of moving one spot leg to ``target_units``
    at ``price`` with a fee (fraction of traded value) and slippage (fraction of price)."""
    d = target_units - units
    if d == 0.0:
        return 0.0
    e = price * (1.0 + slippage) if d > 0.0 else price * (1.0 - slippage)
    return -(d * multiplier * e + fee * (abs(d) * multiplier * e))


@njit(cache=True, error_model="numpy")
def _pair_spot_group_nb(close, ratio, windows, lo, hi, half, flip, year_fraction, init_cash,  # type: ignore[no-untyped-def]
                        multiplier, lot, basis, fee, slippage, borrow, cash_rate, financing_rate,
                        shortfall, any_carry, out_equity, out_status):
    """Variants ``lo``..``hi``-1 of a spot pair sweep, stepped through the days together
    (independent variants in one loop body let the CPU overlap their dependency chains);
    fills their rows of ``out_equity`` (currency) and ``out_status`` like run_nb."""
    n_t = close.shape[0]
    g_n = hi - lo
    m0, m1 = multiplier[0], multiplier[1]
    cash = np.full(g_n, init_cash)
    units0 = np.zeros(g_n)
    units1 = np.zeros(g_n)
    acc = np.zeros(g_n)
    live = np.ones(g_n, dtype=np.bool_)
    for g in range(g_n):
        out_status[lo + g, 0] = engine.STATUS_OK
        out_status[lo + g, 1] = -1.0
        out_status[lo + g, 2] = 0.0
    for t in range(n_t):
        p0 = close[t, 0]
        p1 = close[t, 1]
        yf = year_fraction[t]
        for g in range(g_n):
            if not live[g]:
                continue
            window = windows[lo + g]
            c = cash[g]
            u0 = units0[g]
            u1 = units1[g]
            if any_carry and t > 0:
                carry = 0.0
                if u0 != 0.0:
                    v = u0 * m0 * close[t - 1, 0]
                    if v < 0.0:
                        carry += borrow[0] * v * yf
                    carry -= basis[0] * v * yf
                if u1 != 0.0:
                    v = u1 * m1 * close[t - 1, 1]
                    if v < 0.0:
                        carry += borrow[1] * v * yf
                    carry -= basis[1] * v * yf
                carry += c * (cash_rate if c > 0.0 else financing_rate) * yf
                c += carry
            a = acc[g] + ratio[t]
            if t >= window:
                a -= ratio[t - window]
            acc[g] = a
            if t >= window - 1:
                if ratio[t] > a / window:
                    w0, w1 = half, -half
                elif flip:
                    w0, w1 = -half, half
                else:
                    w0, w1 = 0.0, 0.0
                eq = c
                if u0 != 0.0:
                    eq += u0 * m0 * p0
                if u1 != 0.0:
                    eq += u1 * m1 * p1
                n0 = 0.0 if w0 == 0.0 else engine.round_lots_nb(w0 * eq / (m0 * p0), lot[0])
                n1 = 0.0 if w1 == 0.0 else engine.round_lots_nb(w1 * eq / (m1 * p1), lot[1])
                cd = 0.0
                cd += _leg_cash_nb(n0, u0, p0, m0, fee[0], slippage[0])
                cd += _leg_cash_nb(n1, u1, p1, m1, fee[1], slippage[1])
                if shortfall != engine.SHORTFALL_FINANCE and \
                        c + cd < -engine._TOL * max(1.0, abs(eq)):
                    live[g] = False
                    out_status[lo + g, 0] = STATUS_FALLBACK
                    out_status[lo + g, 1] = t
                    continue
                u0 = n0
                u1 = n1
                c = c + cd
            eq = c
            if u0 != 0.0:
                eq += u0 * m0 * p0
            if u1 != 0.0:
                eq += u1 * m1 * p1
            out_equity[lo + g, t] = eq
            cash[g] = c
            units0[g] = u0
            units1[g] = u1
            if not eq > 0.0:
                live[g] = False
                out_status[lo + g, 0] = engine.STATUS_RUIN
                out_status[lo + g, 1] = t
                out_status[lo + g, 2] = eq


@njit(cache=True, nogil=True, error_model="numpy")
def pair_ma_spot_block_nb(close, ratio, windows, lo, hi, gross, flip, year_fraction,  # type: ignore[no-untyped-def]
                          init_cash, multiplier, lot, basis, fee, slippage, borrow, cash_rate,
                          financing_rate, shortfall, out_equity, out_status):
    """Fast path of :func:`pair_ma_sweep_nb` for variants ``lo``..``hi``-1, two spot legs
    filled at the close (every price finite and positive; ``ratio`` = first / second).
    Releases the GIL, so threads can run blocks side by side. Variants that hit a cash
    shortfall under ``raise`` or ``scale`` get status ``STATUS_FALLBACK`` (rerun them with
    the general kernel); the others equal the general kernel bit for bit. ``out_equity``
    must come filled with NaN (rows after a failure stay NaN)."""
    any_carry = cash_rate != 0.0 or financing_rate != 0.0
    for j in range(2):
        if basis[j] != 0.0 or borrow[j] != 0.0:
            any_carry = True
    half = 0.5 * gross
    for g0 in range(lo, hi, GROUP):
        _pair_spot_group_nb(close, ratio, windows, g0, min(g0 + GROUP, hi), half, flip,
                            year_fraction, init_cash, multiplier, lot, basis, fee, slippage,
                            borrow, cash_rate, financing_rate, shortfall, any_carry,
                            out_equity, out_status)


def pair_ma_spot_sweep(close: np.ndarray, windows: np.ndarray, gross: float, flip: bool,
                       year_fraction: np.ndarray, init_cash: float, multiplier: np.ndarray,
                       lot: np.ndarray, basis: np.ndarray, fee: np.ndarray,
                       slippage: np.ndarray, borrow: np.ndarray, cash_rate: float,
                       financing_rate: float, shortfall: int, out_equity: np.ndarray,
                       out_status: np.ndarray) -> None:
    """:func:`pair_ma_spot_block_nb` over all ``windows`` on ``numba.get_num_threads()``
    threads, in blocks handed out as threads free up. Plain threads instead of a ``prange``
    kernel: the same speed, and about a second less to compile on first use."""
    import numba

    k_n = windows.shape[0]
    ratio = close[:, 0] / close[:, 1]
    threads = max(1, min(numba.get_num_threads(), -(-k_n // GROUP)))
    block = max(GROUP, -(-k_n // (4 * threads * GROUP)) * GROUP)

    def run(lo: int) -> None:
        pair_ma_spot_block_nb(close, ratio, windows, lo, min(lo + block, k_n), gross, flip,
                              year_fraction, init_cash, multiplier, lot, basis, fee, slippage,
                              borrow, cash_rate, financing_rate, shortfall, out_equity,
                              out_status)

    starts = range(0, k_n, block)
    if threads == 1:
        for lo in starts:
            run(lo)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, starts))


@njit(cache=True, error_model="numpy")
def _spot_group_nb(close, targets, lo, hi, kind, year_fraction, init_cash, multiplier, lot,  # type: ignore[no-untyped-def]
                   basis, fee, slippage, borrow, cash_rate, financing_rate, shortfall,
                   any_carry, out_equity, out_status):
    """Variants ``lo``..``hi``-1 of :func:`spot_close_batch_nb`, stepped through the days
    together: the marks are shared, and independent variants in one loop body let the CPU
    overlap their dependency chains (equity → order → cash, a division each day).

    run_nb's day for spot assets filled at the close, operation by operation (bitwise the
    same equity): carry on yesterday's book, mark to the close (no variation margin), then
    the row's rebalance at scale 1 (no margin: the check is cash after the orders). A
    variant that would end in anything but success under run_nb (a missing price, a
    shortfall under raise/scale, ruin) stops with ``STATUS_FALLBACK``."""
    n_t, n = close.shape
    g_n = hi - lo
    cash = np.full(g_n, init_cash)
    units = np.zeros((g_n, n))
    mark_px = np.full(n, np.nan)
    last_px = np.full(n, np.nan)  # yesterday's marks, for the carry on yesterday's book
    live = np.ones(g_n, dtype=np.bool_)
    for g in range(g_n):
        out_status[lo + g, 0] = engine.STATUS_OK
        out_status[lo + g, 1] = -1.0
        out_status[lo + g, 2] = 0.0
    for t in range(n_t):
        for j in range(n):
            p = close[t, j]
            last_px[j] = mark_px[j]
            if np.isfinite(p):
                mark_px[j] = p
        for g in range(g_n):
            if not live[g]:
                continue
            k = lo + g
            c = cash[g]
            if any_carry and t > 0:
                yf = year_fraction[t]
                carry = 0.0
                for j in range(n):
                    u = units[g, j]
                    if u != 0.0:
                        v = u * multiplier[j] * last_px[j]
                        if v < 0.0:
                            carry += borrow[j] * v * yf
                        carry -= basis[j] * v * yf
                carry += c * (cash_rate if c > 0.0 else financing_rate) * yf
                c += carry
            rebalance = False
            for j in range(n):
                if not np.isnan(targets[k, t, j]):
                    rebalance = True
                    break
            if rebalance:
                eq = c
                for j in range(n):
                    if units[g, j] != 0.0:
                        eq += units[g, j] * multiplier[j] * mark_px[j]
                cash_delta = 0.0
                fail = False
                for j in range(n):
                    tg = targets[k, t, j]
                    if np.isnan(tg):
                        continue
                    p = close[t, j]
                    u = units[g, j]
                    if kind == engine.KIND_WEIGHTS:
                        if tg == 0.0:
                            nu = 0.0
                        elif p > 0.0 and np.isfinite(p):
                            nu = engine.round_lots_nb(tg * eq / (multiplier[j] * p), lot[j])
                        else:
                            fail = True
                            break
                    elif tg == u or (p > 0.0 and np.isfinite(p)):
                        nu = engine.round_lots_nb(tg, lot[j])
                    else:
                        fail = True
                        break
                    d = nu - u
                    if d != 0.0:
                        e = p * (1.0 + slippage[j]) if d > 0.0 else p * (1.0 - slippage[j])
                        cash_delta -= d * multiplier[j] * e + fee[j] * (abs(d) * multiplier[j] * e)
                    units[g, j] = nu
                if fail or (shortfall != engine.SHORTFALL_FINANCE and
                            not c + cash_delta - 0.0 >= -engine._TOL * max(1.0, abs(eq))):
                    live[g] = False
                    out_status[k, 0] = STATUS_FALLBACK
                    out_status[k, 1] = t
                    continue
                c = c + cash_delta
            eq = c
            for j in range(n):
                if units[g, j] != 0.0:
                    eq += units[g, j] * multiplier[j] * mark_px[j]
            out_equity[k, t] = eq
            cash[g] = c
            if not eq > 0.0:
                live[g] = False
                out_status[k, 0] = STATUS_FALLBACK
                out_status[k, 1] = t


@njit(cache=True, parallel=True)
def spot_close_batch_nb(close, targets, kind, year_fraction, init_cash, multiplier, lot,  # type: ignore[no-untyped-def]
                        basis, fee, slippage, borrow, cash_rate, financing_rate, shortfall,
                        out_equity, out_status):
    """Fast path of :func:`run_batch_nb` for spot assets filled at the close: K variants of
    ``targets`` (K×T×N, C order) in parallel (``prange``) over groups of ``GROUP``, no
    futures margin, rolls or open fills to branch on, no allocation per day. Variants that
    succeed equal run_batch_nb bit for bit (status 0); the others get ``STATUS_FALLBACK``
    (rerun them with run_batch_nb for their status and partial path). ``out_equity``
    must come filled with NaN."""
    n = close.shape[1]
    any_carry = cash_rate != 0.0 or financing_rate != 0.0
    for j in range(n):
        if basis[j] != 0.0 or borrow[j] != 0.0:
            any_carry = True
    k_n = targets.shape[0]
    for b in prange(-(-k_n // GROUP)):
        _spot_group_nb(close, targets, b * GROUP, min(b * GROUP + GROUP, k_n), kind,
                       year_fraction, init_cash, multiplier, lot, basis, fee, slippage, borrow,
                       cash_rate, financing_rate, shortfall, any_carry, out_equity, out_status)


@njit(cache=True, parallel=True)
def run_batch_nb(close, open_, targets, kind, at_open, year_fraction, init_cash, multiplier,  # type: ignore[no-untyped-def]
                 is_futures, margin_rate, margin_group, lot, basis, fee, slippage, borrow,
                 cash_rate, financing_rate, shortfall, roll, out_equity, out_status):
    """K portfolios on the same prices, ``targets`` K×T×N, in parallel over K; every one
    pays the futures ``roll`` (T×N, 0×0 = none) as in run_nb.

    Fills ``out_equity`` (K×T; rows after a failure keep NaN) and ``out_status`` (K×3:
    status, failing row, detail) with the same meaning as
    :func:`~narrowgate.backtest.engine.run_nb`.
    """
    dummy1 = np.empty(0)
    dummy2 = np.empty((0, 0))
    for k in prange(targets.shape[0]):
        s, r, d = engine.run_nb(close, open_, targets[k], kind, at_open, year_fraction,
                                init_cash, multiplier, is_futures, margin_rate, margin_group,
                                lot, basis, fee, slippage, borrow, cash_rate, financing_rate,
                                shortfall, roll, out_equity[k], False, dummy1, dummy1,
                                dummy2, dummy1, dummy1, dummy1)
        out_status[k, 0] = s
        out_status[k, 1] = r
        out_status[k, 2] = d


@njit(cache=True, parallel=True)
def pair_ma_sweep_nb(close, open_, windows, gross, flip, at_open, year_fraction, init_cash,  # type: ignore[no-untyped-def]
                     multiplier, is_futures, margin_rate, margin_group, lot, basis, fee,
                     slippage, borrow, cash_rate, financing_rate, shortfall, roll, out_equity,
                     out_status):
    """One pair back-test per moving-average window (``close`` is T×2), rebalanced to target
    at every close once the average exists, paying the futures ``roll`` (T×2, 0×0 = none);
    same outputs as :func:`run_batch_nb`."""
    n_t = close.shape[0]
    ratio = close[:, 0] / close[:, 1]
    dummy1 = np.empty(0)
    dummy2 = np.empty((0, 0))
    for k in prange(windows.shape[0]):
        target = np.empty((n_t, 2))
        engine.pair_ma_targets_nb(ratio, windows[k], gross, flip, target)
        s, r, d = engine.run_nb(close, open_, target, engine.KIND_WEIGHTS, at_open,
                                year_fraction, init_cash, multiplier, is_futures, margin_rate,
                                margin_group, lot, basis, fee, slippage, borrow, cash_rate,
                                financing_rate, shortfall, roll, out_equity[k], False, dummy1,
                                dummy1, dummy2, dummy1, dummy1, dummy1)
        out_status[k, 0] = s
        out_status[k, 1] = r
        out_status[k, 2] = d


@njit(cache=True, parallel=True)
def run_windows_nb(close, open_, weights, rebalance, starts, length, at_open, year_fraction,  # type: ignore[no-untyped-def]
                   init_cash, multiplier, is_futures, margin_rate, margin_group, lot, basis, fee,
                   slippage, borrow, cash_rate, financing_rate, shortfall, roll, out_return,
                   out_status):
    """Fresh-start windows of one strategy: for each start s, begin in cash, move to
    ``weights[s]`` at s, follow ``rebalance`` (T, bool) and report the simple return from
    the close of s to the close of s + ``length`` (NaN and a status when a window fails).
    ``roll`` is T×N as in :func:`~narrowgate.backtest.engine.run_nb` (0×0: no rolls); each
    window pays the rolls in its rows."""
    n = close.shape[1]
    for k in prange(starts.shape[0]):
        s = starts[k]
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
        st, r, d = engine.run_nb(close[s:e], open_[s:e], target, engine.KIND_WEIGHTS, at_open,
                                 year_fraction[s:e], init_cash, multiplier, is_futures,
                                 margin_rate, margin_group, lot, basis, fee, slippage, borrow,
                                 cash_rate, financing_rate, shortfall, rolled, eq, False, dummy1,
                                 dummy1, dummy2, dummy1, dummy1, dummy1)
        out_return[k] = eq[length] / init_cash - 1.0 if st == engine.STATUS_OK else np.nan
        out_status[k, 0] = st
        out_status[k, 1] = r
        out_status[k, 2] = d

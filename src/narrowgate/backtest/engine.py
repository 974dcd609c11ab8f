"""Back-test kernels: numba functions on plain float64 arrays, no pandas inside.

Conventions (the pandas layer in ``api.py`` converts to and from these):

* ``close`` and ``open_`` are T×N prices in the instrument's quote (index points for futures).
  ``close``, ``open_`` and ``target`` may be C or Fortran order (the API passes a frame's
  own Fortran-order values, read-only, uncopied); other arrays are 1-D contiguous.
* ``target`` is T×N; a NaN element means "do not trade this asset on this row", a row with
  any finite element is a rebalance. ``target_kind`` says whether finite elements are
  weights (signed notional / equity) or units (shares, or lots for futures).
* Instruments: ``multiplier`` (currency per price point per unit), ``is_futures`` (daily
  mark-to-market into cash, margin instead of notional), ``margin_rate`` (fraction of
  notional), ``lot`` (0 = fractional units, k > 0 = multiples of k), ``basis`` (annualised
  futures basis, fraction per year; a position accrues ``-basis × notional × year_fraction``,
  so a short in a futures contract at a discount pays the discount).
* Costs: ``fee`` (fraction of traded value), ``slippage`` (fraction of price, paid on both
  sides), ``borrow`` (fraction per year of the short market value of non-futures),
  ``cash_rate`` and ``financing_rate`` (fraction per year on positive / negative cash).
  Accruals use ``year_fraction[t]`` (years between row t-1 and row t).
* ``margin_group`` (int64 per asset): -1 = the futures position pays its own margin;
  g in 0..G-1 = futures of group g pay max(their long-side total, their short-side total),
  the exchange's cross-product netting (CFFEX stock-index futures). Spot assets are -1.
* A rebalance settles all its orders together: the check is on the book after all of them,
  ``cash - margin_in_use >= 0``. On a shortfall the kernel raises (returns a status), scales
  the targeted positions down to fit, or allows negative cash (financed), per ``shortfall``.
* ``roll`` (T×N bool, C order; 0×0 = no rolls): a futures leg made of contracts rolled at
  that row's close. The roll closes the old contract and opens the next: two fills of the
  |u| lots held, each paying fee and slippage, ``2 × |u| × multiplier × close × (fee +
  slippage)`` into costs, out of cash. It comes after the row's close mark; at the close,
  before that row's rebalance (which then trades the new contract, so the roll moves the
  units held before it, and the rebalance's shortfall check and weights see the cash after
  the roll); at the next open, after the open's rebalance (the close has no other trade).
  A roll alone is no settlement check (the position is unchanged, like a day's
  mark-to-market); its cost counts in the next rebalance's check and in the ruin check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

KIND_WEIGHTS = 0
KIND_UNITS = 1

SHORTFALL_RAISE = 0
SHORTFALL_SCALE = 1
SHORTFALL_FINANCE = 2

STATUS_OK = 0
STATUS_SHORTFALL = 1
STATUS_NO_PRICE = 2
STATUS_RUIN = 3
STATUS_UNFUNDABLE = 4

_TOL = 1e-9

# Options for kernels only other kernels call: no CPython or C wrapper to generate, which
# takes ~0.15 s off the first compile of a plain back-test.
_CALLEE: dict[str, Any] = {"cache": True, "error_model": "numpy", "no_cpython_wrapper": True,
                           "no_cfunc_wrapper": True}


@njit(cache=True, inline="always", error_model="numpy")
def round_lots_nb(units: float, lot: float) -> float:
    """Nearest multiple of ``lot`` (ties away from zero); ``lot <= 0`` keeps fractions."""
    if lot <= 0.0:
        return units
    q = units / lot
    if q >= 0.0:
        return np.floor(q + 0.5) * lot
    return -np.floor(-q + 0.5) * lot


@njit(**_CALLEE)
def _margin_nb(units, mark_px, multiplier, is_futures, margin_rate, margin_group, side):  # type: ignore[no-untyped-def]
    """Margin in use (currency) for ``units`` at ``mark_px``: ungrouped futures add their
    own margin; each group adds the larger of its long-side and short-side totals.
    ``side`` is scratch space, 2 per group (long, short), overwritten: no allocation."""
    m = 0.0
    for g in range(side.shape[0]):
        side[g] = 0.0
    for j in range(units.shape[0]):
        if is_futures[j] and units[j] != 0.0:
            v = abs(units[j]) * multiplier[j] * mark_px[j] * margin_rate[j]
            g = margin_group[j]
            if g < 0:
                m += v
            elif units[j] > 0.0:
                side[2 * g] += v
            else:
                side[2 * g + 1] += v
    for g in range(0, side.shape[0], 2):
        m += side[g] if side[g] >= side[g + 1] else side[g + 1]
    return m


@njit(**_CALLEE)
def _rebalance_nb(  # type: ignore[no-untyped-def]
    target, r, kind, prices, t, mark_px, units, cash, equity, multiplier,
    is_futures, margin_rate, margin_group, side, lot, fee, slippage, shortfall, desired,
    new_units):
    """Move ``units`` to the targets of row ``r`` at ``prices[t]``; returns status, new
    cash, margin, costs, traded value, the scale applied and the shortfall (currency).

    The orders settle together at a scale of the targets: 1 first; if the book is short
    and the strategy scales, 0 (does it fit at all?), then 60 halvings of [0, 1], then the
    largest scale found to fit. One settlement loop serves every attempt, written out here
    rather than as a helper: each separately compiled numba function adds ~0.1 s to a
    plain back-test's first compile."""
    n = units.shape[0]
    for j in range(n):
        tg = target[r, j]
        if np.isnan(tg):
            desired[j] = units[j]
            continue
        if kind == KIND_WEIGHTS:
            if tg == 0.0:
                desired[j] = 0.0
                continue
            p = prices[t, j]
            if not (p > 0.0 and np.isfinite(p)):
                return STATUS_NO_PRICE, cash, 0.0, 0.0, 0.0, 1.0, float(j)
            desired[j] = tg * equity / (multiplier[j] * p)
        else:
            desired[j] = tg
            if tg != units[j] and not (prices[t, j] > 0.0 and np.isfinite(prices[t, j])):
                return STATUS_NO_PRICE, cash, 0.0, 0.0, 0.0, 1.0, float(j)
    tol = _TOL * max(1.0, abs(equity))
    lo = 0.0
    hi = 1.0
    scale = 1.0
    attempt = 0
    while True:
        cash_delta = 0.0
        costs = 0.0
        traded = 0.0
        for j in range(n):
            nu = units[j]
            if not np.isnan(target[r, j]):
                nu = round_lots_nb(scale * desired[j], lot[j])
            d = nu - units[j]
            if d != 0.0:
                p = prices[t, j]
                slip = abs(d) * multiplier[j] * p * slippage[j]
                e = p * (1.0 + slippage[j]) if d > 0.0 else p * (1.0 - slippage[j])
                value = abs(d) * multiplier[j] * e
                f = fee[j] * value
                if is_futures[j]:
                    cash_delta -= slip + f
                else:
                    cash_delta -= d * multiplier[j] * e + f
                costs += f + slip
                traded += value
            new_units[j] = nu
        margin = _margin_nb(new_units, mark_px, multiplier, is_futures, margin_rate,
                            margin_group, side)
        free = cash + cash_delta - margin
        if attempt == 0:  # the targets in full
            if shortfall == SHORTFALL_FINANCE or free >= -tol:
                break
            if shortfall == SHORTFALL_RAISE:
                return STATUS_SHORTFALL, cash, margin, costs, traded, 1.0, -free
            scale = 0.0
        elif attempt == 1:  # none of the targeted orders: the rest of the book must fit
            if free < -tol:
                return STATUS_UNFUNDABLE, cash, margin, costs, traded, 0.0, -free
            scale = 0.5 * (lo + hi)
        elif attempt <= 61:  # bisection
            if free >= -tol:
                lo = scale
            else:
                hi = scale
            scale = 0.5 * (lo + hi) if attempt < 61 else lo
        else:  # settled at the largest scale that fits
            break
        attempt += 1
    for j in range(n):
        units[j] = new_units[j]
    return STATUS_OK, cash + cash_delta, margin, costs, traded, scale, 0.0


@njit(cache=True, inline="always", error_model="numpy")
def _mark_nb(prices, t, units, mark_px, multiplier, is_futures):  # type: ignore[no-untyped-def]
    """Move marks to ``prices[t]`` where finite; returns the futures variation margin."""
    vm = 0.0
    for j in range(units.shape[0]):
        p = prices[t, j]
        if np.isfinite(p):
            if is_futures[j] and units[j] != 0.0:
                vm += units[j] * multiplier[j] * (p - mark_px[j])
            mark_px[j] = p
    return vm


@njit(cache=True, inline="always", error_model="numpy")
def _equity_nb(cash, units, mark_px, multiplier, is_futures):  # type: ignore[no-untyped-def]
    eq = cash
    for j in range(units.shape[0]):
        if not is_futures[j] and units[j] != 0.0:
            eq += units[j] * multiplier[j] * mark_px[j]
    return eq


@njit(cache=True, inline="always", error_model="numpy")
def _has_target(target, r):  # type: ignore[no-untyped-def]
    for j in range(target.shape[1]):  # noqa: SIM110 (numba has no any() over generators)
        if not np.isnan(target[r, j]):
            return True
    return False


@njit(cache=True, error_model="numpy")
def run_nb(close, open_, target, kind, at_open, year_fraction, init_cash, multiplier, is_futures,  # type: ignore[no-untyped-def]
           margin_rate, margin_group, lot, basis, fee, slippage, borrow, cash_rate,
           financing_rate, shortfall, roll, out_equity, record, out_cash, out_margin, out_units,
           out_costs, out_carry, out_scale):
    """Simulate one portfolio day by day; fills ``out_equity`` (T) and, when ``record``,
    the detail arrays (``out_units`` only on rebalance rows, the rows where ``out_scale``
    is finite: units change nowhere else, so later rows repeat the last one written).
    Returns (status, failing row, detail): detail is the asset index for a missing price,
    or the currency short for a shortfall; row -1 when all went well.

    Day t: accrue carry on the book held since t-1 (borrow, basis, cash interest); if
    ``at_open``, execute row t-1's targets at the open of t; mark to the close of t
    (futures variation margin into cash); roll the futures flagged in ``roll[t]`` (module
    docstring); otherwise execute row t's targets at the close.
    """
    n_t, n = close.shape
    cash = init_cash
    # Only np.empty (float64) allocates here: every other array constructor is one more
    # numba overload to compile on first use (about 0.1 s each).
    units = np.empty(n)
    mark_px = np.empty(n)
    desired = np.empty(n)
    new_units = np.empty(n)
    any_carry = cash_rate != 0.0 or financing_rate != 0.0
    n_groups = 0
    for j in range(n):
        units[j] = 0.0
        mark_px[j] = np.nan
        if basis[j] != 0.0 or (borrow[j] != 0.0 and not is_futures[j]):
            any_carry = True
        if margin_group[j] >= n_groups:
            n_groups = margin_group[j] + 1
    side = np.empty(2 * n_groups)  # per margin group: long-side, short-side margin
    any_roll = roll.shape[0] > 0
    # Fortran-order inputs (a pandas frame's values, uncopied) are read in place: prices
    # row by row (strided, but the N cache lines in use serve 8 days each); targets once
    # column by column in memory order, flagging the rebalance rows (1.0), then only on
    # those rows. Row-major targets are checked row by row as the days come.
    col_major = n_t > 1 and n > 1 and target.strides[0] < target.strides[1]
    rebalance = np.empty(n_t if col_major else 0)
    if col_major:
        rebalance[:] = 0.0
        for j in range(n):
            for r in range(n_t):
                if rebalance[r] == 0.0 and not np.isnan(target[r, j]):
                    rebalance[r] = 1.0
    for t in range(n_t):
        carry = 0.0
        if any_carry and t > 0:
            yf = year_fraction[t]
            for j in range(n):
                if units[j] != 0.0:
                    v = units[j] * multiplier[j] * mark_px[j]
                    if v < 0.0 and not is_futures[j]:
                        carry += borrow[j] * v * yf
                    carry -= basis[j] * v * yf
            carry += cash * (cash_rate if cash > 0.0 else financing_rate) * yf
            cash += carry
        costs = 0.0
        scale = np.nan
        # Filled at the close, the day marks and rolls first and trades after; filled at
        # the open, it trades first (the previous row's targets) and marks and rolls at the
        # close after. Two phases in one loop keep each step written (and compiled) once.
        for phase in range(2):
            if (phase == 0) == at_open:
                trade_row = t - 1 if at_open else t
                if at_open and t > 0:
                    cash += _mark_nb(open_, t, units, mark_px, multiplier, is_futures)
                if trade_row >= 0 and (rebalance[trade_row] != 0.0 if col_major
                                       else _has_target(target, trade_row)):
                    prices = open_ if at_open else close
                    eq = _equity_nb(cash, units, mark_px, multiplier, is_futures)
                    status, cash, _m, paid, _tv, scale, detail = _rebalance_nb(
                        target, trade_row, kind, prices, t, mark_px, units, cash, eq,
                        multiplier, is_futures, margin_rate, margin_group, side, lot, fee,
                        slippage, shortfall, desired, new_units)
                    if status != STATUS_OK:
                        return status, t, detail
                    costs += paid
                    if record:
                        for j in range(n):
                            out_units[t, j] = units[j]
            else:
                cash += _mark_nb(close, t, units, mark_px, multiplier, is_futures)
                if any_roll:  # two fills of the held lots at the roll close (module doc)
                    roll_cost = 0.0
                    for j in range(n):
                        if roll[t, j] and is_futures[j] and units[j] != 0.0:
                            p = close[t, j]
                            if not (p > 0.0 and np.isfinite(p)):
                                return STATUS_NO_PRICE, t, float(j)
                            roll_cost += (2.0 * abs(units[j]) * multiplier[j] * p
                                          * (fee[j] + slippage[j]))
                    cash -= roll_cost
                    costs += roll_cost
        eq = _equity_nb(cash, units, mark_px, multiplier, is_futures)
        out_equity[t] = eq
        if record:
            out_cash[t] = cash
            out_margin[t] = _margin_nb(units, mark_px, multiplier, is_futures, margin_rate,
                                       margin_group, side)
            out_costs[t] = costs
            out_carry[t] = carry
            out_scale[t] = scale
        if not eq > 0.0:
            return STATUS_RUIN, t, eq
    return STATUS_OK, -1, 0.0


@njit(cache=True, inline="always", error_model="numpy")
def pair_ma_targets_nb(ratio, window, gross, flip, out):  # type: ignore[no-untyped-def]
    """Pair weights from the ratio's ``window``-day simple moving average (today included).

    Ratio above its average: +gross/2 first leg, -gross/2 second; at or below: the reverse
    when ``flip`` else flat. NaN (no rebalance) before the average exists.
    """
    n_t = ratio.shape[0]
    acc = 0.0
    half = 0.5 * gross
    for t in range(n_t):
        acc += ratio[t]
        if t >= window:
            acc -= ratio[t - window]
        if t < window - 1:
            out[t, 0] = np.nan
            out[t, 1] = np.nan
            continue
        ma = acc / window
        if ratio[t] > ma:
            out[t, 0] = half
            out[t, 1] = -half
        elif flip:
            out[t, 0] = -half
            out[t, 1] = half
        else:
            out[t, 0] = 0.0
            out[t, 1] = 0.0

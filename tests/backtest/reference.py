"""A slow, obviously-correct back-test: one Python loop over days, one over assets.

Written without the engine's helpers so that agreement means something. Same conventions:
accrue carry on yesterday's book, mark futures into cash, fill targets at the close (or the
next open), settle all orders of a rebalance together, scale the targeted book by bisection
when cash minus margin would go negative (shortfall="scale").

Futures margin: each position pays its own unless it has a ``group`` label; the futures of
one group pay the larger of their long-side and short-side totals (CFFEX netting). Futures
rolls (``roll``, T×N bool): at the flagged close, after marking to it, the lots then held
are sold and bought back at that close, each fill paying fee and slippage; a rebalance at
the same close comes after the roll. ``roll_log``, when given, gets one (row, asset, lots,
cost) per roll charged. Where
the engine stops, this raises RuntimeError: a book that does not fit even with the targeted
positions closed ("unfundable"), equity at or below zero after a close ("ruin").
"""

from __future__ import annotations

import math

import numpy as np


def _lots(x: float, lot: float) -> float:
    if lot <= 0:
        return x
    q = abs(x) / lot
    return math.copysign(math.floor(q + 0.5) * lot, x)


def reference_backtest(close, target, *, kind="weights", open_=None, year_fraction=None,
                       cash0=1_000_000.0, multiplier=None, futures=None, margin=None, lot=None,
                       basis=None, fee=None, slippage=None, borrow=None, cash_rate=0.0,
                       financing_rate=0.0, shortfall="scale", group=None, roll=None,
                       roll_log=None):
    close = np.asarray(close, dtype=float)
    n_t, n = close.shape
    z = [0.0] * n
    multiplier = list(multiplier if multiplier is not None else [1.0] * n)
    futures = list(futures if futures is not None else [False] * n)
    margin = list(margin if margin is not None else z)
    lot = list(lot if lot is not None else z)
    basis = list(basis if basis is not None else z)
    fee = list(fee if fee is not None else z)
    slippage = list(slippage if slippage is not None else z)
    borrow = list(borrow if borrow is not None else z)
    group = list(group if group is not None else [None] * n)
    yf = year_fraction if year_fraction is not None else [1 / 252] * n_t
    cash = cash0
    units = [0.0] * n
    marks = [math.nan] * n
    equity, cash_path, margin_path, pos = [], [], [], []

    def value() -> float:
        return cash + sum(units[j] * multiplier[j] * marks[j] for j in range(n)
                          if not futures[j] and units[j] != 0)

    def position_margin(u, j) -> float:
        return abs(u[j]) * multiplier[j] * marks[j] * margin[j]

    def margin_in_use(u) -> float:
        held = [j for j in range(n) if futures[j] and u[j] != 0]
        total = sum(position_margin(u, j) for j in held if group[j] is None)
        for g in dict.fromkeys(group[j] for j in held if group[j] is not None):
            long_side = sum(position_margin(u, j) for j in held if group[j] == g and u[j] > 0)
            short_side = sum(position_margin(u, j) for j in held if group[j] == g and u[j] < 0)
            total += max(long_side, short_side)
        return total

    def mark(prices) -> None:
        nonlocal cash
        for j in range(n):
            if not math.isnan(prices[j]):
                if futures[j] and units[j] != 0:
                    cash += units[j] * multiplier[j] * (prices[j] - marks[j])
                marks[j] = prices[j]

    def roll_at(t) -> None:
        nonlocal cash
        if roll is None:
            return
        for j in range(n):
            if roll[t][j] and futures[j] and units[j] != 0:
                px = close[t][j]
                sell, buy = px * (1 - slippage[j]), px * (1 + slippage[j])
                size = abs(units[j]) * multiplier[j]
                paid = size * (px - sell) + fee[j] * size * sell  # close the old contract
                paid += size * (buy - px) + fee[j] * size * buy  # open the next
                cash -= paid
                if roll_log is not None:
                    roll_log.append((t, j, units[j], paid))

    def rebalance(row, prices) -> None:
        nonlocal cash, units
        eq = value()
        want = []
        for j in range(n):
            if math.isnan(row[j]):
                want.append(None)
            elif kind == "weights":
                want.append(0.0 if row[j] == 0 else row[j] * eq / (multiplier[j] * prices[j]))
            else:
                want.append(row[j])

        def book(k):
            new = [units[j] if want[j] is None else _lots(k * want[j], lot[j]) for j in range(n)]
            c = cash
            for j in range(n):
                d = new[j] - units[j]
                if d == 0:
                    continue
                px = prices[j] * (1 + slippage[j] if d > 0 else 1 - slippage[j])
                traded = abs(d) * multiplier[j] * px
                if futures[j]:
                    c -= abs(d) * multiplier[j] * prices[j] * slippage[j]
                else:
                    c -= d * multiplier[j] * px
                c -= fee[j] * traded
            return new, c

        def ok(new, c):
            return c - margin_in_use(new) >= -1e-9 * max(1.0, abs(eq))

        new, c = book(1.0)
        if shortfall != "finance" and not ok(new, c):
            if shortfall == "raise":
                raise RuntimeError("shortfall")
            if not ok(*book(0.0)):
                raise RuntimeError("unfundable")
            lo, hi = 0.0, 1.0
            for _ in range(60):
                mid = (lo + hi) / 2
                if ok(*book(mid)):
                    lo = mid
                else:
                    hi = mid
            new, c = book(lo)
        units, cash = new, c

    for t in range(n_t):
        if t > 0:
            carry = 0.0
            for j in range(n):
                if units[j] != 0:
                    v = units[j] * multiplier[j] * marks[j]
                    if v < 0 and not futures[j]:
                        carry -= borrow[j] * abs(v) * yf[t]
                    carry -= basis[j] * v * yf[t]
            carry += cash * (cash_rate if cash > 0 else financing_rate) * yf[t]
            cash += carry
        if open_ is not None:
            if t > 0:
                mark(open_[t])
                row = target[t - 1]
                if not all(math.isnan(x) for x in row):
                    rebalance(row, open_[t])
            mark(close[t])
            roll_at(t)
        else:
            mark(close[t])
            roll_at(t)
            row = target[t]
            if not all(math.isnan(x) for x in row):
                rebalance(row, close[t])
        equity.append(value())
        if not equity[-1] > 0:
            raise RuntimeError("ruin")
        cash_path.append(cash)
        margin_path.append(margin_in_use(units))
        pos.append(list(units))
    return np.array(equity), np.array(cash_path), np.array(margin_path), np.array(pos)

"""Where a back-test's money came from: each asset's price P&L, fees, rolls, borrow and
basis, and the interest on cash — terms that add up to the equity change exactly.

Why a module of its own: a headline return after costs hides whether a trade won on its
legs or lost it to carry and fees; the engine already computes every term, this module
only splits them by asset. It re-derives them from the result's units and prices under the
kernel's conventions (:mod:`narrowgate.backtest.engine`) for fills at the close:

* price P&L of asset j on day t: units held after t-1 × multiplier × (close t − close
  t-1), closes carried forward over gaps (the kernel marks only finite prices);
* fees and slippage: each fill's ``fee × |units| × multiplier × fill price`` plus
  ``slippage × |units| × multiplier × close``; a roll's two fills are its own term;
* borrow (spot shorts) and basis (futures) accrue on the value held since t-1 at the
  mark of t-1 over the year fraction the back-test used; cash earns or pays its rate.

All amounts are in the cash currency; ``total`` = last equity − initial cash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from narrowgate.backtest.api import BacktestError, BacktestResult, Costs, InstrumentSpec
from narrowgate.backtest.api import year_fraction as _year_fraction
from narrowgate.backtest.inputs import engine_inputs

#: The per-asset terms, in the order a waterfall draws them.
TERMS = ("price", "basis", "borrow", "fees", "rolls")


@dataclass(frozen=True)
class Attribution:
    """P&L by asset and term (``by_asset``: rows = assets, columns = :data:`TERMS`,
    currency; costs and paid carry negative), ``interest`` on cash (currency), ``total``
    (last equity − ``initial_cash``) and ``initial_cash``."""

    by_asset: pd.DataFrame
    interest: float
    total: float
    initial_cash: float

    @property
    def residual(self) -> float:
        """Total minus the sum of the terms (currency): rounding only, by construction of
        the kernel; a test holds it under 1e-9 of capital on the real trades."""
        return self.total - float(self.by_asset.to_numpy().sum()) - self.interest


def pnl_attribution(result: BacktestResult, *, costs: Costs,
                    instruments: dict[str, InstrumentSpec] | None = None,
                    initial_cash: float, periods_per_year: float | None = None
                    ) -> Attribution:
    """Split ``result`` (a back-test filled at the close) into :class:`Attribution` terms.

    ``costs``, ``instruments`` and ``initial_cash`` are the ones the back-test ran with;
    ``periods_per_year`` as given to it (None: ACT/365 year fractions of the dates)."""
    if result._at_open:
        raise BacktestError("P&L attribution reads fills at the close",
                            "run the back-test with execution='close'")
    close = result._close
    columns = [str(c) for c in close.columns]
    spec = engine_inputs(columns, instruments, costs)
    marks = close.ffill().to_numpy(dtype=np.float64, na_value=np.nan)
    held = result._held
    before = np.vstack([np.zeros((1, held.shape[1])), held[:-1]])  # units held since t-1
    moves = np.nan_to_num(np.diff(marks, axis=0, prepend=marks[:1]), nan=0.0)
    price = (before * moves * spec.multiplier).sum(axis=0)

    prev_marks = np.nan_to_num(np.vstack([marks[:1], marks[:-1]]), nan=0.0)
    value = before * prev_marks * spec.multiplier  # value held since t-1 at the t-1 mark
    yf = _year_fraction(close.index, periods_per_year)[:, None]
    spot_short = (value < 0.0) & ~spec.is_futures
    borrow = (np.where(spot_short, value, 0.0) * spec.borrow * yf).sum(axis=0)
    basis = -(value * spec.basis * yf).sum(axis=0)
    cash_before = np.concatenate([[initial_cash], result.cash.to_numpy()[:-1]])
    rate = np.where(cash_before > 0.0, spec.cash_rate, spec.financing_rate)
    interest = float((cash_before * rate * yf[:, 0])[1:].sum())

    delta = np.abs(np.diff(held, axis=0, prepend=np.zeros((1, held.shape[1]))))
    raw_px = np.nan_to_num(result._fill_px, nan=0.0)
    fill = raw_px * np.where(np.diff(held, axis=0, prepend=np.zeros((1, held.shape[1]))) > 0,
                             1.0 + spec.slippage, 1.0 - spec.slippage)
    fees = -(delta * spec.multiplier * (spec.fee * fill + spec.slippage * raw_px)).sum(axis=0)
    rolled = result.roll_trades.groupby("asset")["cost"].sum()
    rolls = -np.array([float(rolled.get(c, 0.0)) for c in columns])

    frame = pd.DataFrame({"price": price, "basis": basis, "borrow": borrow, "fees": fees,
                          "rolls": rolls}, index=columns)[list(TERMS)]
    total = float(result.equity.iloc[-1]) - initial_cash
    return Attribution(by_asset=frame, interest=interest, total=total,
                       initial_cash=initial_cash)

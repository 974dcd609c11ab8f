"""Equity duration: how far a price moves when the discount rate moves.

An equity is a claim on a growing stream of cash to holders (dividends plus buybacks:
``payout_ratio`` × earnings). Its *modified* duration ``-(dP/dr)/P`` is in years and gives
the first-order price change for a rate move: ``dP/P ≈ -D_mod × dr``.

* Growing perpetuity (Gordon): ``P = CF_1 / (r - g)`` so ``D_mod = 1 / (r - g)`` and the
  Macaulay duration is ``(1 + r) / (r - g)``. With ``CF_1 = payout × E_1``,
  ``1 / (r - g) = forward P/E / payout`` = 1 / forward cash yield: a P/E of 30 with full
  payout is a duration of 30 years.
* Two stages: cash grows at ``g`` for ``years`` years, then at ``terminal_growth`` forever
  (the same path as :func:`narrowgate.models.dcf.dcf_value`); the Macaulay duration is
  the PV-weighted mean time of that path, the terminal perpetuity included in closed form.

Assumption for "a 50 bp move in the 10-year yield": the equity risk premium stays put, so
the discount rate moves one for one with the yield. Rates are decimals per year,
compounded yearly. Invalid inputs raise ``ValuationInputError`` (a NarrowgateError and a
ValueError), e.g. a discount rate at or below the growth rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from narrowgate.models.dcf import dcf_value, find_root
from narrowgate.models.valuation import require_valid

PeBasis = Literal["trailing", "forward"]


def perpetuity_duration(discount_rate: float, growth: float) -> float:
    """Modified duration ``1 / (r - g)`` of a growing perpetuity, in years."""
    require_valid(
        discount_rate > growth,
        f"discount rate {discount_rate:.2%} must exceed growth {growth:.2%}",
    )
    return 1.0 / (discount_rate - growth)


def duration_from_pe(
    pe: float, payout_ratio: float = 1.0, *, growth: float = 0.0, basis: PeBasis = "forward"
) -> float:
    """Perpetuity duration ``1 / (r - g)`` read off a P/E: forward P/E / payout.

    A trailing P/E is turned into a forward one with next year's growth: ``PE / (1 + g)``.
    """
    require_valid(pe > 0, f"P/E must be positive for a duration, got {pe:g}")
    require_valid(0 < payout_ratio <= 1.5, f"payout ratio {payout_ratio:g} outside (0, 1.5]")
    forward = pe / (1.0 + growth) if basis == "trailing" else pe
    return forward / payout_ratio


def duration_from_dividend_yield(
    dividend_yield: float, *, growth: float = 0.0, basis: PeBasis = "trailing"
) -> float:
    """Perpetuity duration ``1 / (r - g)`` = 1 / forward dividend yield (decimal)."""
    require_valid(dividend_yield > 0, f"dividend yield must be positive, got {dividend_yield:g}")
    forward = dividend_yield * (1.0 + growth) if basis == "trailing" else dividend_yield
    return 1.0 / forward


def perpetuity_price_change(discount_rate: float, growth: float, shift: float) -> float:
    """Exact relative price change of a growing perpetuity when r moves by ``shift``."""
    duration = perpetuity_duration(discount_rate, growth)
    require_valid(discount_rate + shift > growth, "the shifted rate must stay above growth")
    return 1.0 / (1.0 + shift * duration) - 1.0


@dataclass(frozen=True)
class Duration:
    """Macaulay and modified duration (years) of a two-stage cash-flow path, and its value
    per unit of current cash flow (``CF_0 = 1``)."""

    macaulay: float
    modified: float
    value: float


def two_stage_duration(
    discount_rate: float, growth: float, years: int, terminal_growth: float
) -> Duration:
    """Duration of ``CF_t = (1+g)^t`` for t = 1…N, then growth ``terminal_growth`` forever.

    Macaulay = [Σ t·PV_t + PV_TV · (N + (1+r)/(r − g_T))] / P; modified = Macaulay / (1+r).
    """
    value = dcf_value(
        1.0, growth, discount_rate=discount_rate, terminal_growth=terminal_growth, years=years
    )
    t = np.arange(1, years + 1, dtype=float)
    ratio = (1.0 + growth) / (1.0 + discount_rate)
    pv = ratio**t
    pv_terminal = ratio**years * (1.0 + terminal_growth) / (discount_rate - terminal_growth)
    terminal_time = years + (1.0 + discount_rate) / (discount_rate - terminal_growth)
    macaulay = (float(np.sum(t * pv)) + pv_terminal * terminal_time) / value
    return Duration(macaulay, macaulay / (1.0 + discount_rate), value)


def two_stage_price_change(
    discount_rate: float, growth: float, years: int, terminal_growth: float, shift: float
) -> float:
    """Exact relative price change of the two-stage path when r moves by ``shift``."""
    before = dcf_value(
        1.0, growth, discount_rate=discount_rate, terminal_growth=terminal_growth, years=years
    )
    after = dcf_value(
        1.0,
        growth,
        discount_rate=discount_rate + shift,
        terminal_growth=terminal_growth,
        years=years,
    )
    return after / before - 1.0


def implied_discount_rate(
    pe: float,
    growth: float,
    years: int,
    terminal_growth: float,
    payout_ratio: float = 1.0,
    *,
    basis: PeBasis = "trailing",
) -> float:
    """Discount rate at which the two-stage path of ``payout × E`` is worth ``pe × E``.

    ``basis='trailing'``: the P/E is on this year's earnings E_0 (cash grows from E_0);
    ``'forward'``: on next year's, so E_0 = E_1 / (1 + g). The root lies in
    (terminal_growth, 100%]; a P/E too low even for 100 % is refused.
    """
    require_valid(pe > 0, f"P/E must be positive, got {pe:g}")
    require_valid(0 < payout_ratio <= 1.5, f"payout ratio {payout_ratio:g} outside (0, 1.5]")
    trailing_pe = pe * (1.0 + growth) if basis == "forward" else pe
    target = trailing_pe / payout_ratio  # price per unit of current cash flow

    def gap(rate: float) -> float:
        return (
            dcf_value(1.0, growth, discount_rate=rate, terminal_growth=terminal_growth, years=years)
            - target
        )

    low, high = terminal_growth + 1e-9, 1.0
    require_valid(
        gap(high) <= 0,
        f"P/E {pe:g} is too low for any discount rate up to 100% with these growth inputs",
    )
    return find_root(gap, low, high)


@dataclass(frozen=True)
class EquityAssumptions:
    """What one market (e.g. Nasdaq-100 via QQQ, the Dow via DIA) is assumed to be.

    ``pe`` on ``basis`` earnings; ``growth`` for ``years`` years, then ``terminal_growth``;
    ``payout_ratio`` = cash to holders / earnings; ``source`` says where the P/E and the
    growth come from (and when), for the evidence.
    """

    name: str
    pe: float
    growth: float
    years: int
    terminal_growth: float
    payout_ratio: float = 1.0
    basis: PeBasis = "forward"
    source: str = ""


def compare_duration(
    assumptions: Sequence[EquityAssumptions], shift: float = 0.005
) -> pd.DataFrame:
    """Side-by-side duration and rate sensitivity, one row per market.

    Columns: implied_discount_rate (two-stage, from the P/E), macaulay and modified duration
    (years), price_change (exact, for ``shift``), price_change_linear (``-D_mod × shift``),
    perpetuity_duration (forward P/E / payout) and perpetuity_price_change.
    """
    rows = []
    for a in assumptions:
        rate = implied_discount_rate(
            a.pe, a.growth, a.years, a.terminal_growth, a.payout_ratio, basis=a.basis
        )
        duration = two_stage_duration(rate, a.growth, a.years, a.terminal_growth)
        perpetuity = duration_from_pe(a.pe, a.payout_ratio, growth=a.growth, basis=a.basis)
        rows.append(
            {
                "name": a.name,
                "pe": a.pe,
                "pe_basis": a.basis,
                "growth": a.growth,
                "years": a.years,
                "terminal_growth": a.terminal_growth,
                "payout_ratio": a.payout_ratio,
                "implied_discount_rate": rate,
                "macaulay": duration.macaulay,
                "modified": duration.modified,
                "price_change": two_stage_price_change(
                    rate, a.growth, a.years, a.terminal_growth, shift
                ),
                "price_change_linear": -duration.modified * shift,
                "perpetuity_duration": perpetuity,
                "perpetuity_price_change": 1.0 / (1.0 + shift * perpetuity) - 1.0,
                "shift": shift,
                "source": a.source,
            }
        )
    return pd.DataFrame(rows).set_index("name")


__all__ = [
    "Duration",
    "EquityAssumptions",
    "compare_duration",
    "duration_from_dividend_yield",
    "duration_from_pe",
    "implied_discount_rate",
    "perpetuity_duration",
    "perpetuity_price_change",
    "two_stage_duration",
    "two_stage_price_change",
]

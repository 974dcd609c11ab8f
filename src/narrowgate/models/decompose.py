"""Return decomposition: where a return came from — earnings, the multiple, or dividends.

With price P, earnings per share (or index earnings) E and the multiple P/E:

    log(P1/P0) = log(E1/E0) + log(PE1/PE0)                 (an identity when PE = P/E)
    total      = log(P1/P0) + dividend
               = eps_growth + multiple_change + dividend + residual

All terms are natural-log returns over the window (not annualised), so they add. Where E is
missing or not positive at either end the EPS and multiple terms are undefined: they are set
to 0, ``eps_defined`` is False, and the whole price return sits in ``residual``. Where E is
defined the residual is only floating-point noise. The terms sum to ``total`` within 1e-12.

For an index with a P/E series (the CSI files in ../shared/data), E = P / PE. For a stock,
pass reported EPS; it is aligned as of each price date (the last figure known then, so pass
it indexed by the date it became public to avoid look-ahead).

Dividends: either a total-return index (dividend = its log return minus the price's), or a
trailing dividend yield (annual, decimal) accrued day by day over calendar time (365.25
days/yr). Without either, the dividend term is 0 (a price index, like the CSI files).

A basket of companies (:func:`basket_decomposition`): with market value M = P × S and total
earnings E, each company's log return is log(E1/E0) + log(S0/S1) + log(PE1/PE0) + dividend
(net share-count change in the middle: buybacks net of issuance); the cap-weighted basket's
simple return Σ w·r (w: start market value share) is shared out across each company's log
terms in proportion to them, so the terms sum to the basket's return within 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from narrowgate.models.valuation import require_valid

DAYS_PER_YEAR = 365.25
TERMS = ("eps_growth", "multiple_change", "dividend", "residual")
COLUMNS = (
    "start",
    "end",
    "price_start",
    "price_end",
    "eps_start",
    "eps_end",
    "pe_start",
    "pe_end",
    "price_return",
    "total",
    *TERMS,
    "eps_defined",
)


def eps_from_pe(close: pd.Series, pe: pd.Series) -> pd.Series:
    """Earnings per unit of the index (or share) implied by a P/E series: E = P / PE.

    PE is aligned on the price dates; missing or zero PE gives NaN (undefined earnings).
    """
    aligned = pe.reindex(close.index).astype(float)
    return (close / aligned.where(aligned != 0)).rename("eps")


def align_eps(close: pd.Series, eps: pd.Series) -> pd.Series:
    """Reported EPS as known on each price date: the last figure on or before that date."""
    known = eps.dropna().sort_index()
    return known.reindex(close.index.union(known.index)).ffill().reindex(close.index)


def dividend_log_index(
    close: pd.Series,
    *,
    dividend_yield: pd.Series | None = None,
    total_return: pd.Series | None = None,
) -> pd.Series:
    """Cumulative dividend contribution (log) at each price date; 0 at the first date.

    The dividend term over [t0, t1] is the difference of this series between t1 and t0.
    A total-return index gives log(TR/P) rebased to 0; a yield accrues
    ``log(1 + y_(i-1) * days_i / 365.25)`` per interval, using the yield known at its start.
    """
    require_valid(
        dividend_yield is None or total_return is None,
        "pass a dividend yield or a total-return index, not both",
    )
    if total_return is not None:
        level = np.log(total_return.reindex(close.index).astype(float)) - np.log(close)
        require_valid(bool(level.notna().all()), "total-return index misses some price dates")
        return (level - level.iloc[0]).rename("dividend")
    if dividend_yield is None:
        return pd.Series(0.0, index=close.index, name="dividend")
    known = align_eps(close, dividend_yield).fillna(0.0).to_numpy(dtype=float)
    days = np.diff(close.index.to_numpy()).astype("timedelta64[s]").astype(float) / 86400.0
    accrual = np.log1p(known[:-1] * days / DAYS_PER_YEAR)
    return pd.Series(np.concatenate([[0.0], np.cumsum(accrual)]), close.index, name="dividend")


def _prepare(
    close: pd.Series,
    pe: pd.Series | None,
    eps: pd.Series | None,
    dividend_yield: pd.Series | None,
    total_return: pd.Series | None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    require_valid(isinstance(close.index, pd.DatetimeIndex), "close needs a DatetimeIndex")
    require_valid(pe is None or eps is None, "pass a P/E series or an EPS series, not both")
    close = close.dropna().astype(float).sort_index()
    require_valid(bool((close > 0).all()), "prices must be positive")
    if pe is not None:
        earnings = eps_from_pe(close, pe.sort_index())
    elif eps is not None:
        earnings = align_eps(close, eps.astype(float))
    else:
        earnings = pd.Series(np.nan, index=close.index)
    dividend = dividend_log_index(close, dividend_yield=dividend_yield, total_return=total_return)
    return close, earnings, dividend


def _frame(
    starts: pd.Index,
    ends: pd.Index,
    p0: np.ndarray,
    p1: np.ndarray,
    e0: np.ndarray,
    e1: np.ndarray,
    div: np.ndarray,
) -> pd.DataFrame:
    """Vectorised decomposition of many (start, end) pairs."""
    price_return = np.log(p1 / p0)
    total = price_return + div
    with np.errstate(all="ignore"):  # undefined pairs are masked out below
        pe0, pe1 = p0 / e0, p1 / e1
        growth, change = np.log(e1 / e0), np.log(pe1 / pe0)
    positive = (e0 > 0) & (e1 > 0)
    defined = positive & np.isfinite(growth) & np.isfinite(change)
    eps_growth = np.where(defined, growth, 0.0)
    multiple = np.where(defined, change, 0.0)
    residual = total - eps_growth - multiple - div
    return pd.DataFrame(
        {
            "start": starts,
            "end": ends,
            "price_start": p0,
            "price_end": p1,
            "eps_start": e0,
            "eps_end": e1,
            "pe_start": pe0,
            "pe_end": pe1,
            "price_return": price_return,
            "total": total,
            "eps_growth": eps_growth,
            "multiple_change": multiple,
            "dividend": div,
            "residual": residual,
            "eps_defined": defined,
        },
        index=pd.Index(ends, name="date"),
    )


def decompose_return(
    close: pd.Series,
    start: date | pd.Timestamp | str,
    end: date | pd.Timestamp | str,
    *,
    pe: pd.Series | None = None,
    eps: pd.Series | None = None,
    dividend_yield: pd.Series | None = None,
    total_return: pd.Series | None = None,
) -> pd.DataFrame:
    """Decompose the return between the first price on/after ``start`` and the last on/before
    ``end``; one row indexed by the end date, columns :data:`COLUMNS` (log returns)."""
    close, earnings, dividend = _prepare(close, pe, eps, dividend_yield, total_return)
    window = close.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    require_valid(len(window) >= 2, f"fewer than two prices between {start} and {end}")
    first, last = window.index[0], window.index[-1]
    return _frame(
        pd.Index([first]),
        pd.Index([last]),
        np.array([close[first]]),
        np.array([close[last]]),
        np.array([earnings[first]], dtype=float),
        np.array([earnings[last]], dtype=float),
        np.array([dividend[last] - dividend[first]]),
    )


def rolling_decomposition(
    close: pd.Series,
    window: int,
    *,
    pe: pd.Series | None = None,
    eps: pd.Series | None = None,
    dividend_yield: pd.Series | None = None,
    total_return: pd.Series | None = None,
) -> pd.DataFrame:
    """Decomposition over every window of ``window`` observations (e.g. 250 ≈ one trading
    year), one row per window end; columns :data:`COLUMNS`."""
    require_valid(window >= 1, f"window must be at least one observation, got {window}")
    close, earnings, dividend = _prepare(close, pe, eps, dividend_yield, total_return)
    require_valid(len(close) > window, f"need more than {window} prices, got {len(close)}")
    p = close.to_numpy()
    e = earnings.to_numpy(dtype=float)
    d = dividend.to_numpy(dtype=float)
    return _frame(
        close.index[:-window],
        close.index[window:],
        p[:-window],
        p[window:],
        e[:-window],
        e[window:],
        d[window:] - d[:-window],
    )


#: the additive terms of a company's (and a basket's) return, in this order
BASKET_TERMS = ("earnings_growth", "share_count", "multiple_change", "valuation_unsplit",
                "dividend")


@dataclass(frozen=True)
class HoldingMove:
    """One company over one window. Prices per share and share counts on ONE split basis
    (so ``price × shares`` is market value at both ends); earnings are the company's total
    (e.g. fiscal-year net income, USD, None when unknown); ``dividend`` is the log dividend
    term over the window (total-return log change minus the price's; 0 for a price return).
    """

    name: str
    price_start: float
    price_end: float
    shares_start: float
    shares_end: float
    earnings_start: float | None = None
    earnings_end: float | None = None
    dividend: float = 0.0

    @property
    def value_start(self) -> float:
        return self.price_start * self.shares_start

    @property
    def value_end(self) -> float:
        return self.price_end * self.shares_end


def holding_terms(move: HoldingMove) -> dict[str, float]:
    """Natural-log terms of one company's total return (they add up exactly):

        log(P1/P0) + dividend = log(E1/E0) + log(S0/S1) + log(PE1/PE0) + dividend

    with PE = market value / earnings. ``share_count`` = log(S0/S1) is the net share-count
    change (buybacks net of issuance: positive when the count fell). Where earnings are
    unknown or not positive at either end, a P/E means nothing: earnings growth and the
    multiple change are 0 and the market-value change log(M1/M0) sits in
    ``valuation_unsplit`` instead (``eps_defined`` 0.0)."""
    require_valid(min(move.price_start, move.price_end, move.shares_start,
                      move.shares_end) > 0, f"{move.name}: prices and share counts must be "
                                            "positive")
    price = float(np.log(move.price_end / move.price_start))
    shares = float(np.log(move.shares_start / move.shares_end))
    value = price - shares  # log(M1/M0)
    e0, e1 = move.earnings_start, move.earnings_end
    defined = e0 is not None and e1 is not None and e0 > 0 and e1 > 0
    growth = float(np.log(e1 / e0)) if defined and e0 and e1 else 0.0
    return {"price_return": price, "total": price + move.dividend,
            "earnings_growth": growth, "share_count": shares,
            "multiple_change": value - growth if defined else 0.0,
            "valuation_unsplit": 0.0 if defined else value, "dividend": move.dividend,
            "eps_defined": float(defined)}


def basket_decomposition(moves: list[HoldingMove]) -> pd.DataFrame:
    """A cap-weighted (buy-and-hold, weights = market value at the start) basket's simple
    return split into :data:`BASKET_TERMS`, one row per company plus ``basket``.

    Each company's simple return r = exp(total) − 1 contributes w·r; that contribution is
    split across its log terms in proportion to them (r/total × term; a zero total gives
    factor 1), so every row's ``c_*`` columns sum to its ``contribution`` and the basket
    row sums to the basket return Σ w·r — exactly, up to floating point (1e-12). Columns:
    weight, value_start, value_end, the log terms, r (``simple_return``),
    ``contribution`` and ``c_<term>`` (decimals of the basket's start value)."""
    require_valid(len(moves) > 0, "a basket needs at least one company")
    start = sum(m.value_start for m in moves)
    rows = []
    for m in moves:
        t = holding_terms(m)
        total = t["total"]
        simple = float(np.expm1(total))
        w = m.value_start / start
        k = simple / total if total != 0 else 1.0
        row = {"name": m.name, "weight": w, "value_start": m.value_start,
               "value_end": m.value_end, **t, "simple_return": simple,
               "contribution": w * simple}
        row |= {f"c_{term}": w * k * t[term] for term in BASKET_TERMS}
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("name")
    summed = frame[["weight", "value_start", "value_end", "contribution",
                    *(f"c_{term}" for term in BASKET_TERMS)]].sum()
    summed["simple_return"] = summed["contribution"]
    frame.loc["basket"] = summed
    return frame


def max_unknown_share(measured_share: float, line: float, *, lowest: float = -1.0,
                      highest: float = 1.0) -> float:
    """The most of a basket's return (decimal) that companies whose term is unknown may hold
    while the term's share stays on the measured side of ``line`` whatever they did.

    ``measured_share``: the term's share of the measured companies' return; ``lowest`` /
    ``highest``: the fractions of their own contribution the term can be for the unknown
    companies (default −1 … 1: a net share-count change explains at most all of a rise,
    either way). With a share m of the return held by them the share is
    (1 − m)·s + m·f; below the line the worst case is f = ``highest``, above it f =
    ``lowest``. A share on the line itself gives 0 (nothing may be unknown)."""
    require_valid(lowest < highest, "lowest must be below highest")
    s = measured_share
    if s < line:
        require_valid(highest > line, "the highest fraction must lie above the line")
        return (line - s) / (highest - s)
    if s > line:
        require_valid(lowest < line, "the lowest fraction must lie below the line")
        return (s - line) / (s - lowest)
    return 0.0


__all__ = [
    "BASKET_TERMS",
    "COLUMNS",
    "TERMS",
    "HoldingMove",
    "align_eps",
    "basket_decomposition",
    "decompose_return",
    "dividend_log_index",
    "eps_from_pe",
    "holding_terms",
    "max_unknown_share",
    "rolling_decomposition",
]

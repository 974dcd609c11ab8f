"""Performance metrics with their units in every signature.

Returns are simple per-period fractions (0.01 = +1% in one period). ``periods_per_year`` is
how many such periods make a year (252 for trading days, 52 weekly, 12 monthly, 365 for
crypto calendar days); ``risk_free_per_period`` is the risk-free return *per period* (an
annual 4% over 252 days is about 0.04 / 252), never an annual rate. Both are keyword-only
and required, so a unit cannot be assumed silently. Conventions follow empyrical
(sample standard deviation, ddof=1; CAGR over ``len(returns) / periods_per_year`` years);
NaN returns are ignored; an empty or degenerate input gives NaN.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

ArrayLike = npt.ArrayLike


def _clean(returns: ArrayLike) -> np.ndarray:
    arr = np.asarray(returns, dtype=np.float64).ravel()
    return arr[~np.isnan(arr)]


def cagr(returns: ArrayLike, *, periods_per_year: float) -> float:
    """Compound annual growth rate (fraction per year) of a return series."""
    r = _clean(returns)
    if r.size == 0:
        return float("nan")
    growth = float(np.prod(1.0 + r))
    years = r.size / periods_per_year
    return growth ** (1.0 / years) - 1.0 if growth > 0 else -1.0


def annual_volatility(returns: ArrayLike, *, periods_per_year: float) -> float:
    """Standard deviation of returns (ddof=1) scaled by sqrt(periods_per_year): per year."""
    r = _clean(returns)
    if r.size < 2:
        return float("nan")
    return float(np.std(r, ddof=1) * np.sqrt(periods_per_year))


def sharpe_ratio(returns: ArrayLike, *, risk_free_per_period: float,
                 periods_per_year: float) -> float:
    """Mean excess return over its standard deviation (ddof=1), × sqrt(periods_per_year)."""
    r = _clean(returns) - risk_free_per_period
    if r.size < 2:
        return float("nan")
    sd = np.std(r, ddof=1)
    return float(np.mean(r) / sd * np.sqrt(periods_per_year)) if sd > 0 else float("nan")


def downside_risk(returns: ArrayLike, *, required_return_per_period: float,
                  periods_per_year: float) -> float:
    """Root mean square of shortfalls below the required return, per year."""
    r = _clean(returns)
    if r.size == 0:
        return float("nan")
    short = np.minimum(r - required_return_per_period, 0.0)
    return float(np.sqrt(np.mean(short**2)) * np.sqrt(periods_per_year))


def sortino_ratio(returns: ArrayLike, *, risk_free_per_period: float,
                  periods_per_year: float) -> float:
    """Annualised mean excess return over annualised downside risk (target = risk-free)."""
    r = _clean(returns)
    if r.size == 0:
        return float("nan")
    dr = downside_risk(r, required_return_per_period=risk_free_per_period,
                       periods_per_year=periods_per_year)
    mean = float(np.mean(r - risk_free_per_period)) * periods_per_year
    return mean / dr if dr > 0 else float("nan")


def drawdown(returns: ArrayLike) -> np.ndarray:
    """Drawdown path: wealth / running peak − 1 (≤ 0), one value per return."""
    r = np.nan_to_num(np.asarray(returns, dtype=np.float64).ravel(), nan=0.0)
    wealth = np.cumprod(1.0 + r)
    peak = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
    return wealth / peak - 1.0


def max_drawdown(returns: ArrayLike) -> float:
    """Deepest fall from a running peak, as a negative fraction (0 if never below a peak)."""
    r = _clean(returns)
    return float(np.min(drawdown(r))) if r.size else float("nan")


def max_drawdown_duration(returns: ArrayLike) -> int:
    """Longest time under water, in periods: the longest run of consecutive periods whose
    wealth is below its running peak (starting wealth 1 counts as a peak; a drawdown not
    recovered by the last period runs to the end)."""
    dd = drawdown(_clean(returns))
    longest = run = 0
    for below in dd < 0:
        run = run + 1 if below else 0
        longest = max(longest, run)
    return longest


def calmar_ratio(returns: ArrayLike, *, periods_per_year: float) -> float:
    """CAGR (per year) over the absolute maximum drawdown."""
    mdd = max_drawdown(returns)
    return cagr(returns, periods_per_year=periods_per_year) / abs(mdd) if mdd < 0 else float("nan")


def beta(returns: ArrayLike, benchmark_returns: ArrayLike, *,
         risk_free_per_period: float) -> float:
    """Slope of excess returns on the benchmark's excess returns (periods where both exist)."""
    r = np.asarray(returns, dtype=np.float64).ravel() - risk_free_per_period
    b = np.asarray(benchmark_returns, dtype=np.float64).ravel() - risk_free_per_period
    if r.shape != b.shape:
        raise ValueError(f"returns ({r.size}) and benchmark ({b.size}) differ in length")
    ok = ~(np.isnan(r) | np.isnan(b))
    r, b = r[ok], b[ok]
    if r.size < 2:
        return float("nan")
    bd = b - b.mean()
    var = float(np.mean(bd * bd))
    return float(np.mean(bd * (r - r.mean())) / var) if var > 0 else float("nan")


def annual_turnover(traded_value: ArrayLike, equity: ArrayLike, *,
                    periods_per_year: float) -> float:
    """Traded value (buys + sells, currency) over equity, averaged per period × periods per
    year. Switching the whole book from one asset to another once a year gives 2.0."""
    tv = np.asarray(traded_value, dtype=np.float64).ravel()
    eq = np.asarray(equity, dtype=np.float64).ravel()
    ok = ~(np.isnan(tv) | np.isnan(eq)) & (eq > 0)
    if not ok.any():
        return float("nan")
    return float(np.mean(tv[ok] / eq[ok]) * periods_per_year)


def gross_exposure(position_values: pd.DataFrame, equity: pd.Series) -> pd.Series:
    """Sum of |position value| (futures: notional) over equity, per period (fraction)."""
    return position_values.abs().sum(axis=1) / equity


def net_exposure(position_values: pd.DataFrame, equity: pd.Series) -> pd.Series:
    """Sum of signed position values over equity, per period (fraction)."""
    return position_values.sum(axis=1) / equity


def time_in_market(position_values: pd.DataFrame) -> float:
    """Fraction of periods holding any position."""
    held = (position_values.abs().sum(axis=1) > 0).to_numpy()
    return float(held.mean()) if held.size else float("nan")


def summarize(returns: ArrayLike, *, periods_per_year: float, risk_free_per_period: float,
              benchmark_returns: ArrayLike | None = None) -> dict[str, float]:
    """The headline metrics of one return series, keyed by name (units as above)."""
    out = {
        "total_return": float(np.prod(1.0 + _clean(returns)) - 1.0),
        "cagr": cagr(returns, periods_per_year=periods_per_year),
        "annual_volatility": annual_volatility(returns, periods_per_year=periods_per_year),
        "sharpe": sharpe_ratio(returns, risk_free_per_period=risk_free_per_period,
                               periods_per_year=periods_per_year),
        "sortino": sortino_ratio(returns, risk_free_per_period=risk_free_per_period,
                                 periods_per_year=periods_per_year),
        "max_drawdown": max_drawdown(returns),
        "max_drawdown_periods": float(max_drawdown_duration(returns)),
        "calmar": calmar_ratio(returns, periods_per_year=periods_per_year),
    }
    if benchmark_returns is not None:
        out["beta"] = beta(returns, benchmark_returns, risk_free_per_period=risk_free_per_period)
    return out

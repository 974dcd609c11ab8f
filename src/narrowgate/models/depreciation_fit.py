"""Fitting the depreciation-lag model to reported depreciation, in and out of sample.

Units: USD bn, fiscal years. The model and its conventions are in
:mod:`narrowgate.models.depreciation`. The fit is a least-squares grid search over the
construction lag, the pre-history capex growth (the opening-stock term) and, where the
company states none, the short life; the short-lived share (and, optionally, a scale for
D&A not explained by cash capex) has a closed form for each grid point.

Out of sample: fit on data through fiscal year t only, predict t+1 and t+2 with the actual
capex of those years, compare with the reported figure.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from narrowgate.models.capex import CompanyFinancials, MissingFinancials
from narrowgate.models.depreciation import (
    DEFAULT_LONG_LIFE,
    DepreciationModel,
    LifeSchedule,
    depreciation_matrix,
    latest_contiguous,
)

Loss = Literal["relative", "absolute"]
Target = Literal["auto", "depreciation", "depreciation_amortization"]
DEFAULT_LAGS: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)
DEFAULT_GROWTHS: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
#: Short lives tried when a company's life is not stated (NVDA, AAPL): fitted, not stated.
DEFAULT_FITTED_LIVES: tuple[float, ...] = (3.0, 4.0, 5.0, 6.0)


@dataclass(frozen=True)
class DepreciationFit:
    """A fit against reported D&A: the model, the fitted years and the fit error."""

    ticker: str
    model: DepreciationModel
    years: tuple[int, ...]
    actual: tuple[float, ...]
    fitted: tuple[float, ...]
    rmse_usd_bn: float
    mape: float
    n_params: int
    life_fitted: bool
    target: str = "depreciation_amortization"
    notes: tuple[str, ...] = ()

    @property
    def identified(self) -> bool:
        """More observations than free parameters (otherwise the fit error means little)."""
        return len(self.years) > self.n_params

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "ticker": self.ticker, "fiscal_year": self.years, "actual": self.actual,
            "fitted": self.fitted,
        })


def _solve_mix(
    y: np.ndarray, s: np.ndarray, b: np.ndarray, w: np.ndarray, fit_scale: bool
) -> tuple[float, float, float]:
    """Weighted least squares of y on short (s) and long (b) schedules: (share, scale, sse).

    Without ``fit_scale``: y ≈ b + share·(s − b), share clipped to [0, 1] (exact, the
    objective is a parabola in share). With it: y ≈ p·s + q·b, p, q ≥ 0 (the optimum is
    the unconstrained one or lies on an axis), share = p/(p+q), scale = p+q.
    """
    def sse(p: float, q: float) -> float:
        return float(np.sum(w * (y - p * s - q * b) ** 2))

    if not fit_scale:
        d = s - b
        denom = float(np.sum(w * d * d))
        share = float(np.clip(np.sum(w * (y - b) * d) / denom, 0, 1)) if denom else 1.0
        return share, 1.0, sse(share, 1.0 - share)
    candidates: list[tuple[float, float]] = []
    sb = np.sum(w * s * b)
    gram = np.array([[np.sum(w * s * s), sb], [sb, np.sum(w * b * b)]])
    rhs = np.array([np.sum(w * s * y), np.sum(w * b * y)])
    if abs(np.linalg.det(gram)) > 1e-12 * max(1.0, float(np.abs(gram).max()) ** 2):
        p, q = np.linalg.solve(gram, rhs)
        if p >= 0 and q >= 0:
            candidates.append((float(p), float(q)))
    for vec, is_short in ((s, True), (b, False)):
        norm = float(np.sum(w * vec * vec))
        k = max(float(np.sum(w * vec * y)) / norm, 0.0) if norm else 0.0
        candidates.append((k, 0.0) if is_short else (0.0, k))
    p, q = min(candidates, key=lambda pq: sse(*pq))
    total = p + q
    return (p / total if total else 1.0), total, sse(p, q)


def fit_depreciation(
    capex: pd.Series,
    d_and_a: pd.Series,
    short_life: LifeSchedule | None,
    *,
    ticker: str = "",
    long_life_years: float = DEFAULT_LONG_LIFE,
    lags: Sequence[float] = DEFAULT_LAGS,
    growths: Sequence[float] = DEFAULT_GROWTHS,
    fitted_lives: Sequence[float] = DEFAULT_FITTED_LIVES,
    loss: Loss = "relative",
    fit_scale: bool = False,
    window: int | None = None,
) -> DepreciationFit:
    """Least-squares fit of the short-lived share, lag and pre-history growth (and the short
    life when ``short_life`` is None) against reported D&A (USD bn, by fiscal year).

    Only the last gap-free run of capex is used; D&A years outside it are ignored (named in
    ``notes``). ``loss`` 'relative' minimises squared percentage errors so small early
    years count as much as large recent ones; 'absolute' minimises squared USD bn.
    """
    notes: list[str] = []
    block = latest_contiguous(capex)
    if len(block) < len(capex.dropna()):
        notes.append(f"capex has gaps: only fiscal {block.index.min()}–{block.index.max()} "
                     "used; earlier assets enter through the opening-stock term")
    if block.empty:
        raise MissingFinancials(f"{ticker}: no capex to fit the depreciation model on")
    da = d_and_a.dropna()
    target = da[(da.index >= block.index.min()) & (da.index <= block.index.max())]
    if window is not None:
        target = target.iloc[-window:]
    if len(target) < 2:
        raise MissingFinancials(
            f"{ticker}: fitting the depreciation model needs at least two years of D&A "
            f"within fiscal {block.index.min()}–{block.index.max()} (have {list(target.index)})"
        )
    y = target.to_numpy(float)
    grid = target.index.to_numpy(dtype=int)
    weights = 1.0 / y**2 if loss == "relative" else np.ones_like(y)
    lives = [short_life] if short_life is not None else [
        LifeSchedule.constant(life, "fitted") for life in fitted_lives
    ]
    template = DepreciationModel(0.0, 0.0, lives[0], 0.0, int(block.index.min()),
                                 long_life_years)
    # The vintages do not depend on lag, life or growth, the long-lived matrix not on the
    # short life, and each growth's amounts not on lag or life: build each once instead of
    # per grid point (same arithmetic as DepreciationModel._vintages: bitwise the same).
    vintages, _ = template._vintages(block)  # also checks the capex run has no gaps
    amounts_by_growth = {
        float(growth): replace(template, prehistory_growth=float(growth))._vintages(block)[1]
        for growth in growths}
    long_by_lag: dict[float, np.ndarray] = {}
    best: tuple[float, DepreciationModel] | None = None
    for lag, life in itertools.product(lags, lives):
        base = replace(template, lag_years=float(lag), short_life=life)
        short_m = depreciation_matrix(vintages, life, float(lag), grid)
        if float(lag) not in long_by_lag:
            long_by_lag[float(lag)] = depreciation_matrix(
                vintages, LifeSchedule.constant(long_life_years), float(lag), grid)
        long_m = long_by_lag[float(lag)]
        for growth in growths:
            amounts = amounts_by_growth[float(growth)]
            s, b = short_m @ amounts, long_m @ amounts
            share, scale, sse = _solve_mix(y, s, b, weights, fit_scale)
            if best is None or sse < best[0] - 1e-15:
                best = (sse, replace(base, short_share=share, prehistory_growth=float(growth),
                                     scale=scale))
    assert best is not None
    model = best[1]
    fitted = model.predict(block, grid).to_numpy()
    err = fitted - y
    n_params = 3 + (short_life is None) + fit_scale
    if len(y) <= n_params:
        notes.append(f"only {len(y)} D&A years for {n_params} parameters: the fit is not "
                     "identified and its error says little about predictive skill")
    return DepreciationFit(
        ticker, model, tuple(int(g) for g in grid), tuple(float(v) for v in y),
        tuple(float(v) for v in fitted), float(np.sqrt(np.mean(err**2))),
        float(np.mean(np.abs(err / y))), n_params, short_life is None, notes=tuple(notes),
    )


def depreciation_target(
    financials: CompanyFinancials, target: Target = "auto", min_years: int = 3
) -> tuple[pd.Series, str]:
    """The reported series the model is fitted to, and its field name.

    'auto': depreciation of property and equipment (``us-gaap:Depreciation``) when at least
    ``min_years`` of it fall in the capex years (it is what capex explains; the cash-flow
    D&A line can hold amortization of acquired intangibles, e.g. NVIDIA's Mellanox), else
    the D&A line.
    """
    if target == "auto":
        dep = financials.series("depreciation")
        block = latest_contiguous(financials.capex())
        inside = dep[(dep.index >= block.index.min()) & (dep.index <= block.index.max())] \
            if not block.empty else dep.iloc[:0]
        target = "depreciation" if len(inside) >= min_years else "depreciation_amortization"
    series = financials.series(target)
    if series.empty:
        raise MissingFinancials(f"{financials.ticker}: no {target} figures to fit against")
    return series, target


def fit_financials(
    financials: CompanyFinancials,
    short_life: LifeSchedule | None,
    *,
    include_finance_leases: bool = False,
    target: Target = "auto",
    **kwargs: Any,
) -> DepreciationFit:
    """:func:`fit_depreciation` on a company's capex and reported depreciation (see
    :func:`depreciation_target` for which series); the fit records the target used."""
    series, used = depreciation_target(financials, target)
    fit = fit_depreciation(
        financials.capex(include_finance_leases), series, short_life,
        ticker=financials.ticker, **kwargs,
    )
    return replace(fit, target=used)


def out_of_sample_financials(
    financials: CompanyFinancials,
    short_life: LifeSchedule | None,
    *,
    include_finance_leases: bool = False,
    target: Target = "auto",
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`out_of_sample` on a company's capex and reported depreciation (column
    ``target`` names the series)."""
    series, used = depreciation_target(financials, target)
    frame = out_of_sample(
        financials.capex(include_finance_leases), series, short_life,
        ticker=financials.ticker, **kwargs,
    )
    return frame.assign(target=used)


def out_of_sample(
    capex: pd.Series,
    d_and_a: pd.Series,
    short_life: LifeSchedule | None,
    *,
    ticker: str = "",
    horizons: Sequence[int] = (1, 2),
    min_fit_years: int = 3,
    **kwargs: Any,
) -> pd.DataFrame:
    """Fit through fiscal year t (data up to t only), predict D&A of t+h with the actual capex
    of those years; one row per (fit_through, horizon). Errors are predicted − actual;
    ``pct_error`` is relative to actual D&A."""
    block = latest_contiguous(capex)
    da = d_and_a.dropna()
    da = da[(da.index >= block.index.min()) & (da.index <= block.index.max())]
    rows: list[dict[str, object]] = []
    for t in da.index[min_fit_years - 1:]:
        targets = [int(t) + h for h in horizons if int(t) + h in da.index]
        if not targets:
            continue
        fit = fit_depreciation(block[block.index <= t], da[da.index <= t], short_life,
                               ticker=ticker, **kwargs)
        predicted = fit.model.predict(block[block.index <= max(targets)], targets)
        for year in targets:
            actual = float(da[year])
            rows.append({
                "ticker": ticker, "fit_through": int(t), "fiscal_year": year,
                "horizon": year - int(t), "actual": actual,
                "predicted": float(predicted[year]),
                "error": float(predicted[year]) - actual,
                "pct_error": (float(predicted[year]) - actual) / actual,
                "short_share": fit.model.short_share, "lag_years": fit.model.lag_years,
                "short_life_years": fit.model.short_life.at(float(year)),
                "fit_years": len(fit.years),
            })
    return pd.DataFrame(rows, columns=[
        "ticker", "fit_through", "fiscal_year", "horizon", "actual", "predicted", "error",
        "pct_error", "short_share", "lag_years", "short_life_years", "fit_years",
    ])

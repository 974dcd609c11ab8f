"""Capex-chain projections (the years after the last reported one) under guidance scenarios,
and a life sensitivity.

Units: USD bn, company fiscal years. Inputs are the thesis's guidance (a ``guidance``
claim's figures, turned into scenarios by
:func:`narrowgate.evaluate.kinds.capex_inputs.guidance_scenarios_for`; never literals
here), a fitted :class:`~narrowgate.models.depreciation.DepreciationFit` and the company's
reported figures. Assumptions, each a parameter:

- capex follows the scenario's explicit years, then grows at ``growth_after`` a year;
- OCF grows at the OCF scenario's rate from the base (last reported) year;
- projected depreciation is the fitted model's, scaled so the base year equals the reported
  figure (``anchor``) — the model explains the path, the filing sets the level;
- net income: pre-depreciation earnings (NI + (1 − tax) × depreciation) grow with OCF, then
  the projected depreciation is taken off after tax; dividends grow at ``dividend_growth``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from narrowgate.models.capex import CompanyFinancials, MissingFinancials
from narrowgate.models.depreciation import LifeSchedule, latest_contiguous
from narrowgate.models.depreciation_fit import DepreciationFit

PROJECTION_COLUMNS = (
    "ticker", "capex_scenario", "ocf_scenario", "fiscal_year", "capex", "operating_cash_flow",
    "d_and_a", "delta_d_and_a", "fcf", "net_income", "fcf_to_net_income", "d_and_a_to_capex",
    "dividends", "buyback_capacity", "cumulative_gap", "undepreciated", "target", "fallback",
    "net_income_basis",
)


@dataclass(frozen=True)
class CapexScenario:
    """Capex (USD bn) by fiscal year: explicit years, then ``growth_after`` a year."""

    name: str
    capex_usd_bn: Mapping[int, float]
    growth_after: float = 0.0

    def path(self, years: Sequence[int]) -> dict[int, float]:
        """Capex for each of ``years`` (each after the base year)."""
        if not self.capex_usd_bn:
            raise ValueError(f"scenario {self.name!r} has no capex figure")
        out: dict[int, float] = {}
        last_year = max(self.capex_usd_bn)
        for year in years:
            if year in self.capex_usd_bn:
                out[year] = float(self.capex_usd_bn[year])
            elif year > last_year:
                out[year] = float(self.capex_usd_bn[last_year]) * (
                    1.0 + self.growth_after) ** (year - last_year)
            else:
                raise ValueError(f"scenario {self.name!r} has no capex for fiscal {year}")
        return out


def guidance_scenarios(
    year: int,
    low_usd_bn: float,
    high_usd_bn: float,
    *,
    revised_low_usd_bn: float | None = None,
    revised_high_usd_bn: float | None = None,
    growth_after: float = 0.0,
) -> list[CapexScenario]:
    """Low / mid / high of a guidance range for ``year`` (names 'guide-low' …), plus the same
    for a revised range ('revised-low' …) when given. Later years grow at ``growth_after``."""
    ranges = [("guide", low_usd_bn, high_usd_bn)]
    if revised_low_usd_bn is not None and revised_high_usd_bn is not None:
        ranges.append(("revised", revised_low_usd_bn, revised_high_usd_bn))
    scenarios = []
    for prefix, low, high in ranges:
        if not 0 < low <= high:
            raise ValueError(f"{prefix} range must satisfy 0 < low <= high, got {low}–{high}")
        for label, value in (("low", low), ("mid", (low + high) / 2), ("high", high)):
            scenarios.append(CapexScenario(f"{prefix}-{label}", {year: value}, growth_after))
    return scenarios


def _base(financials: CompanyFinancials, fit: DepreciationFit, capex: pd.Series) -> int:
    base = int(capex.index.max())
    financials.observation("operating_cash_flow", base)  # MissingFinancials if absent
    if base not in fit.years:
        raise MissingFinancials(
            f"{financials.ticker}: no reported {fit.target} for base year {base} to anchor on"
        )
    return base


def project_capex_chain(
    financials: CompanyFinancials,
    fit: DepreciationFit,
    capex_scenarios: Sequence[CapexScenario],
    ocf_growth: Mapping[str, float],
    years: Sequence[int] = (2026, 2027, 2028),
    *,
    tax_rate: float = 0.15,
    dividend_growth: float = 0.0,
    include_finance_leases: bool = False,
    anchor: bool = True,
) -> pd.DataFrame:
    """One row per (capex scenario, OCF scenario, fiscal year); columns PROJECTION_COLUMNS.

    ``delta_d_and_a`` is the year's extra depreciation, i.e. the drag on operating income;
    ``buyback_capacity`` = FCF − dividends; ``cumulative_gap`` = Σ (capex − D&A) over the
    projected years ("the lag"); ``undepreciated`` = modelled book value of all capex paid
    and not yet expensed at year end. Net income is NaN (``net_income_basis`` says why)
    when the company's net income is not available, never zero.
    """
    capex_hist = latest_contiguous(financials.capex(include_finance_leases))
    base = _base(financials, fit, capex_hist)
    years = sorted(int(y) for y in years)
    if years[0] != base + 1 or np.any(np.diff(years) != 1):
        raise ValueError(f"projection years must run on from the base year {base}: {years}")
    model = fit.model
    reported_base = fit.actual[fit.years.index(base)]
    modelled_base = float(model.predict(capex_hist, [base]).iloc[0])
    factor = reported_base / modelled_base if anchor and modelled_base > 0 else 1.0
    ocf_base = financials.value("operating_cash_flow", base)
    dividends_base = (financials.value("dividends", base)
                      if financials.has("dividends", base) else float("nan"))
    if financials.has("net_income", base):
        ni_base = financials.value("net_income", base)
        pre_dep = ni_base + (1.0 - tax_rate) * reported_base
        ni_basis = f"projected from reported FY{base} net income (tax rate {tax_rate:.0%})"
    else:
        pre_dep = float("nan")
        ni_basis = f"missing: no net income for FY{base} in the source"
    rows: list[dict[str, object]] = []
    for scenario, (ocf_name, growth) in itertools.product(capex_scenarios, ocf_growth.items()):
        path = scenario.path(years)
        capex = pd.concat([capex_hist, pd.Series(path, dtype="float64")])
        dep = model.predict(capex, [base, *years]) * factor
        gap = 0.0
        for k, year in enumerate(years, start=1):
            ocf = ocf_base * (1.0 + growth) ** k
            fcf = ocf - path[year]
            d_a = float(dep[year])
            ni = pre_dep * (1.0 + growth) ** k - (1.0 - tax_rate) * d_a
            dividends = dividends_base * (1.0 + dividend_growth) ** k
            gap += path[year] - d_a
            rows.append({
                "ticker": financials.ticker, "capex_scenario": scenario.name,
                "ocf_scenario": ocf_name, "fiscal_year": year, "capex": path[year],
                "operating_cash_flow": ocf, "d_and_a": d_a,
                "delta_d_and_a": d_a - float(dep[year - 1]), "fcf": fcf, "net_income": ni,
                "fcf_to_net_income": fcf / ni if ni > 0 else float("nan"),
                "d_and_a_to_capex": d_a / path[year], "dividends": dividends,
                "buyback_capacity": fcf - dividends, "cumulative_gap": gap,
                "undepreciated": model.undepreciated(capex, year), "target": fit.target,
                "fallback": financials.uses_fallback, "net_income_basis": ni_basis,
            })
    return pd.DataFrame(rows, columns=list(PROJECTION_COLUMNS))


def life_sensitivity(
    financials: CompanyFinancials,
    fit: DepreciationFit,
    lives: Sequence[float] = (4.0, 5.0, 6.0, 7.0),
    capex_growths: Sequence[float] = (0.0, 0.2, 0.4, 0.6),
    years: Sequence[int] = (2026, 2027, 2028),
    *,
    include_finance_leases: bool = False,
) -> pd.DataFrame:
    """Modelled depreciation if the short-lived assets had always carried a life of L years,
    with capex growing at g a year from the base year: one row per (L, g, year).

    Counterfactual over the whole history (not anchored to the reported level), so the
    rows compare with each other; ``base_d_and_a`` is the same model's base-year figure.
    """
    capex_hist = latest_contiguous(financials.capex(include_finance_leases))
    base = int(capex_hist.index.max())
    years = sorted(int(y) for y in years)
    rows: list[dict[str, object]] = []
    for life, growth in itertools.product(lives, capex_growths):
        model = replace(fit.model, short_life=LifeSchedule.constant(life, "sensitivity"))
        path = {y: float(capex_hist[base]) * (1.0 + growth) ** (y - base) for y in years}
        capex = pd.concat([capex_hist, pd.Series(path, dtype="float64")])
        dep = model.predict(capex, [base, *years])
        gap = 0.0
        for year in years:
            gap += path[year] - float(dep[year])
            rows.append({
                "ticker": financials.ticker, "short_life_years": float(life),
                "capex_growth": float(growth), "fiscal_year": year, "capex": path[year],
                "d_and_a": float(dep[year]), "base_d_and_a": float(dep[base]),
                "delta_d_and_a": float(dep[year]) - float(dep[year - 1]),
                "d_and_a_to_capex": float(dep[year]) / path[year], "cumulative_gap": gap,
            })
    return pd.DataFrame(rows)

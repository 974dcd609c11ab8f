"""The measured capex-chain pattern: figures the ``capex-chain`` kind
(:mod:`narrowgate.evaluate.kinds.capex_chain`) turns into a verdict.

Units: growth rates and ratios are fractions (0.25 = 25%); years are fiscal years. The
thresholds that make a verdict are inputs (:class:`PatternThresholds`, from the thesis
params), never literals here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from narrowgate.models.capex import (
    FIELDS,
    CompanyFinancials,
    Field,
    InvalidCapex,
    MissingFinancials,
)


@dataclass(frozen=True)
class PatternThresholds:
    """Thresholds the evaluator passes in (from the thesis params); fractions, not percent.

    ``min_capex_growth_gap``: capex CAGR minus D&A CAGR must be at least this;
    ``max_fcf_conversion_change``: FCF/NI change over the window must be at most this
    (negative = must fall); ``min_buybacks_to_fcf``: the latest buybacks/FCF at which the
    buyback claim is "under pressure" (high ratio = buybacks eat most of FCF).
    """

    min_capex_growth_gap: float
    max_fcf_conversion_change: float
    min_buybacks_to_fcf: float


@dataclass(frozen=True)
class CapexChainPattern:
    """Measured capex-chain figures of one company over ``first_year``..``last_year``.

    Growth rates are compound annual (fractions); ratios are per fiscal year. A figure that
    needs a missing field is None and the field is listed in ``missing``.
    """

    ticker: str
    first_year: int
    last_year: int
    capex_cagr: float
    d_and_a_cagr: float | None
    net_income_cagr: float | None
    fcf_to_net_income: Mapping[int, float]
    buybacks_to_fcf: Mapping[int, float]
    d_and_a_to_capex: Mapping[int, float]
    sources: tuple[str, ...]
    fallback: bool
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def capex_growth_gap(self) -> float | None:
        """Capex CAGR minus D&A CAGR (positive: depreciation lags the spending)."""
        return None if self.d_and_a_cagr is None else self.capex_cagr - self.d_and_a_cagr

    @property
    def fcf_conversion_change(self) -> float | None:
        """FCF/NI in the last year minus the first year with both figures."""
        if len(self.fcf_to_net_income) < 2:
            return None
        years = sorted(self.fcf_to_net_income)
        return self.fcf_to_net_income[years[-1]] - self.fcf_to_net_income[years[0]]

    def checks(self, thresholds: PatternThresholds) -> dict[str, bool | None]:
        """Each criterion met (True), not met (False) or not measurable (None)."""
        gap, conv = self.capex_growth_gap, self.fcf_conversion_change
        latest = self.buybacks_to_fcf.get(self.last_year)
        return {
            "capex_outgrows_d_and_a": None if gap is None
            else gap >= thresholds.min_capex_growth_gap,
            "fcf_conversion_falls": None if conv is None
            else conv <= thresholds.max_fcf_conversion_change,
            "net_income_rises": None if self.net_income_cagr is None
            else self.net_income_cagr > 0,
            "buybacks_absorb_fcf": None if latest is None
            else latest >= thresholds.min_buybacks_to_fcf,
        }


def _cagr(series: pd.Series, first: int, last: int) -> float | None:
    if first not in series.index or last not in series.index or last <= first:
        return None
    start, end = float(series[first]), float(series[last])
    if start <= 0 or end <= 0:
        return None
    return float((end / start) ** (1.0 / (last - first)) - 1.0)


def capex_chain_pattern(
    financials: CompanyFinancials,
    first_year: int | None = None,
    last_year: int | None = None,
    include_finance_leases: bool = False,
) -> CapexChainPattern:
    """Capex growth vs D&A growth, FCF/NI per year and buybacks/FCF per year.

    FCF = OCF − capex (capex optionally including finance-lease principal). The window
    defaults to all years with capex. A ratio with a non-positive denominator is left out
    (named in ``notes``) rather than reported as a meaningless number.
    """
    capex = financials.capex(include_finance_leases)
    if capex.empty:
        raise MissingFinancials(f"{financials.ticker}: no capex figures at all")
    first = first_year if first_year is not None else int(capex.index.min())
    last = last_year if last_year is not None else int(capex.index.max())
    years = [y for y in capex.index if first <= y <= last]
    if len(years) < 2:
        raise MissingFinancials(
            f"{financials.ticker}: the capex-chain pattern needs at least two fiscal years "
            f"of capex in {first}–{last} (have {years})"
        )
    first, last = years[0], years[-1]
    missing: list[str] = []
    notes: list[str] = []
    series = {n: financials.series(n) for n in FIELDS}
    capex_cagr = _cagr(capex, first, last)
    if capex_cagr is None:
        raise InvalidCapex(f"{financials.ticker}: capex growth {first}–{last} not defined")
    fcf = (series["operating_cash_flow"] - capex).dropna()
    conv: dict[int, float] = {}
    buy: dict[int, float] = {}
    dac: dict[int, float] = {}
    for year in years:
        for name in ("operating_cash_flow", "net_income", "depreciation_amortization",
                     "buybacks"):
            if year not in series[name].index:
                missing.append(f"{name} FY{year}")
        if year in fcf.index and year in series["net_income"].index:
            ni = float(series["net_income"][year])
            if ni > 0:
                conv[year] = float(fcf[year]) / ni
            else:
                notes.append(f"FY{year}: net income {ni:.3f} ≤ 0, FCF/NI not defined")
        if year in fcf.index and year in series["buybacks"].index:
            if fcf[year] > 0:
                buy[year] = float(series["buybacks"][year]) / float(fcf[year])
            else:
                notes.append(f"FY{year}: FCF {float(fcf[year]):.3f} ≤ 0, buybacks/FCF "
                             "not defined (buybacks exceed FCF outright)")
        if year in series["depreciation_amortization"].index:
            dac[year] = float(series["depreciation_amortization"][year]) / float(capex[year])
    da = series["depreciation_amortization"]
    da_years = [y for y in years if y in da.index]
    d_and_a_cagr = _cagr(da, da_years[0], da_years[-1]) if len(da_years) >= 2 else None
    if d_and_a_cagr is not None and (da_years[0], da_years[-1]) != (first, last):
        notes.append(f"D&A growth measured over {da_years[0]}–{da_years[-1]} only")
    ni_years = [y for y in years if y in series["net_income"].index]
    ni_cagr = (_cagr(series["net_income"], ni_years[0], ni_years[-1])
               if len(ni_years) >= 2 else None)
    used: tuple[Field, ...] = ("capex", "operating_cash_flow", "depreciation_amortization",
                               "net_income", "buybacks")
    return CapexChainPattern(
        financials.ticker, first, last, capex_cagr, d_and_a_cagr, ni_cagr, conv, buy, dac,
        tuple(financials.sources(used)), financials.uses_fallback, tuple(missing),
        tuple(notes),
    )

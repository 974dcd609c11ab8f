"""Cash side of the capex chain: how much of operating cash flow capex takes, how far D&A
trails capex, how the spending is funded — per company and fiscal year.

Why these measures: "capex grows faster than D&A" (the old decider) says little on its
own — a growth gap of CAGRs over two years is noisy and says nothing about cash. A
portfolio manager asks (1) is capex eating a rising share of operating cash flow (the FCF
squeeze: capex/OCF up), (2) does D&A still cover only part of capex, so the income
statement has a charge to come (D&A/capex below one, and the years until D&A reaches
today's capex at its recent growth), and (3) is the payout funded by FCF or by debt (net
debt issuance, net cash). Construction in progress is the part of capex not yet
depreciating (the lag itself, where reported).

Units: amounts USD bn, ratios plain fractions, years fiscal years. Pure: a
:class:`~narrowgate.models.capex.CompanyFinancials` (or a concept reader) in, frames and
readings out. A concept the company does not report is NaN / None and named — never zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from narrowgate.data.concepts import ConceptNotFound, ConceptSpec
from narrowgate.models.capex import CompanyFinancials, Observation, _observations

if TYPE_CHECKING:
    from narrowgate.data.concepts import ConceptReader


def _spec(name: str, tags: str, *, instant: bool = False, description: str) -> ConceptSpec:
    return ConceptSpec(name, tuple(f"us-gaap:{t}" for t in tags.split()), instant=instant,
                       description=description)


#: SEC concepts of the cash side, tags in priority order (listed in docs/capex.md).
CASH_CONCEPTS: dict[str, ConceptSpec] = {s.name: s for s in (
    _spec("construction_in_progress", "ConstructionInProgressGross", instant=True,
          description="property under construction, not yet depreciated (balance sheet)"),
    _spec("debt_proceeds", "ProceedsFromIssuanceOfLongTermDebt ProceedsFromDebtNetOfIssuanceCosts "
          "ProceedsFromIssuanceOfDebt",
          description="cash raised by issuing debt (financing cash flow)"),
    _spec("debt_repayments", "RepaymentsOfLongTermDebt RepaymentsOfDebtAndCapitalLeaseObligations "
          "RepaymentsOfDebt",
          description="cash paid to repay debt (financing cash flow)"),
    _spec("cash_and_short_term_investments", "CashCashEquivalentsAndShortTermInvestments",
          instant=True, description="cash, equivalents and short-term investments"),
    _spec("cash", "CashAndCashEquivalentsAtCarryingValue", instant=True,
          description="cash and cash equivalents"),
    _spec("marketable_securities_current", "MarketableSecuritiesCurrent", instant=True,
          description="current marketable securities"),
    _spec("long_term_debt", "LongTermDebt", instant=True,
          description="long-term debt including its current portion (carrying amount)"),
)}


def cash_tags() -> list[str]:
    """Bare XBRL names of :data:`CASH_CONCEPTS`: what to ask the store for."""
    return sorted({t.partition(":")[2] for s in CASH_CONCEPTS.values() for t in s.tags})


def cash_fields_from_facts(ticker: str, reader: ConceptReader
                           ) -> tuple[dict[str, dict[int, Observation]], list[str]]:
    """Annual observations of :data:`CASH_CONCEPTS` (USD bn) and a note per concept the
    company does not report (an honest gap: the field is absent, never zero)."""
    fields: dict[str, dict[int, Observation]] = {}
    notes: list[str] = []
    for name, spec in CASH_CONCEPTS.items():
        try:
            series = reader.read(spec, "annual")
        except ConceptNotFound:
            notes.append(f"{name}: not reported in the SEC facts")
            continue
        fields[name] = _observations(ticker, series, notes)
    return fields, notes


def with_cash_fields(fin: CompanyFinancials, fields: dict[str, dict[int, Observation]],
                     notes: list[str]) -> CompanyFinancials:
    """``fin`` with the cash-side fields added (the capex spine and its notes unchanged)."""
    return CompanyFinancials(fin.ticker, {**fin.fields, **fields},
                             tuple(dict.fromkeys([*fin.notes, *notes])))


def _series(fin: CompanyFinancials, name: str) -> pd.Series:
    by_year = fin.fields.get(name, {})
    years = sorted(by_year)
    return pd.Series([by_year[y].value_usd_bn for y in years],
                     index=pd.Index(years, name="fiscal_year"), dtype="float64")


def cash_frame(fin: CompanyFinancials, include_finance_leases: bool = False) -> pd.DataFrame:
    """Per fiscal year (USD bn, ratios plain; NaN where a concept is not reported):

    ``capex`` as the chain counts it; ``capex_incl_leases`` (purchases of PP&E plus
    finance-lease principal, only in years the principal is reported); ``capex_to_ocf``;
    ``d_and_a_to_capex``; ``fcf``; ``payout_capacity`` (FCF − dividends, only where
    dividends are reported); ``net_debt_issuance`` (debt proceeds − repayments, only where
    both are reported); ``net_cash`` (cash and short-term investments — else cash plus
    current marketable securities — minus long-term debt incl. its current portion);
    ``construction_in_progress`` and ``cip_to_capex`` (years of capex not yet depreciating).
    """
    hist = fin.history(include_finance_leases)
    frame = hist[["capex", "operating_cash_flow", "d_and_a", "fcf", "dividends"]].copy()
    years = frame.index
    purchases = fin.capex(False)
    leases = _series(fin, "finance_lease_principal").reindex(years)
    frame["capex_incl_leases"] = purchases.reindex(years) + leases
    frame["capex_to_ocf"] = frame["capex"] / frame["operating_cash_flow"].where(
        frame["operating_cash_flow"] > 0)
    frame["d_and_a_to_capex"] = frame["d_and_a"] / frame["capex"]
    frame["payout_capacity"] = frame["fcf"] - frame["dividends"]
    frame["net_debt_issuance"] = (_series(fin, "debt_proceeds").reindex(years)
                                  - _series(fin, "debt_repayments").reindex(years))
    liquid = _series(fin, "cash_and_short_term_investments").reindex(years)
    parts = (_series(fin, "cash").reindex(years)
             + _series(fin, "marketable_securities_current").reindex(years))
    liquid = liquid.fillna(parts)
    frame["net_cash"] = liquid - _series(fin, "long_term_debt").reindex(years)
    cip = _series(fin, "construction_in_progress").reindex(years)
    frame["construction_in_progress"] = cip
    frame["cip_to_capex"] = cip / frame["capex"]
    return frame


def catch_up_years(capex: float, d_and_a: float, d_and_a_growth: float) -> float | None:
    """Years until D&A, growing at ``d_and_a_growth`` a year (fraction), reaches today's
    capex (USD bn, held flat): ln(capex/D&A) / ln(1 + g). 0 when D&A already covers capex;
    None when D&A does not grow or an input is not positive (not meaningful)."""
    if not (capex > 0 and d_and_a > 0):
        return None
    if d_and_a >= capex:
        return 0.0
    if d_and_a_growth <= 0:
        return None
    return math.log(capex / d_and_a) / math.log1p(d_and_a_growth)


@dataclass(frozen=True)
class CashReading:
    """The three per-company links over ``first_year``..``last_year`` (None: not
    measurable, with ``gaps`` naming why).

    ``squeeze``: capex/OCF rose by at least the threshold; ``lag``: D&A covered at most
    the threshold share of capex in the last year; ``payout``: the payout capacity (FCF −
    dividends; FCF alone where dividends are not reported at both ends, said in
    ``payout_measure``) fell.
    """

    ticker: str
    first_year: int
    last_year: int
    capex_to_ocf_first: float | None
    capex_to_ocf_last: float | None
    d_and_a_to_capex_last: float | None
    catch_up_years: float | None
    payout_first: float | None
    payout_last: float | None
    payout_measure: str
    squeeze: bool | None
    lag: bool | None
    payout: bool | None
    gaps: tuple[str, ...] = ()

    @property
    def capex_to_ocf_change(self) -> float | None:
        if self.capex_to_ocf_first is None or self.capex_to_ocf_last is None:
            return None
        return self.capex_to_ocf_last - self.capex_to_ocf_first


def _value(frame: pd.DataFrame, column: str, year: int) -> float | None:
    value = frame[column].get(year)
    return None if value is None or value != value else float(value)


def cash_reading(ticker: str, frame: pd.DataFrame, first_year: int, *,
                 min_capex_to_ocf_rise: float, max_d_and_a_to_capex: float) -> CashReading:
    """The links of :class:`CashReading` from :func:`cash_frame` rows ``first_year`` on.

    The window runs from the first year with capex/OCF at or after ``first_year`` to the
    last year with capex; D&A growth for the catch-up years is the D&A CAGR over the
    window. Thresholds are fractions from the thesis params.
    """
    rows = frame.loc[frame.index >= first_year]
    gaps: list[str] = []
    ratio = rows["capex_to_ocf"].dropna()
    last = int(rows.index.max()) if len(rows) else first_year
    first = int(ratio.index.min()) if len(ratio) else first_year
    c_first = float(ratio.iloc[0]) if len(ratio) >= 2 else None
    c_last = float(ratio.iloc[-1]) if len(ratio) >= 2 else None
    if c_first is None:
        gaps.append("capex/OCF: fewer than two years with capex and positive OCF")
    squeeze = None if c_first is None or c_last is None else (
        c_last - c_first >= min_capex_to_ocf_rise)
    da_cover = _value(rows, "d_and_a_to_capex", last)
    if da_cover is None:
        gaps.append(f"D&A/capex: no D&A for fiscal {last}")
    lag = None if da_cover is None else da_cover <= max_d_and_a_to_capex
    da = rows["d_and_a"].dropna()
    catch_up = None
    if da_cover is not None and len(da) >= 2 and da.iloc[0] > 0:
        span = int(da.index[-1]) - int(da.index[0])
        growth = (float(da.iloc[-1]) / float(da.iloc[0])) ** (1 / span) - 1
        catch_up = catch_up_years(float(rows["capex"].loc[last]), float(da.loc[last]), growth)
    capacity = rows["payout_capacity"]
    both = capacity.notna()
    p_first: float | None
    p_last: float | None
    if both.any() and bool(both.iloc[0]) and bool(both.iloc[-1]) and len(rows) >= 2:
        p_first, p_last = float(capacity.iloc[0]), float(capacity.iloc[-1])
        measure = "FCF − dividends"
    else:
        fcf = rows["fcf"].dropna()
        p_first = float(fcf.iloc[0]) if len(fcf) >= 2 else None
        p_last = float(fcf.iloc[-1]) if len(fcf) >= 2 else None
        measure = "FCF (dividends not reported at both ends)"
        if p_first is None:
            gaps.append("payout capacity: fewer than two years of FCF")
    payout = None if p_first is None or p_last is None else p_last < p_first
    return CashReading(ticker, first, last, c_first, c_last, da_cover, catch_up, p_first,
                       p_last, measure, squeeze, lag, payout, tuple(gaps))

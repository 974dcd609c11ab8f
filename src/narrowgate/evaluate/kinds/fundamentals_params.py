"""Params of the ``fundamentals`` kind and the rule that turns a measured figure into a reading.

Why apart: the kind reads SEC facts in five ways (a value, a growth rate, a ratio of two
concepts, the latest quarters against the same quarters a year before, a flow's share of
the rise in market value); one params model names them all, and its validators refuse a
combination that cannot be measured (a ratio without a denominator, a share of market
value without prices) in one line, before any data is read. Nothing here imports pandas.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, RecordedSource
from narrowgate.evaluate.core.thresholds import within
from narrowgate.evaluate.kinds.relative_return import MissingPart
from narrowgate.evaluate.registry import Params
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import LocalizedText

#: concepts computed from two reconciled ones (name → (minuend, subtrahend))
DERIVED = {"free_cash_flow": ("operating_cash_flow", "capex")}

#: Chinese names of the concepts, for labels built from params
CONCEPT_ZH = {
    "capex": "资本开支", "depreciation_amortization": "折旧摊销", "buybacks": "回购",
    "dividends": "分红", "operating_cash_flow": "经营现金流", "net_income": "净利润",
    "revenue": "营收", "eps_diluted": "稀释每股收益", "diluted_shares": "稀释股数",
    "shares_outstanding": "流通股数", "ppe_gross": "固定资产原值", "ppe_net": "固定资产净值",
    "finance_lease_principal": "融资租赁本金偿还", "free_cash_flow": "自由现金流",
}

Measure = Literal["value", "growth", "ratio", "same-quarters-year-before",
                  "share-of-market-value-rise", "share-count-part-of-return"]
MEASURE_UNIT = {"value": "USD bn", "growth": "% a year", "ratio": "%",
                "same-quarters-year-before": "%", "share-of-market-value-rise": "%",
                "share-count-part-of-return": "%"}
#: measures that need start/end dates and prices for every company (market value)
MARKET_VALUE_MEASURES = ("share-of-market-value-rise", "share-count-part-of-return")


def known_concepts() -> list[str]:
    from narrowgate.data.concepts import CONCEPTS  # light: no pandas at import

    return sorted([*CONCEPTS, *DERIVED])


def concept_en(name: str) -> str:
    """'operating_cash_flow' → 'operating cash flow'."""
    return name.replace("_", " ")


def concept_zh(name: str) -> str:
    return CONCEPT_ZH.get(name, name)


class Company(Params):
    """One company: its SEC facts and, where market value is measured, its daily closes."""

    filings: InstrumentId = Field(description="SEC facts id, e.g. sec:AAPL")
    prices: InstrumentId | None = Field(None, description="daily bars id, e.g. us:AAPL "
                                                          "(needed for market value)")
    value_start_usd_bn: float | None = Field(
        None, gt=0, description="share-count-part-of-return: the market value at the window "
        "start, recorded with its source, for a company without SEC share counts; it then "
        "enters the bounds (its share-count term unknown), never the reading itself")
    value_source: RecordedSource | None = Field(None, description="where value_start_usd_bn "
                                                                  "comes from")

    @model_validator(mode="after")
    def _sourced(self) -> Company:
        if (self.value_start_usd_bn is None) != (self.value_source is None):
            raise ValueError("value_start_usd_bn and value_source go together (a recorded "
                             "market value needs its source)")
        return self


class RecordedQuarter(Params):
    """A quarterly figure recorded in the thesis with its source: used for a company whose
    SEC facts the store lacks (marked fallback)."""

    instrument: InstrumentId = Field(description="the company's SEC facts id")
    quarter: str = Field(pattern=r"^Q[1-4]-\d{4}$", description="calendar quarter, e.g. Q1-2026")
    value_usd_bn: float = Field(ge=0, description="the concept's value in the quarter, USD bn")
    source: RecordedSource

    @property
    def end(self) -> date:
        q, year = int(self.quarter[1]), int(self.quarter[3:])
        return date(year, 3 * q, 30 if q in (2, 3) else 31)


class Versus(Params):
    """An optional market condition beside the fundamentals: one instrument against a
    benchmark from the baseline close to the latest close (returns in %)."""

    instrument: InstrumentId = Field(description="bars or series id, e.g. us:DIA")
    benchmark: InstrumentId = Field(description="bars or series id, e.g. us:QQQ")
    expect: Literal["outperform", "underperform"] = Field(
        "outperform", description="the instrument beats the benchmark, or lags it")
    min_excess_pp: float = Field(0.0, ge=0, description="by more than this many percentage "
                                                        "points")

    def holds(self, excess_pp: float) -> bool:
        """Whether instrument minus benchmark (percentage points) meets the expectation."""
        if self.expect == "outperform":
            return excess_pp > self.min_excess_pp
        return excess_pp < -self.min_excess_pp

    @property
    def line(self) -> float:
        if self.expect == "outperform" or self.min_excess_pp == 0:
            return self.min_excess_pp
        return -self.min_excess_pp


class FundamentalsParams(Params):
    measure: Measure = Field(description="value (USD bn) | growth (% a year, annual) | ratio "
                                         "(concept / denominator, %) | same-quarters-year-"
                                         "before (% change) | share-of-market-value-rise (%) "
                                         "| share-count-part-of-return (%: the net share-"
                                         "count term of a cap-weighted return split)")
    companies: list[Company] = Field(min_length=1, description="the companies measured")
    concept: str = Field(description="reconciled SEC concept, e.g. buybacks, capex, revenue, "
                                     "operating_cash_flow, free_cash_flow (OCF − capex)")
    denominator: str | None = Field(None, description="second concept (ratio only)")
    period: Literal["annual", "quarterly"] | None = Field(
        None, description="fiscal periods read (default: quarterly for same-quarters-year-"
                          "before, else annual)")
    start: date | None = Field(None, description="periods ending after this date count "
                                                 "(share-of-market-value-rise: the first close)")
    end: date | None = Field(None, description="periods ending on or before this date count "
                                               "(default: the claim's horizon, else as-of)")
    over: Literal["latest", "total", "each"] = Field(
        "latest", description="periods in the window: the latest, all together (sum; growth: "
                              "compound rate first → last), or each one judged")
    aggregate: Literal["sum", "median", "each"] = Field(
        "sum", description="across companies: summed, the median company, or each judged")
    require_all: bool = Field(True, description="a company without data → insufficient data "
                                                "(false: the companies measured decide)")
    expect: Literal["above", "below", "near"] = Field(
        "above", description="the reading at or above the threshold, at or below it, or "
                             "within ± tolerance of it")
    threshold: float = Field(description="in the measure's unit (USD bn, % or % a year)")
    tolerance: float | None = Field(None, gt=0, description="'near': supported within ± this, "
                                                            "same unit")
    mixed_band: float = Field(0.0, ge=0, description="mixed within this much beyond the "
                                                     "supported line, same unit")
    baseline: date | None = Field(None, description="same-quarters: quarters ending after this "
                                                    "(default: publication)")
    quarters: int = Field(4, ge=1, le=12, description="same-quarters: latest quarters compared")
    recorded_quarters: list[RecordedQuarter] = Field(
        default_factory=list, description="same-quarters: sourced quarters for companies "
                                          "the store lacks (USD bn, marked fallback)")
    also_show: list[str] = Field(default_factory=list, description="same-quarters: other "
                                                                   "concepts shown, not deciding")
    valuation_since_baseline: bool = Field(
        False, description="same-quarters-year-before: also split the priced companies' "
        "cap-weighted return since the baseline into earnings growth (TTM net income), net "
        "share-count change, P/E change and dividends (context, never deciding)")
    versus: Versus | None = Field(None, description="optional market condition: an "
                                                    "instrument against a benchmark since "
                                                    "the baseline (%)")
    label: LocalizedText | None = Field(None, description="what is measured, default from the "
                                                          "concepts")
    note: LocalizedText | None = Field(None, description="said in the summary, e.g. a "
                                                         "doubt about a figure")
    missing: list[MissingPart] = Field(default_factory=list, description="data the claim "
                                       "would need beyond SEC facts (listed, never deciding)")

    @model_validator(mode="after")
    def _fits(self) -> FundamentalsParams:
        known = known_concepts()
        for name in [self.concept, *([self.denominator] if self.denominator else []),
                     *self.also_show]:
            if name not in known:
                raise ValueError(f"unknown concept {name!r}; use one of {', '.join(known)}")
        if (self.measure == "ratio") != (self.denominator is not None):
            raise ValueError("a denominator is needed by measure 'ratio' and only by it")
        if self.expect == "near" and self.tolerance is None:
            raise ValueError("expect 'near' needs a tolerance")
        if self.start is not None and self.end is not None and not self.start < self.end:
            raise ValueError("start must come before end")
        quarterly = self.measure == "same-quarters-year-before"
        if quarterly and self.period == "annual":
            raise ValueError("same-quarters-year-before compares quarters: period must be "
                             "quarterly")
        if self.valuation_since_baseline and (not quarterly or not any(
                c.prices for c in self.companies)):
            raise ValueError("valuation_since_baseline belongs to same-quarters-year-before "
                             "and needs prices for at least one company")
        if not quarterly and (self.recorded_quarters or self.also_show):
            raise ValueError("recorded_quarters and also_show belong to "
                             "same-quarters-year-before")
        if self.measure == "growth" and self.period == "quarterly":
            raise ValueError("growth is a yearly rate: period must be annual")
        if self.measure in MARKET_VALUE_MEASURES:
            if self.start is None or self.end is None:
                raise ValueError(f"{self.measure} needs start and end dates")
            if any(c.prices is None for c in self.companies):
                raise ValueError(f"{self.measure} needs prices for every company")
        return self

    @property
    def periods(self) -> Literal["annual", "quarterly"]:
        if self.period is not None:
            return self.period
        return "quarterly" if self.measure == "same-quarters-year-before" else "annual"

    @property
    def unit(self) -> str:
        return MEASURE_UNIT[self.measure]

    def lines(self) -> list[float]:
        """The thresholds a reading changes at (for watch items)."""
        t, band = self.threshold, self.mixed_band
        if self.expect == "near":
            tol = self.tolerance or 0.0
            return sorted({t - tol - band, t - tol, t + tol, t + tol + band})
        return sorted({t, t - band if self.expect == "above" else t + band})

    def reading(self, value: float) -> Verdict:
        """Supported on the expected side of the threshold (within ± tolerance for 'near'),
        mixed within ``mixed_band`` beyond it, contradicted further out."""
        if self.expect == "near":
            off = abs(value - self.threshold) - (self.tolerance or 0.0)
        elif self.expect == "above":
            off = self.threshold - value
        else:
            off = value - self.threshold
        return within(off, supported_within=0.0, mixed_within=self.mixed_band)

    def what(self) -> LocalizedText:
        """What is measured, in words (the label, else built from the concepts)."""
        if self.label is not None:
            return self.label
        c = self.concept
        if self.measure == "ratio" and self.denominator:
            d = self.denominator
            return LocalizedText(zh=f"{concept_zh(c)}/{concept_zh(d)}",
                                 en=f"{concept_en(c)} / {concept_en(d)}")
        if self.measure == "growth":
            return LocalizedText(zh=f"{concept_zh(c)}年增速", en=f"{concept_en(c)} growth")
        if self.measure == "same-quarters-year-before":
            return LocalizedText(zh=f"最近季度{concept_zh(c)}对比一年前同季",
                                 en=f"{concept_en(c)} in the latest quarters vs a year before")
        if self.measure == "share-count-part-of-return":
            return LocalizedText(zh="股数净变化(回购减增发)占市值加权涨幅的比例",
                                 en="share of the cap-weighted return from the net "
                                    "share-count change (buybacks net of issuance)")
        if self.measure == "share-of-market-value-rise":
            return LocalizedText(zh=f"累计{concept_zh(c)}/市值增量",
                                 en=f"cumulative {concept_en(c)} / rise in market value")
        return LocalizedText(zh=concept_zh(c), en=concept_en(c))

"""Reading SEC facts and closes for the ``fundamentals`` kind.

Why apart: the kind's module says how figures decide; this one says where they come from —
reconciled SEC concepts through the hub (filings after as-of dropped), a derived concept
(free cash flow = operating cash flow − capex, per fiscal period both report), quarters
recorded in the params for a company the store lacks (marked fallback), market value from
closes and cover-page share counts, and an instrument against a benchmark. Money is in
USD bn; returns in %. pandas is imported inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import FETCH_OR_IMPORT, date_figure, figure, text
from narrowgate.evaluate.kinds.fundamentals_params import (
    DERIVED,
    Company,
    FundamentalsParams,
    RecordedQuarter,
    Versus,
    concept_en,
    concept_zh,
)
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import Chart, DataUsed, Figure, MissingData
from narrowgate.models.fundamentals import expected_years, window_periods

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.fundamentals import Period


def _tags(names: list[str]) -> list[str]:
    from narrowgate.data.concepts import concept_tags

    out: list[str] = []
    for name in names:
        for part in DERIVED.get(name, (name,)):
            out += concept_tags(part)
    return list(dict.fromkeys(out))


def company_facts(ctx: EvalContext, company: Company, concepts: list[str],
                  extra_tags: tuple[str, ...] = ()) -> tuple[pd.DataFrame, DataUsed, str]:
    """The company's facts filed by as-of (the tags ``concepts`` need), provenance, ticker."""
    from narrowgate.evaluate.kinds.capex_inputs import sec_facts, ticker_of

    ticker = ticker_of(company.filings)
    facts, used = sec_facts(ctx.hub, ticker, ctx.as_of, [*_tags(concepts), *extra_tags])
    return facts, used, ticker


def concept_frame(facts: pd.DataFrame, name: str, period: str, ticker: str) -> pd.DataFrame:
    """One value per fiscal period (columns fiscal_year, fiscal_period, end, value in USD);
    a derived concept is the difference of its two parts on the periods both have."""
    from narrowgate.data.concepts import read_concept

    if name not in DERIVED:
        return read_concept(facts, name, period, company=ticker).frame  # type: ignore[arg-type]
    plus, minus = (read_concept(facts, part, period, company=ticker).frame  # type: ignore[arg-type]
                   for part in DERIVED[name])
    both = plus.merge(minus[["end", "value"]], on="end", suffixes=("", "_minus"))
    both["value"] = both["value"] - both["value_minus"]
    return both.drop(columns=["value_minus"])


@dataclass
class CompanyRead:
    """What one company contributed: its label, periods, provenance and gaps."""

    ticker: str
    periods: list[Period] = field(default_factory=list)
    data: list[DataUsed] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


def read_periods(ctx: EvalContext, params: FundamentalsParams, company: Company, start:
                 date | None, end: date) -> CompanyRead:
    """The company's periods in the window; raises NarrowgateError when it has no facts."""
    names = [params.concept, *([params.denominator] if params.denominator else [])]
    facts, used, ticker = company_facts(ctx, company, names)
    period = params.periods
    num = concept_frame(facts, params.concept, period, ticker)
    den = concept_frame(facts, params.denominator, period, ticker) if params.denominator \
        else None
    out = CompanyRead(ticker, window_periods(num, start, end, period, den), [used])
    want = expected_years(start, end) if period == "annual" else None
    if want is not None and len(out.periods) < want:
        out.gaps.append(f"{params.concept} for {want - len(out.periods)} of the {want} "
                        "fiscal years")
    return out


def recorded_pairs(params: FundamentalsParams, instrument: str, baseline: date
                   ) -> list[tuple[date, float, date, float, RecordedQuarter]]:
    """Recorded quarters after ``baseline`` with the recorded quarter a year before."""
    rows = {q.end: q for q in params.recorded_quarters if q.instrument == instrument}
    out = []
    for end, q in sorted(rows.items()):
        before = date(end.year - 1, end.month, end.day)
        if end > baseline and before in rows:
            out.append((end, q.value_usd_bn, before, rows[before].value_usd_bn, q))
    return out[-params.quarters:]


def bundled_fallback(instrument: str, concept: str) -> tuple[Figure, DataUsed] | None:
    """The concept's fiscal years in the bundled cash-flow table (FACTS.md 3a), for a company
    without SEC facts: shown, never counted (a few years, not the window)."""
    from narrowgate.data.fallback import load_hyperscaler_cashflows
    from narrowgate.evaluate.kinds.capex_inputs import FALLBACK_NOTE, ticker_of

    table = load_hyperscaler_cashflows()
    t = ticker_of(instrument)
    rows = table[(table["ticker"] == t) & (table["period"] == "FY")
                 & (table["field"] == concept)].dropna(subset=["value_usd_bn"])
    if rows.empty:
        return None
    years = rows["fiscal_year"].astype(int).tolist()
    span = f"FY{min(years)}–FY{max(years)}"
    fig = figure(f"{t}_{concept}_fallback",
                 f"{t} {span} {concept_zh(concept)}(备用数据,仅 {len(years)} 年,不计入)",
                 f"{t} {concept_en(concept)} {span} [fallback; only {len(years)} years, "
                 "not counted]", round(float(rows["value_usd_bn"].sum()), 1), "USD bn")
    used = DataUsed(instrument=instrument, source="fallback: " + "; ".join(
        dict.fromkeys(rows["source"].astype(str))), start=date(min(years), 1, 1),
        end=date(max(years), 12, 31), rows=len(rows), note=FALLBACK_NOTE, fallback=True)
    return fig, used


def close_at(ctx: EvalContext, instrument: str, day: date) -> tuple[float, date, date, DataUsed]:
    """Last raw close on or before ``day``, its date, the source's split basis date, provenance."""
    from narrowgate.evaluate.hubdata import provenance_to_data, require_hub

    bars = require_hub(ctx, [instrument]).bars(instrument, day - timedelta(days=10), day,
                                               adjust="raw")
    frame = bars.frame["close"].dropna()
    if frame.empty:
        raise ValueError(f"no close of {instrument} in the 10 days to {day}")
    prov = bars.provenance[0]
    basis_day = prov.source_last or frame.index[-1].date()
    return float(frame.iloc[-1]), frame.index[-1].date(), basis_day, provenance_to_data(prov)


def market_values(ctx: EvalContext, company: Company, facts: pd.DataFrame, ticker: str,
                  days: dict[str, date]
                  ) -> tuple[dict[str, tuple[float, float]], list[DataUsed], list[str]]:
    """(market value in USD bn, shares on the last day's split basis) at each named day:
    market value = close × shares on the close's own basis; the second count puts every
    day on one basis, so counts compare across days."""
    from narrowgate.models.fundamentals import SHARE_COUNTS, cover_shares, shares_on_basis

    shares = cover_shares(facts)
    if shares.empty or company.prices is None:
        return {}, [], [f"shares outstanding (none of {', '.join(SHARE_COUNTS)} in the SEC "
                        "facts)" if company.prices is not None else "a price instrument"]
    from narrowgate.models.fundamentals import BN

    read = {key: close_at(ctx, company.prices, day) for key, day in days.items()}
    last_basis = max(basis for _c, _o, basis, _p in read.values())
    out: dict[str, tuple[float, float]] = {}
    data: list[DataUsed] = []
    for key, (close, on, basis, prov) in read.items():
        count, factor = shares_on_basis(shares, on, basis)
        out[key] = (close * count / BN, shares_on_basis(shares, on, last_basis)[0])
        data.append(prov.model_copy(update={"note": f"close {close:.4g} on {on}; split-adjusted "
                                            f"as of {basis}; {shares.name} × {factor} to "
                                            "that basis"}))
    return out, data, []


@dataclass
class VersusRead:
    """The instrument against the benchmark: figures, provenance, chart, excess in pp."""

    figures: list[Figure]
    data: list[DataUsed]
    chart: Chart | None
    excess: float | None
    end: date | None


def read_versus(ctx: EvalContext, versus: Versus, baseline: date, stop: date,
                missing: list[MissingData]) -> VersusRead:
    """Both from the last close on or before ``baseline`` to the last common close by ``stop``."""
    from narrowgate.evaluate.hubdata import line_chart, read_closes
    from narrowgate.models.performance import last_close_before, normalised_path, total_return

    ids = [versus.instrument, versus.benchmark]
    try:
        closes, data = read_closes(ctx, ids, baseline - timedelta(days=10), stop)
    except NarrowgateError as exc:
        missing.append(MissingData(what=f"{', '.join(ids)} closes: {exc.message}",
                                   fetch=list(ids), how=FETCH_OR_IMPORT))
        return VersusRead([], [], None, None, None)
    both = closes.dropna()
    start = last_close_before(both, baseline + timedelta(days=1))
    end = both.index[-1].date()
    a = total_return(both[versus.instrument], start, end) * 100
    b = total_return(both[versus.benchmark], start, end) * 100
    i, m = versus.instrument, versus.benchmark
    figures = [date_figure("versus_start", "起点收盘", "from close", start),
               date_figure("versus_end", "终点收盘", "to close", end),
               figure("versus_return", f"{i} 涨跌", f"{i} return", round(a, 1), "%"),
               figure("versus_benchmark_return", f"{m} 涨跌", f"{m} return", round(b, 1), "%"),
               figure("versus_excess", f"{i} 减 {m}", f"{i} minus {m}", round(a - b, 1),
                      "percentage points", decisive=True)]
    chart = line_chart(text(f"{i} 与 {m}(基准日=1)", f"{i} vs {m} (baseline = 1)"),
                       normalised_path(both, start, end), "× baseline")
    return VersusRead(figures, data, chart, a - b, end)

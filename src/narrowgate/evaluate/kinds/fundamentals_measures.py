"""The three ways the ``fundamentals`` kind measures: fiscal periods in a window (value,
growth, ratio), the latest quarters against the same quarters a year before, and a flow's
share of the rise in market value. Each returns a :class:`Measured`: the readings that
decide (label, value in the measure's unit), figures, provenance and what is missing.

Why apart from the kind: the kind's module holds the rule (thresholds, coverage gate,
watch items); these hold the reading. Money in USD bn, rates and shares in %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import FETCH_OR_IMPORT, EvidenceParts, figure, recorded_data, text
from narrowgate.evaluate.kinds.fundamentals_params import (
    FundamentalsParams,
    concept_en,
    concept_zh,
)
from narrowgate.evaluate.kinds.fundamentals_read import (
    CompanyRead,
    bundled_fallback,
    company_facts,
    concept_frame,
    market_values,
    read_periods,
    recorded_pairs,
)
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import Chart, ChartSeries, MissingData
from narrowgate.models.fundamentals import expected_years, window_periods


@dataclass
class Measured(EvidenceParts):
    """Readings (label, value) and their evidence; ``complete``: every company measured."""

    readings: list[tuple[str, float]] = field(default_factory=list)
    observed: date | None = None
    measured: list[str] = field(default_factory=list)
    complete: bool = True
    full: int = 0  # companies measured without a gap
    #: quarters only: the last quarter end of a company with fewer quarters than asked
    #: (the reading is interim until they are reported); None when all are there
    short_of: date | None = None
    #: incomplete, but the bounds over the missing companies agree on one verdict: decide
    decided_by_bounds: bool = False


def record_no_facts(out: Measured, params: FundamentalsParams, instrument: str,
                    exc: Exception, dates: str, fetch: list[str]) -> None:
    out.complete = False
    out.missing.append(MissingData(what=f"{instrument}: {params.concept} ({exc})", dates=dates,
                                   fetch=fetch, how=FETCH_OR_IMPORT))
    fallback = bundled_fallback(instrument, params.concept)
    if fallback is not None:
        out.figures.append(fallback[0])
        out.data.append(fallback[1])


def periods_measure(ctx: EvalContext, params: FundamentalsParams, start: date | None,
                    end: date) -> Measured:
    """value, growth or ratio over the fiscal periods ending in (start, end]."""
    from narrowgate.models.fundamentals import median_of, period_readings, summed

    out = Measured()
    reads: dict[str, CompanyRead] = {}
    dates = f"{start or 'first filing'} to {end}"
    for c in params.companies:
        try:
            read = read_periods(ctx, params, c, start, end)
        except NarrowgateError as exc:
            record_no_facts(out, params, c.filings, exc, dates, [c.filings])
            continue
        out.data += read.data
        # every period judged or summed is shown; for the latest, it and the one before
        for p in read.periods if params.over != "latest" else read.periods[-2:]:
            out.figures.append(figure(f"{read.ticker}_{params.concept}_{p.label}",
                                      f"{read.ticker} {p.label} {concept_zh(params.concept)}",
                                      f"{read.ticker} {concept_en(params.concept)} {p.label}",
                                      round(p.numerator, 3), "USD bn"))
            if params.denominator and p.denominator is not None:
                d = params.denominator
                out.figures.append(figure(f"{read.ticker}_{d}_{p.label}",
                                          f"{read.ticker} {p.label} {concept_zh(d)}",
                                          f"{read.ticker} {concept_en(d)} {p.label}",
                                          round(p.denominator, 3), "USD bn"))
        out.full += not read.gaps and bool(read.periods)
        if read.gaps or not read.periods:
            out.complete = False
            out.missing.append(MissingData(
                what=f"{c.filings}: {'; '.join(read.gaps) or 'no period in the window'}",
                dates=dates, fetch=[c.filings], how=FETCH_OR_IMPORT))
            if not read.periods:
                continue
        reads[read.ticker] = read
    if not reads:
        return out
    out.measured = list(reads)
    out.observed = max(p.end for r in reads.values() for p in r.periods)
    try:
        if params.aggregate == "sum":
            out.readings = period_readings(params.measure, summed(
                {t: r.periods for t, r in reads.items()}), params.over)
        elif params.aggregate == "each":
            out.readings = [(f"{t} {label}", v) for t, r in reads.items()
                            for label, v in period_readings(params.measure, r.periods,
                                                            params.over)]
        else:
            each = {t: dict(period_readings(params.measure, r.periods, params.over))
                    for t, r in reads.items()}
            labels = [lab for lab in next(iter(each.values())) if all(lab in e for e in
                                                                        each.values())]
            if params.over != "each":  # one reading a company, labels differ by calendar
                out.readings = [("median company", median_of([v for e in each.values()
                                                              for v in e.values()]))]
            else:
                out.readings = [(lab, median_of([e[lab] for e in each.values()]))
                                for lab in labels]
    except ValueError as exc:
        out.complete = False
        out.missing.append(MissingData(what=f"{params.what().en}: {exc}", dates=dates,
                                       fetch=[c.filings for c in params.companies],
                                       how=FETCH_OR_IMPORT))
    return out


def quarters_measure(ctx: EvalContext, params: FundamentalsParams, baseline: date,
                     stop: date) -> Measured:
    """The latest quarters ending in (baseline, stop] against the same quarters a year
    before, summed over the companies (SEC facts, else the quarters recorded in the params)."""
    import pandas as pd

    from narrowgate.data.concepts import ConceptNotFound
    from narrowgate.models.fundamentals import change_pct, median_of, year_before_pairs

    out = Measured()
    c_en, c_zh, n = concept_en(params.concept), concept_zh(params.concept), params.quarters
    bars: dict[str, tuple[float, float]] = {}
    per_company: dict[str, tuple[float, float]] = {}
    shown: dict[str, list[tuple[str, float, float]]] = {}
    for company in params.companies:
        inst = company.filings
        try:
            facts, used, ticker = company_facts(ctx, company,
                                                [params.concept, *params.also_show])
        except NarrowgateError:
            rec = [r for r in recorded_pairs(params, inst, baseline) if r[0] <= stop]
            if not rec:
                out.complete = False
                out.missing.append(MissingData(
                    what=f"{inst}: quarterly {c_en} after {baseline}", fetch=[inst],
                    how="SEC companyfacts, or record the quarter with its source in the "
                        "thesis params"))
                continue
            for end, post, e0, before, q in rec:
                bars[f"{inst} {q.quarter}"] = (post, before)
                out.figures.append(figure(f"{inst}_{params.concept}_{end}",
                                          f"{inst} 截至 {end} 季度{c_zh}(记录值,备用)",
                                          f"{inst} quarter to {end} {c_en} (recorded, "
                                          f"fallback) vs {e0}", round(post - before, 3),
                                          "USD bn change"))
            per_company[inst] = (sum(r[1] for r in rec), sum(r[3] for r in rec))
            out.observed = max(out.observed or date.min, *(r[0] for r in rec))
            _count_quarters(out, [r[0] for r in rec], n)
            continue
        out.data.append(used)
        pairs: dict[str, list[tuple[date, float, date, float]]] = {}
        latest = date.min
        for concept in [params.concept, *params.also_show]:
            try:
                frame = concept_frame(facts, concept, "quarterly", ticker)
            except ConceptNotFound:
                continue
            latest = max(latest, frame["end"].max().date())
            by_end = {pd.Timestamp(e).date(): float(v) / 1e9
                      for e, v in zip(frame["end"], frame["value"], strict=True)
                      if pd.Timestamp(e).date() <= stop}
            pairs[concept] = year_before_pairs(by_end, baseline, n)
        main = pairs.get(params.concept, [])
        if not main:
            out.complete = False
            out.missing.append(MissingData(
                what=f"{inst}: no quarter after {baseline} in the store (latest quarter ends "
                     f"{latest})", fetch=[inst], how="once the next 10-Q is filed"))
        for end, post, e0, before in main:
            bars[f"{inst} {end}"] = (post, before)
            out.figures.append(figure(f"{inst}_{params.concept}_{end}",
                                      f"{inst} 截至 {end} 季度{c_zh}",
                                      f"{inst} {c_en}, quarter to {end}", round(post, 3),
                                      "USD bn"))
            out.figures.append(figure(f"{inst}_{params.concept}_{e0}",
                                      f"{inst} 一年前同季({e0}){c_zh}",
                                      f"{inst} {c_en} a year before (to {e0})",
                                      round(before, 3), "USD bn"))
        if main:
            per_company[inst] = (sum(p[1] for p in main), sum(p[3] for p in main))
            out.observed = max(out.observed or date.min, *(p[0] for p in main))
            _count_quarters(out, [p[0] for p in main], n)
        for concept in params.also_show:
            for end, post, _e0, before in pairs.get(concept, []):
                out.figures.append(figure(f"{inst}_{concept}_{end}",
                                          f"{inst} 截至 {end} 季度{concept_zh(concept)}"
                                          f"(一年前 {before:.3f})",
                                          f"{inst} {concept_en(concept)}, quarter to {end} "
                                          f"(a year before: {before:.3f})", round(post, 3),
                                          "USD bn"))
                shown.setdefault(concept, []).append((inst, post, before))
    out.measured = list(per_company)
    out.full = len(per_company)
    if params.aggregate == "sum" and per_company:
        after = sum(v[0] for v in per_company.values())
        before = sum(v[1] for v in per_company.values())
        change = change_pct(after, before)
        out.readings = [] if change is None else [("all companies", change)]
    else:
        changes = {k: change_pct(*v) for k, v in per_company.items()}
        valid = {k: v for k, v in changes.items() if v is not None}
        if params.aggregate == "each":
            out.readings = list(valid.items())
        elif valid:
            out.readings = [("median company", median_of(list(valid.values())))]
    for concept, rows in shown.items():
        now, then = sum(r[1] for r in rows), sum(r[2] for r in rows)
        move = change_pct(now, then)
        said = "n/a" if move is None else f"{move:+.1f}%"
        out.notes.append(text(f"{concept_zh(concept)}(同样的季度,未参与判定):合计 {now:.3f},"
                              f"一年前 {then:.3f},{said}。",
                              f"{concept_en(concept).capitalize()} (same quarters, not "
                              f"deciding): {now:.3f} against {then:.3f} a year before, "
                              f"{said}."))
    chart = _quarters_chart(bars, c_zh, c_en)
    out.charts = [chart] if chart else []
    out.data += [recorded_data(q.source, q.instrument, f"{q.quarter} {c_en}")
                 for q in params.recorded_quarters]
    return out


def _count_quarters(out: Measured, ends: list[date], wanted: int) -> None:
    """Note a company with fewer quarters than asked: the reading reaches its last one."""
    if len(ends) < wanted:
        last = max(ends)
        out.short_of = last if out.short_of is None else min(out.short_of, last)


def _quarters_chart(bars: dict[str, tuple[float, float]], zh: str, en: str) -> Chart | None:
    if not bars:
        return None
    names: list[str | float | int] = list(bars)
    return Chart(
        title=text(f"最近季度{zh}与一年前同季", f"{en.capitalize()}: latest quarters vs a "
                   "year before"),
        series=[ChartSeries(name="latest quarters", x=list(names),
                            y=[round(v[0], 3) for v in bars.values()], kind="bar"),
                ChartSeries(name="a year before", x=list(names),
                            y=[round(v[1], 3) for v in bars.values()], kind="bar")],
        x_label="company, quarter", y_label="USD bn", x_is_date=False)


def share_measure(ctx: EvalContext, params: FundamentalsParams, start: date, end: date
                  ) -> Measured:
    """The concept summed over the fiscal years ending in (start, end], divided by the rise
    of the companies' market value from ``start`` to ``end``."""
    from narrowgate.models.fundamentals import SHARE_COUNTS, share_count_effect_pct

    out = Measured()
    want = expected_years(start, end) or 0
    dates = f"{start} to {end}"
    c_en, c_zh = concept_en(params.concept), concept_zh(params.concept)
    complete: dict[str, tuple[float, float]] = {}
    for c in params.companies:
        fetch = [c.filings, *([c.prices] if c.prices else [])]
        try:
            facts, used, t = company_facts(ctx, c, [params.concept], SHARE_COUNTS)
            periods = window_periods(concept_frame(facts, params.concept, "annual", t), start,
                                     end, "annual")
            values, mv_data, gaps = market_values(ctx, c, facts, t,
                                                  {"start": start, "end": end})
        except (NarrowgateError, ValueError) as exc:
            record_no_facts(out, params, c.filings, exc, dates, fetch)
            out.missing[-1] = out.missing[-1].model_copy(update={
                "what": f"{c.filings}: {c_en} and shares outstanding ({exc})"})
            continue
        out.data += [used, *mv_data]
        total = sum(p.numerator for p in periods)
        if len(periods) < want:
            gaps.insert(0, f"{c_en} for {want - len(periods)} of the fiscal years")
        if periods:
            out.figures.append(figure(f"{t}_{params.concept}", f"{t} 窗口内累计{c_zh}",
                                      f"{t} cumulative {c_en} {periods[0].label}–"
                                      f"{periods[-1].label}", round(total, 1), "USD bn"))
        mcap = {k: value for k, (value, _shares) in values.items()}
        if values:
            rise = mcap["end"] - mcap["start"]
            effect = share_count_effect_pct(mcap["start"], mcap["end"], values["start"][1],
                                            values["end"][1])
            out.figures += [
                figure(f"{t}_mcap_start", f"{t} 起点市值", f"{t} market value at start",
                       round(mcap["start"], 1), "USD bn"),
                figure(f"{t}_mcap_end", f"{t} 终点市值", f"{t} market value at end",
                       round(mcap["end"], 1), "USD bn"),
                figure(f"{t}_share", f"{t} {c_zh}/市值增量", f"{t} {c_en} / rise in value",
                       round(total / rise * 100, 1) if rise > 0 else None, "%"),
                figure(f"{t}_share_count_effect", f"{t} 股数减少对股价涨幅(对数)的贡献",
                       f"{t} part of the (log) price rise from fewer shares",
                       None if effect is None else round(effect, 1), "%")]
        if gaps:
            out.complete = False
            out.missing.append(MissingData(what=f"{c.filings}: {'; '.join(gaps)}", dates=dates,
                                           how="add the component from the 10-K (per-class "
                                               "shares) with its source"))
        else:
            complete[t] = (total, mcap["end"] - mcap["start"])
    out.measured = list(complete)
    out.full = len(complete)
    total = sum(v[0] for v in complete.values())
    rise = sum(v[1] for v in complete.values())
    if rise > 0:
        out.readings = [("companies measured", total / rise * 100)]
    out.observed = end
    out.notes.append(text(
        f"近似方法:{c_zh}为窗口内结束的财年之和;市值 = 收盘价 × 流通股数(封面股数,多类股"
        "公司用资产负债表股数;取首次申报值),股数按从股数序列中识别的拆股调整到价格口径;不计"
        "股权激励稀释与其他公司。该比值衡量资金流相对创造的市值有多大,并非因果归因;对股价的"
        "贡献见各公司“股数减少对股价涨幅的贡献”。",
        f"Approximation: {c_en} = the sum over the fiscal years ending inside the window; "
        "market value = close × shares outstanding (the cover-page count; for a company with "
        "several share classes the balance-sheet count of all classes; as first filed), "
        "restated to the price file's split basis with splits detected in the share counts; "
        "stock-based dilution and companies outside the list are left out. The ratio says "
        "how large the flow was against the value created, not a causal attribution; what "
        "fewer shares did to the price is each company's 'part of the price rise from fewer "
        "shares'."))
    return out
